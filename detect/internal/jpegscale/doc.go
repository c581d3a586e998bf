// Package jpegscale decodes baseline JPEG files at full, half, quarter or
// eighth size.
//
// A detector whose input is 416×416 pixels has no use for the 3 million
// pixels of a 2048×1536 photo: it shrinks them at once. [Decode] can
// instead decode the photo at 1/4 scale (512×384) directly, which is
// several times faster than decoding it at full size with image/jpeg,
// because most of the inverse DCT work and all of the full-size pixel
// writes are skipped.
//
// # Scaled IDCT
//
// Every 8×8 block of a component becomes an N×N block of pixels, N =
// 8/scale. Only the N×N lowest-frequency coefficients of the block are
// kept (the others are decoded from the bit stream and dropped), rescaled
// by √(N/8) per dimension and put through an N-point inverse DCT. The
// result approximates the mean of each scale×scale square of the full
// image; at scale 8 it is exactly the block's DC term. Scale 1 uses an
// ordinary separable 8×8 integer IDCT whose output differs from
// image/jpeg's by rounding only. On amd64 CPUs with AVX2 that IDCT runs 8
// columns per instruction (idct8_amd64.s) with the same 32-bit arithmetic
// as the scalar code, hence the same pixels; a block whose values could
// overflow 32-bit lanes goes to the scalar code (none of the 164,129
// blocks of the four test JPEGs does). It makes full-size decoding about
// 1.5× faster.
//
// # Supported files
//
// Baseline and extended sequential DCT files with Huffman coding and 8-bit
// samples (SOF0, SOF1), with one component (decoded as [image.Gray]) or
// three YCbCr components (decoded as [image.YCbCr] with the file's
// subsampling: 4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1 or 4:1:0). Restart
// markers, 8- and 16-bit quantisation tables, interleaved and
// single-component scans and partial MCUs at the right and bottom edges
// are handled; APPn and COM segments are skipped. Images with a side
// over 32768 pixels are refused before any pixels are allocated.
//
// # Errors
//
// Files this package does not decode (progressive, arithmetic-coded,
// lossless, hierarchical, 12-bit, CMYK/YCCK, RGB or oddly subsampled
// files) give an error wrapping [ErrUnsupported]: callers fall back to
// image/jpeg then. Corrupt data gives a [FormatError], and data that ends
// too early an error wrapping io.ErrUnexpectedEOF. Decode never panics.
package jpegscale

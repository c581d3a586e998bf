// Package preprocess turns an [image.Image] into the float32 input tensor of
// a vision model: letterbox or stretch to the model's input size, bilinear
// resampling, channel order, per-channel scale, mean and std, NCHW or NHWC.
//
// # Exactness
//
// Resampling is bilinear with half-pixel centres and no antialiasing, the
// geometry of OpenCV's cv2.resize with INTER_LINEAR: destination pixel d
// samples the source at s = (d+0.5)·n/m − 0.5, clamped to the image, where n
// and m are the source and destination sizes along that axis. The blend is
// computed exactly (both weights are integers over 2m, so the value is a
// rational number), rounded half up to uint8, and only then mapped to
// float32 through v = (pixel·Scale − Mean[c]) / Std[c]. The result is
// identical to an exact per-pixel reference built on [image.Image.At] (the
// package tests contain one). A float64 implementation of the same formula
// differs from it by ±1 only where the exact value is a tie (k + 0.5) and
// the weights are not dyadic, because its rounding error then decides the
// tie; on dog.jpg that is 0.14% of the values for a 416×312 letterbox and
// 1.5% for a 320×320 stretch. OpenCV itself uses 11-bit fixed-point weights
// for 8-bit images, so it differs from both by at most 1 on a small share of
// values.
//
// Colours are the straight (non-premultiplied) 8-bit colour of each pixel,
// as [color.NRGBAModel] gives it, with alpha dropped: a PNG with an alpha
// channel gives the same values OpenCV's imread does. Grayscale is expanded to
// three equal channels. [*image.YCbCr] is converted with the exact arithmetic
// of [color.YCbCrToRGB].
//
// # Speed
//
// [*image.YCbCr] (every subsampling ratio), [*image.NYCbCrA] (alpha
// ignored), [*image.RGBA], [*image.NRGBA] and [*image.Gray] are read straight
// from their pixel slices; any other image goes through At. The resize is
// separable with weights and indices precomputed per column and per row; only
// the source rows and columns that bilinear sampling reads are converted and
// resampled. A [Preprocessor] keeps its scratch buffers in a pool, so a steady
// stream of images of the same size does not allocate. [Options.Workers]
// splits the rows of one image between goroutines, for lower latency when
// cores are idle; the values are the same. On amd64 CPUs with AVX2 and FMA
// the colour conversion and both resampling passes run in vector kernels
// that compute the same integers (about 0.3–0.4 ms instead of 2–3 ms for a
// 416×416 letterbox of a photo); other CPUs use the scalar code.
//
// A [*Reduced] image (a JPEG decoded at a reduced scale) is resampled from
// its pixels but placed as its full-size original.
//
// # Orientation
//
// [ReadOrientation] reads the EXIF orientation of a JPEG file and [Orient]
// applies it, for callers that want images displayed upright.
package preprocess

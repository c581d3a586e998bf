#include "textflag.h"

// The 8×8 inverse DCT of idct8.go on AVX2: one ymm register per row of 8
// int32 values, so that the 1-D IDCT across registers transforms 8 columns
// at once (the column pass); a transpose turns the rows into columns for
// the row pass, another turns them back, and saturating packs clamp the
// pixels to 0–255. The arithmetic is the scalar code's, in 32-bit lanes:
// it is exact when every input and every column-pass output is below 2^14
// in magnitude (then no sum exceeds 1.5·2^30), which the code checks
// before each pass, returning false without writing when it does not hold.

DATA idctK1<>+0(SB)/4, $11363
DATA idctK1<>+4(SB)/4, $11363
DATA idctK1<>+8(SB)/4, $11363
DATA idctK1<>+12(SB)/4, $11363
DATA idctK1<>+16(SB)/4, $11363
DATA idctK1<>+20(SB)/4, $11363
DATA idctK1<>+24(SB)/4, $11363
DATA idctK1<>+28(SB)/4, $11363
GLOBL idctK1<>(SB), RODATA|NOPTR, $32

DATA idctK2<>+0(SB)/4, $10703
DATA idctK2<>+4(SB)/4, $10703
DATA idctK2<>+8(SB)/4, $10703
DATA idctK2<>+12(SB)/4, $10703
DATA idctK2<>+16(SB)/4, $10703
DATA idctK2<>+20(SB)/4, $10703
DATA idctK2<>+24(SB)/4, $10703
DATA idctK2<>+28(SB)/4, $10703
GLOBL idctK2<>(SB), RODATA|NOPTR, $32

DATA idctK3<>+0(SB)/4, $9633
DATA idctK3<>+4(SB)/4, $9633
DATA idctK3<>+8(SB)/4, $9633
DATA idctK3<>+12(SB)/4, $9633
DATA idctK3<>+16(SB)/4, $9633
DATA idctK3<>+20(SB)/4, $9633
DATA idctK3<>+24(SB)/4, $9633
DATA idctK3<>+28(SB)/4, $9633
GLOBL idctK3<>(SB), RODATA|NOPTR, $32

DATA idctK5<>+0(SB)/4, $6436
DATA idctK5<>+4(SB)/4, $6436
DATA idctK5<>+8(SB)/4, $6436
DATA idctK5<>+12(SB)/4, $6436
DATA idctK5<>+16(SB)/4, $6436
DATA idctK5<>+20(SB)/4, $6436
DATA idctK5<>+24(SB)/4, $6436
DATA idctK5<>+28(SB)/4, $6436
GLOBL idctK5<>(SB), RODATA|NOPTR, $32

DATA idctK6<>+0(SB)/4, $4433
DATA idctK6<>+4(SB)/4, $4433
DATA idctK6<>+8(SB)/4, $4433
DATA idctK6<>+12(SB)/4, $4433
DATA idctK6<>+16(SB)/4, $4433
DATA idctK6<>+20(SB)/4, $4433
DATA idctK6<>+24(SB)/4, $4433
DATA idctK6<>+28(SB)/4, $4433
GLOBL idctK6<>(SB), RODATA|NOPTR, $32

DATA idctK7<>+0(SB)/4, $2260
DATA idctK7<>+4(SB)/4, $2260
DATA idctK7<>+8(SB)/4, $2260
DATA idctK7<>+12(SB)/4, $2260
DATA idctK7<>+16(SB)/4, $2260
DATA idctK7<>+20(SB)/4, $2260
DATA idctK7<>+24(SB)/4, $2260
DATA idctK7<>+28(SB)/4, $2260
GLOBL idctK7<>(SB), RODATA|NOPTR, $32

DATA idctColRound<>+0(SB)/4, $512
DATA idctColRound<>+4(SB)/4, $512
DATA idctColRound<>+8(SB)/4, $512
DATA idctColRound<>+12(SB)/4, $512
DATA idctColRound<>+16(SB)/4, $512
DATA idctColRound<>+20(SB)/4, $512
DATA idctColRound<>+24(SB)/4, $512
DATA idctColRound<>+28(SB)/4, $512
GLOBL idctColRound<>(SB), RODATA|NOPTR, $32

DATA idctRowBias<>+0(SB)/4, $8224
DATA idctRowBias<>+4(SB)/4, $8224
DATA idctRowBias<>+8(SB)/4, $8224
DATA idctRowBias<>+12(SB)/4, $8224
DATA idctRowBias<>+16(SB)/4, $8224
DATA idctRowBias<>+20(SB)/4, $8224
DATA idctRowBias<>+24(SB)/4, $8224
DATA idctRowBias<>+28(SB)/4, $8224
GLOBL idctRowBias<>(SB), RODATA|NOPTR, $32

DATA idctHigh<>+0(SB)/4, $0xffffc000
DATA idctHigh<>+4(SB)/4, $0xffffc000
DATA idctHigh<>+8(SB)/4, $0xffffc000
DATA idctHigh<>+12(SB)/4, $0xffffc000
DATA idctHigh<>+16(SB)/4, $0xffffc000
DATA idctHigh<>+20(SB)/4, $0xffffc000
DATA idctHigh<>+24(SB)/4, $0xffffc000
DATA idctHigh<>+28(SB)/4, $0xffffc000
GLOBL idctHigh<>(SB), RODATA|NOPTR, $32

DATA idctPerm<>+0(SB)/4, $0
DATA idctPerm<>+4(SB)/4, $4
DATA idctPerm<>+8(SB)/4, $1
DATA idctPerm<>+12(SB)/4, $5
DATA idctPerm<>+16(SB)/4, $2
DATA idctPerm<>+20(SB)/4, $6
DATA idctPerm<>+24(SB)/4, $3
DATA idctPerm<>+28(SB)/4, $7
GLOBL idctPerm<>(SB), RODATA|NOPTR, $32

// IDCT1D is the 8-point 1-D IDCT of idct8x1 on Y0–Y7 (x0–x7) into Y0–Y7
// (y0–y7), scaled by 2^13; it uses Y8–Y13.
#define IDCT1D \
	VPADDD Y4, Y0, Y8; \
	VPSUBD Y4, Y0, Y9; \
	VPSLLD $13, Y8, Y8; \
	VPSLLD $13, Y9, Y9; \
	VPMULLD idctK2<>(SB), Y2, Y10; \
	VPMULLD idctK6<>(SB), Y6, Y11; \
	VPADDD Y11, Y10, Y10; \
	VPMULLD idctK6<>(SB), Y2, Y11; \
	VPMULLD idctK2<>(SB), Y6, Y12; \
	VPSUBD Y12, Y11, Y11; \
	VPADDD Y10, Y8, Y0; \
	VPSUBD Y10, Y8, Y4; \
	VPADDD Y11, Y9, Y2; \
	VPSUBD Y11, Y9, Y6; \
	VPMULLD idctK1<>(SB), Y1, Y8; \
	VPMULLD idctK3<>(SB), Y3, Y9; \
	VPADDD Y9, Y8, Y8; \
	VPMULLD idctK5<>(SB), Y5, Y9; \
	VPADDD Y9, Y8, Y8; \
	VPMULLD idctK7<>(SB), Y7, Y9; \
	VPADDD Y9, Y8, Y8; \
	VPMULLD idctK3<>(SB), Y1, Y10; \
	VPMULLD idctK7<>(SB), Y3, Y9; \
	VPSUBD Y9, Y10, Y10; \
	VPMULLD idctK1<>(SB), Y5, Y9; \
	VPSUBD Y9, Y10, Y10; \
	VPMULLD idctK5<>(SB), Y7, Y9; \
	VPSUBD Y9, Y10, Y10; \
	VPMULLD idctK5<>(SB), Y1, Y11; \
	VPMULLD idctK1<>(SB), Y3, Y9; \
	VPSUBD Y9, Y11, Y11; \
	VPMULLD idctK7<>(SB), Y5, Y9; \
	VPADDD Y9, Y11, Y11; \
	VPMULLD idctK3<>(SB), Y7, Y9; \
	VPADDD Y9, Y11, Y11; \
	VPMULLD idctK7<>(SB), Y1, Y12; \
	VPMULLD idctK5<>(SB), Y3, Y9; \
	VPSUBD Y9, Y12, Y12; \
	VPMULLD idctK3<>(SB), Y5, Y9; \
	VPADDD Y9, Y12, Y12; \
	VPMULLD idctK1<>(SB), Y7, Y9; \
	VPSUBD Y9, Y12, Y12; \
	VPSUBD Y8, Y0, Y7; \
	VPADDD Y8, Y0, Y0; \
	VPADDD Y11, Y6, Y8; \
	VPSUBD Y11, Y6, Y5; \
	VPSUBD Y10, Y2, Y6; \
	VPADDD Y10, Y2, Y1; \
	VMOVDQU Y8, Y2; \
	VPADDD Y12, Y4, Y3; \
	VPSUBD Y12, Y4, Y4

// TRANSPOSE transposes the 8×8 int32 matrix in Y0–Y7 (one row each) into
// Y8–Y15 (one column each); it overwrites Y0–Y7.
#define TRANSPOSE \
	VPUNPCKLDQ Y1, Y0, Y8; \
	VPUNPCKHDQ Y1, Y0, Y9; \
	VPUNPCKLDQ Y3, Y2, Y10; \
	VPUNPCKHDQ Y3, Y2, Y11; \
	VPUNPCKLDQ Y5, Y4, Y12; \
	VPUNPCKHDQ Y5, Y4, Y13; \
	VPUNPCKLDQ Y7, Y6, Y14; \
	VPUNPCKHDQ Y7, Y6, Y15; \
	VPUNPCKLQDQ Y10, Y8, Y0; \
	VPUNPCKHQDQ Y10, Y8, Y1; \
	VPUNPCKLQDQ Y11, Y9, Y2; \
	VPUNPCKHQDQ Y11, Y9, Y3; \
	VPUNPCKLQDQ Y14, Y12, Y4; \
	VPUNPCKHQDQ Y14, Y12, Y5; \
	VPUNPCKLQDQ Y15, Y13, Y6; \
	VPUNPCKHQDQ Y15, Y13, Y7; \
	VPERM2I128 $0x20, Y4, Y0, Y8; \
	VPERM2I128 $0x31, Y4, Y0, Y12; \
	VPERM2I128 $0x20, Y5, Y1, Y9; \
	VPERM2I128 $0x31, Y5, Y1, Y13; \
	VPERM2I128 $0x20, Y6, Y2, Y10; \
	VPERM2I128 $0x31, Y6, Y2, Y14; \
	VPERM2I128 $0x20, Y7, Y3, Y11; \
	VPERM2I128 $0x31, Y7, Y3, Y15

// MOVEBACK copies Y8–Y15 into Y0–Y7.
#define MOVEBACK \
	VMOVDQU Y8, Y0; \
	VMOVDQU Y9, Y1; \
	VMOVDQU Y10, Y2; \
	VMOVDQU Y11, Y3; \
	VMOVDQU Y12, Y4; \
	VMOVDQU Y13, Y5; \
	VMOVDQU Y14, Y6; \
	VMOVDQU Y15, Y7

// CHECK jumps to fail unless every value of Y0–Y7 is below 2^14 in
// magnitude; it uses Y8 and Y9.
#define CHECK \
	VPABSD Y0, Y8; \
	VPABSD Y1, Y9; \
	VPOR Y9, Y8, Y8; \
	VPABSD Y2, Y9; \
	VPOR Y9, Y8, Y8; \
	VPABSD Y3, Y9; \
	VPOR Y9, Y8, Y8; \
	VPABSD Y4, Y9; \
	VPOR Y9, Y8, Y8; \
	VPABSD Y5, Y9; \
	VPOR Y9, Y8, Y8; \
	VPABSD Y6, Y9; \
	VPOR Y9, Y8, Y8; \
	VPABSD Y7, Y9; \
	VPOR Y9, Y8, Y8; \
	VPTEST idctHigh<>(SB), Y8; \
	JNE fail

// func idct8AVX2(blk *[64]int32, dst *byte, stride int) bool
TEXT ·idct8AVX2(SB), NOSPLIT, $0-25
	MOVQ blk+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ stride+16(FP), CX
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VMOVDQU 128(SI), Y4
	VMOVDQU 160(SI), Y5
	VMOVDQU 192(SI), Y6
	VMOVDQU 224(SI), Y7
	CHECK
	// Columns: (y + colRound) >> colShift.
	IDCT1D
	VMOVDQU idctColRound<>(SB), Y15
	VPADDD Y15, Y0, Y0
	VPADDD Y15, Y1, Y1
	VPADDD Y15, Y2, Y2
	VPADDD Y15, Y3, Y3
	VPADDD Y15, Y4, Y4
	VPADDD Y15, Y5, Y5
	VPADDD Y15, Y6, Y6
	VPADDD Y15, Y7, Y7
	VPSRAD $10, Y0, Y0
	VPSRAD $10, Y1, Y1
	VPSRAD $10, Y2, Y2
	VPSRAD $10, Y3, Y3
	VPSRAD $10, Y4, Y4
	VPSRAD $10, Y5, Y5
	VPSRAD $10, Y6, Y6
	VPSRAD $10, Y7, Y7
	CHECK
	// Rows: x0 + rowBias>>constBits, then y >> rowShift.
	TRANSPOSE
	MOVEBACK
	VPADDD idctRowBias<>(SB), Y0, Y0
	IDCT1D
	VPSRAD $19, Y0, Y0
	VPSRAD $19, Y1, Y1
	VPSRAD $19, Y2, Y2
	VPSRAD $19, Y3, Y3
	VPSRAD $19, Y4, Y4
	VPSRAD $19, Y5, Y5
	VPSRAD $19, Y6, Y6
	VPSRAD $19, Y7, Y7
	TRANSPOSE // Y8–Y15: the pixel rows
	VMOVDQU idctPerm<>(SB), Y7
	VPACKSSDW Y9, Y8, Y0
	VPACKSSDW Y11, Y10, Y1
	VPACKUSWB Y1, Y0, Y0
	VPERMD Y0, Y7, Y0
	VPACKSSDW Y13, Y12, Y2
	VPACKSSDW Y15, Y14, Y3
	VPACKUSWB Y3, Y2, Y2
	VPERMD Y2, Y7, Y2
	VEXTRACTI128 $1, Y0, X1
	VEXTRACTI128 $1, Y2, X3
	LEAQ (DI)(CX*2), DX
	LEAQ (DX)(CX*2), R8
	LEAQ (R8)(CX*2), R9
	VMOVQ X0, (DI)
	VPEXTRQ $1, X0, (DI)(CX*1)
	VMOVQ X1, (DX)
	VPEXTRQ $1, X1, (DX)(CX*1)
	VMOVQ X2, (R8)
	VPEXTRQ $1, X2, (R8)(CX*1)
	VMOVQ X3, (R9)
	VPEXTRQ $1, X3, (R9)(CX*1)
	VZEROUPPER
	MOVB $1, ret+24(FP)
	RET

fail:
	VZEROUPPER
	MOVB $0, ret+24(FP)
	RET

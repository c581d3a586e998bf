#include "textflag.h"

// YCC8 converts 8 columns (windows boff and boff+4 of the base tables,
// shuffle controls at ioff) into the int32 lanes of RR, GG and BB: like
// ycc16, with one 16-byte window per 128-bit lane and VPSHUFB (index
// bytes with the top bit set give 0) in place of the byte permutes.
#define YCC8(boff, ioff, RR, GG, BB) \
	MOVLQSX boff(R12), AX; \
	MOVLQSX boff+4(R12), DX; \
	VMOVDQU (SI)(AX*1), X0; \
	VINSERTI128 $1, (SI)(DX*1), Y0, Y0; \
	VPSHUFB ioff(R14), Y0, Y0; \
	MOVLQSX boff(R13), AX; \
	MOVLQSX boff+4(R13), DX; \
	VMOVDQU (R10)(AX*1), X1; \
	VINSERTI128 $1, (R10)(DX*1), Y1, Y1; \
	VMOVDQU (R11)(AX*1), X2; \
	VINSERTI128 $1, (R11)(DX*1), Y2, Y2; \
	VMOVDQU ioff(BX), Y3; \
	VPSHUFB Y3, Y1, Y1; \
	VPSHUFB Y3, Y2, Y2; \
	VPSUBD Y10, Y1, Y1; \
	VPSUBD Y10, Y2, Y2; \
	VPMULLD Y11, Y2, RR; \
	VPADDD Y0, RR, RR; \
	VPMULLD Y12, Y1, GG; \
	VPMULLD Y13, Y2, Y3; \
	VPSUBD GG, Y0, GG; \
	VPSUBD Y3, GG, GG; \
	VPMULLD Y14, Y1, BB; \
	VPADDD Y0, BB, BB; \
	VPSRAD $16, RR, RR; \
	VPSRAD $16, GG, GG; \
	VPSRAD $16, BB, BB

// PACK16 stores the 16 words of A (columns 0..7) and B (columns 8..15)
// clamped to 0..255 at DST: VPACKUSDW clamps below at 0 and interleaves
// the lanes, VPERMQ puts them back in order.
#define PACK16(A, B, DST) \
	VPACKUSDW B, A, A; \
	VPERMQ $0xD8, A, A; \
	VPMINUW Y15, A, A; \
	VMOVDQU A, (DST)

// func ycc16AVX2(pr, pg, pb *uint16, y, cb, cr *byte, ybase, cbase *int32, yidx, cidx *byte, nb int)
//
// Block i converts 16 pixels with the arithmetic of color.YCbCrToRGB, from
// four windows of 16 bytes at y+ybase[4i+j] and cb, cr+cbase[4i+j], into
// pr, pg, pb[16i:16i+16].
TEXT ·ycc16AVX2(SB), NOSPLIT, $0-88
	MOVQ pr+0(FP), DI
	MOVQ pg+8(FP), R8
	MOVQ pb+16(FP), R9
	MOVQ y+24(FP), SI
	MOVQ cb+32(FP), R10
	MOVQ cr+40(FP), R11
	MOVQ ybase+48(FP), R12
	MOVQ cbase+56(FP), R13
	MOVQ yidx+64(FP), R14
	MOVQ cidx+72(FP), BX
	MOVQ nb+80(FP), CX
	MOVL $128, AX
	VMOVD AX, X10
	VPBROADCASTD X10, Y10
	MOVL $91881, AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11
	MOVL $22554, AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL $46802, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL $116130, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $255, AX
	VMOVD AX, X15
	VPBROADCASTW X15, Y15

yloop:
	YCC8(0, 0, Y4, Y5, Y6)
	YCC8(8, 32, Y7, Y8, Y9)
	PACK16(Y4, Y7, DI)
	PACK16(Y5, Y8, R8)
	PACK16(Y6, Y9, R9)
	ADDQ $16, R12
	ADDQ $16, R13
	ADDQ $64, R14
	ADDQ $64, BX
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  yloop
	VZEROUPPER
	RET

// func hpass16AVX2(h0, h1, h2 *int32, p0, p1, p2 *uint16, base *int32, idx *uint16, w *int16, nb int)
//
// Block i resamples 16 destination columns of each plane in four windows
// of 8 words at pc+2·base[4i+j]: the bytes are shuffled by
// idx[32i+8j:][:8] into (x0, x1) pairs and multiplied-and-added with the
// weight pairs w[32i+8j:][:8] into hc[16i+4j:].
TEXT ·hpass16AVX2(SB), NOSPLIT, $0-80
	MOVQ h0+0(FP), DI
	MOVQ h1+8(FP), R8
	MOVQ h2+16(FP), R9
	MOVQ p0+24(FP), SI
	MOVQ p1+32(FP), R10
	MOVQ p2+40(FP), R11
	MOVQ base+48(FP), R12
	MOVQ idx+56(FP), R13
	MOVQ w+64(FP), R14
	MOVQ nb+72(FP), CX

hloop:
	MOVLQSX (R12), AX
	MOVLQSX 4(R12), DX
	VMOVDQU (R13), Y1
	VMOVDQU (R14), Y2
	VMOVDQU (SI)(AX*2), X3
	VINSERTI128 $1, (SI)(DX*2), Y3, Y3
	VMOVDQU (R10)(AX*2), X4
	VINSERTI128 $1, (R10)(DX*2), Y4, Y4
	VMOVDQU (R11)(AX*2), X5
	VINSERTI128 $1, (R11)(DX*2), Y5, Y5
	VPSHUFB Y1, Y3, Y3
	VPSHUFB Y1, Y4, Y4
	VPSHUFB Y1, Y5, Y5
	VPMADDWD Y2, Y3, Y3
	VPMADDWD Y2, Y4, Y4
	VPMADDWD Y2, Y5, Y5
	VMOVDQU Y3, (DI)
	VMOVDQU Y4, (R8)
	VMOVDQU Y5, (R9)
	MOVLQSX 8(R12), AX
	MOVLQSX 12(R12), DX
	VMOVDQU 32(R13), Y1
	VMOVDQU 32(R14), Y2
	VMOVDQU (SI)(AX*2), X3
	VINSERTI128 $1, (SI)(DX*2), Y3, Y3
	VMOVDQU (R10)(AX*2), X4
	VINSERTI128 $1, (R10)(DX*2), Y4, Y4
	VMOVDQU (R11)(AX*2), X5
	VINSERTI128 $1, (R11)(DX*2), Y5, Y5
	VPSHUFB Y1, Y3, Y3
	VPSHUFB Y1, Y4, Y4
	VPSHUFB Y1, Y5, Y5
	VPMADDWD Y2, Y3, Y3
	VPMADDWD Y2, Y4, Y4
	VPMADDWD Y2, Y5, Y5
	VMOVDQU Y3, 32(DI)
	VMOVDQU Y4, 32(R8)
	VMOVDQU Y5, 32(R9)
	ADDQ $16, R12
	ADDQ $64, R13
	ADDQ $64, R14
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  hloop
	VZEROUPPER
	RET

// VBLEND computes the float64 blends of 8 columns into Y4 (columns 0..3)
// and Y5 (4..7): h0·a0 + c + h1·a1 with two FMAs, as vert16 does.
#define VBLEND \
	VCVTDQ2PD (SI), Y0; \
	VCVTDQ2PD 16(SI), Y1; \
	VCVTDQ2PD (DX), Y2; \
	VCVTDQ2PD 16(DX), Y3; \
	VMOVAPD Y12, Y4; \
	VMOVAPD Y12, Y5; \
	VFMADD231PD Y10, Y0, Y4; \
	VFMADD231PD Y10, Y1, Y5; \
	VFMADD231PD Y11, Y2, Y4; \
	VFMADD231PD Y11, Y3, Y5

// func vert8(dst *float32, h0, h1 *int32, lut *float32, a0, a1, c float64, n int)
//
// vert16 for n a positive multiple of 8, 8 values at a time.
TEXT ·vert8(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DI
	MOVQ h0+8(FP), SI
	MOVQ h1+16(FP), DX
	MOVQ lut+24(FP), R8
	VBROADCASTSD a0+32(FP), Y10
	VBROADCASTSD a1+40(FP), Y11
	VBROADCASTSD c+48(FP), Y12
	MOVQ n+56(FP), CX
	VPXOR Y13, Y13, Y13
	MOVL $255, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14

v8loop:
	VBLEND
	VCVTTPD2DQY Y4, X4
	VCVTTPD2DQY Y5, X5
	VINSERTI128 $1, X5, Y4, Y4
	VPMAXSD Y13, Y4, Y4
	VPMINSD Y14, Y4, Y4
	VPCMPEQD Y7, Y7, Y7
	VGATHERDPS Y7, (R8)(Y4*4), Y6
	VMOVUPS Y6, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JG   v8loop
	VZEROUPPER
	RET

// func vertAffine8(dst *float32, h0, h1 *int32, a0, a1, c, sa, sb float64, n int)
//
// vertAffine16 for n a positive multiple of 8, 8 values at a time:
// floor, one FMA in float64, one rounding to float32.
TEXT ·vertAffine8(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI
	MOVQ h0+8(FP), SI
	MOVQ h1+16(FP), DX
	VBROADCASTSD a0+24(FP), Y10
	VBROADCASTSD a1+32(FP), Y11
	VBROADCASTSD c+40(FP), Y12
	VBROADCASTSD sa+48(FP), Y13
	VBROADCASTSD sb+56(FP), Y14
	MOVQ n+64(FP), CX

a8loop:
	VBLEND
	VROUNDPD $9, Y4, Y4 // floor, no precision exception
	VROUNDPD $9, Y5, Y5
	VMOVAPD Y14, Y6
	VMOVAPD Y14, Y7
	VFMADD231PD Y13, Y4, Y6
	VFMADD231PD Y13, Y5, Y7
	VCVTPD2PSY Y6, X6
	VCVTPD2PSY Y7, X7
	VINSERTF128 $1, X7, Y6, Y6
	VMOVUPS Y6, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JG   a8loop
	VZEROUPPER
	RET

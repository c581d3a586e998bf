#include "textflag.h"

// func ycc16(pr, pg, pb *uint16, y, cb, cr *byte, ybase, cbase *int32, yidx, cidx *byte, nb int)
//
// Block i converts 16 pixels with the arithmetic of color.YCbCrToRGB. A
// byte permute of the 64-byte luma window at y+ybase[i] by yidx[64i:],
// zeroing byte 3 of each lane, gives y·0x10101 = (y, y, y, 0) directly;
// permutes of the chroma windows at cb+cbase[i] and cr+cbase[i] by
// cidx[64i:], keeping byte 0, give cb and cr. (x>>16 clamped to 0..255 is
// its clamping.) The results go to pr, pg, pb[16i:16i+16].
TEXT ·ycc16(SB), NOSPLIT, $0-88
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
	MOVQ $0x7777777777777777, AX
	KMOVQ AX, K3
	MOVQ $0x1111111111111111, AX
	KMOVQ AX, K4
	MOVL $128, AX
	VPBROADCASTD AX, Z21
	MOVL $91881, AX
	VPBROADCASTD AX, Z22
	MOVL $22554, AX
	VPBROADCASTD AX, Z23
	MOVL $46802, AX
	VPBROADCASTD AX, Z24
	MOVL $116130, AX
	VPBROADCASTD AX, Z25
	VPXORD Y26, Y26, Y26
	MOVL $255, AX
	VPBROADCASTW AX, Y27

yccloop:
	MOVLQSX (R12), AX
	MOVLQSX (R13), DX
	VMOVDQU64 (R14), Z0
	VMOVDQU64 (BX), Z1
	VPERMB.Z (SI)(AX*1), Z0, K3, Z2  // yy1 = y·0x10101
	VPERMB.Z (R10)(DX*1), Z1, K4, Z3 // cb
	VPERMB.Z (R11)(DX*1), Z1, K4, Z4 // cr
	VPSUBD Z21, Z3, Z3               // cb1
	VPSUBD Z21, Z4, Z4               // cr1

	VPMULLD Z22, Z4, Z5 // r = yy1 + 91881·cr1
	VPADDD Z2, Z5, Z5
	VPMULLD Z23, Z3, Z6 // g = yy1 - 22554·cb1 - 46802·cr1
	VPMULLD Z24, Z4, Z7
	VPSUBD Z6, Z2, Z6
	VPSUBD Z7, Z6, Z6
	VPMULLD Z25, Z3, Z7 // b = yy1 + 116130·cb1
	VPADDD Z2, Z7, Z7

	VPSRAD $16, Z5, Z5
	VPSRAD $16, Z6, Z6
	VPSRAD $16, Z7, Z7
	VPMOVSDW Z5, Y5 // −227..481 fits a word
	VPMOVSDW Z6, Y6
	VPMOVSDW Z7, Y7
	VPMAXSW Y26, Y5, Y5
	VPMAXSW Y26, Y6, Y6
	VPMAXSW Y26, Y7, Y7
	VPMINSW Y27, Y5, Y5
	VPMINSW Y27, Y6, Y6
	VPMINSW Y27, Y7, Y7
	VMOVDQU Y5, (DI)
	VMOVDQU Y6, (R8)
	VMOVDQU Y7, (R9)

	ADDQ $4, R12
	ADDQ $4, R13
	ADDQ $64, R14
	ADDQ $64, BX
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  yccloop
	VZEROUPPER
	RET

// func hpass16(h0, h1, h2 *int32, p0, p1, p2 *uint16, base *int32, idx *uint16, w *int16, nb int)
//
// Block i resamples 16 destination columns of each plane: the 32 words
// at pc+2·base[i] are permuted by idx[32i:32i+32] into (x0, x1) pairs and
// multiplied-and-added with the weight pairs w[32i:32i+32] into hc[16i:].
TEXT ·hpass16(SB), NOSPLIT, $0-80
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
	VMOVDQU64 (R13), Z0
	VMOVDQU64 (R14), Z1
	VPERMW (SI)(AX*2), Z0, Z2
	VPERMW (R10)(AX*2), Z0, Z3
	VPERMW (R11)(AX*2), Z0, Z4
	VPMADDWD Z1, Z2, Z2
	VPMADDWD Z1, Z3, Z3
	VPMADDWD Z1, Z4, Z4
	VMOVDQU64 Z2, (DI)
	VMOVDQU64 Z3, (R8)
	VMOVDQU64 Z4, (R9)
	ADDQ $4, R12
	ADDQ $64, R13
	ADDQ $64, R14
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ  hloop
	VZEROUPPER
	RET

// func vert16(dst *float32, h0, h1 *int32, lut *float32, a0, a1, c float64, n int)
//
// dst[x] = lut[trunc(h0[x]·a0 + c + h1[x]·a1)] for x < n, 16 at a time;
// h0 and h1 hold n rounded up to a multiple of 16 values. The index is
// clamped to 0..255.
TEXT ·vert16(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DI
	MOVQ h0+8(FP), SI
	MOVQ h1+16(FP), DX
	MOVQ lut+24(FP), R8
	VBROADCASTSD a0+32(FP), Z20
	VBROADCASTSD a1+40(FP), Z21
	VBROADCASTSD c+48(FP), Z22
	MOVQ n+56(FP), CX
	VPXORD Z23, Z23, Z23
	MOVL $255, AX
	VPBROADCASTD AX, Z24
	MOVL $0xffff, AX
	KMOVW AX, K2

vloop:
	CMPQ CX, $16
	JGE  vfull
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2

vfull:
	VCVTDQ2PD (SI), Z0
	VCVTDQ2PD 32(SI), Z1
	VCVTDQ2PD (DX), Z2
	VCVTDQ2PD 32(DX), Z3
	VMOVAPD Z22, Z4
	VMOVAPD Z22, Z5
	VFMADD231PD Z20, Z0, Z4
	VFMADD231PD Z20, Z1, Z5
	VFMADD231PD Z21, Z2, Z4
	VFMADD231PD Z21, Z3, Z5
	VCVTTPD2DQ Z4, Y4
	VCVTTPD2DQ Z5, Y5
	VINSERTI64X4 $1, Y5, Z4, Z4
	VPMAXSD Z23, Z4, Z4
	VPMINSD Z24, Z4, Z4
	KXNORW K1, K1, K1
	VGATHERDPS (R8)(Z4*4), K1, Z6
	VMOVUPS Z6, K2, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JG   vloop
	VZEROUPPER
	RET

// func vertAffine16(dst *float32, h0, h1 *int32, a0, a1, c, sa, sb float64, n int)
//
// vert16 with the table replaced by float32(q·sa + sb) computed with one
// rounding to float64 (an FMA), where q = floor(h0[x]·a0 + c + h1[x]·a1).
TEXT ·vertAffine16(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI
	MOVQ h0+8(FP), SI
	MOVQ h1+16(FP), DX
	VBROADCASTSD a0+24(FP), Z20
	VBROADCASTSD a1+32(FP), Z21
	VBROADCASTSD c+40(FP), Z22
	VBROADCASTSD sa+48(FP), Z23
	VBROADCASTSD sb+56(FP), Z24
	MOVQ n+64(FP), CX
	MOVL $0xffff, AX
	KMOVW AX, K2

aloop:
	CMPQ CX, $16
	JGE  afull
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2

afull:
	VCVTDQ2PD (SI), Z0
	VCVTDQ2PD 32(SI), Z1
	VCVTDQ2PD (DX), Z2
	VCVTDQ2PD 32(DX), Z3
	VMOVAPD Z22, Z4
	VMOVAPD Z22, Z5
	VFMADD231PD Z20, Z0, Z4
	VFMADD231PD Z20, Z1, Z5
	VFMADD231PD Z21, Z2, Z4
	VFMADD231PD Z21, Z3, Z5
	VRNDSCALEPD $9, Z4, Z4 // floor, no precision exception
	VRNDSCALEPD $9, Z5, Z5
	VMOVAPD Z24, Z6
	VMOVAPD Z24, Z7
	VFMADD231PD Z23, Z4, Z6
	VFMADD231PD Z23, Z5, Z7
	VCVTPD2PS Z6, Y6
	VCVTPD2PS Z7, Y7
	VINSERTF64X4 $1, Y7, Z6, Z6
	VMOVUPS Z6, K2, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JG   aloop
	VZEROUPPER
	RET

#include "textflag.h"

// func skipBelowAVX2(v []float32, thr float32) int
//
// Returns the start of the first 32-value block of v that holds a value at
// least thr (an ordered comparison: NaN never is), or the start of the
// tail after the last whole block; the caller scans from there.
TEXT ·skipBelowAVX2(SB), NOSPLIT, $0-40
	MOVQ v_base+0(FP), SI
	MOVQ v_len+8(FP), CX
	VBROADCASTSS thr+24(FP), Y0
	XORQ AX, AX
loop:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JHI  done
	VCMPPS $0x12, (SI)(AX*4), Y0, Y1   // thr <= v[i], ordered
	VCMPPS $0x12, 32(SI)(AX*4), Y0, Y2
	VCMPPS $0x12, 64(SI)(AX*4), Y0, Y3
	VCMPPS $0x12, 96(SI)(AX*4), Y0, Y4
	VORPS  Y1, Y2, Y2
	VORPS  Y3, Y4, Y4
	VORPS  Y2, Y4, Y4
	VPTEST Y4, Y4
	JNZ    done
	MOVQ   DX, AX
	JMP    loop
done:
	VZEROUPPER
	MOVQ AX, ret+32(FP)
	RET

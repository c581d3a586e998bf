package detect

import (
	"fmt"
	"math"
)

// yoloxDecoder decodes YOLOX's undecoded head: one output [B, N, 5+C] with
// rows [tx, ty, tw, th, obj, p_0 … p_C-1] (sigmoids applied in the graph),
// N grid cells over the strides, row-major within a level. Score is
// obj × max p, class the argmax; boxes are ((t_xy + g)·s, exp(t_wh)·s).
type yoloxDecoder struct{ base }

func (d *yoloxDecoder) Check(outputs []TensorInfo) error { return yoloxCheck(&d.base, outputs) }

func yoloxCheck[T shaped](b *base, outs []T) error {
	t, err := single(b.kind, outs)
	if err != nil {
		return err
	}
	name, s := (*t).info()
	n := b.cells(false)
	if !checkRank3(s, n, 5+b.nc) {
		return &ShapeError{Decoder: b.kind, Tensor: name, Got: s, Want: fmt.Sprintf(
			"[1,N,%d] with N = %d for input %dx%d and strides %v", 5+b.nc, n, b.w, b.h, b.strides)}
	}
	return nil
}

func (d *yoloxDecoder) Decode(outputs []Tensor, item int, g Geometry, dst []Detection) ([]Detection, error) {
	if err := yoloxCheck(&d.base, outputs); err != nil {
		return dst, err
	}
	if err := d.geometryOK(&g); err != nil {
		return dst, err
	}
	row := 5 + d.nc
	data := itemData(&outputs[0], item, d.cells(false)*row)
	if data == nil {
		return dst, shortData(d.kind, &outputs[0], item, d.cells(false)*row)
	}
	for _, s := range d.strides {
		gw, gh := d.w/s, d.h/s
		dst = d.level(dst, data[:gw*gh*row], gw, float64(s), &g)
		data = data[gw*gh*row:]
	}
	return dst, nil
}

func (d *yoloxDecoder) level(dst []Detection, data []float32, gw int, s float64, g *Geometry) []Detection {
	row, thr := 5+d.nc, d.thr
	for i := 0; (i+1)*row <= len(data); i++ {
		r := data[i*row : (i+1)*row]
		if !(r[4] >= thr) { // score = obj × p ≤ obj
			continue
		}
		c, p := argmax(r[5:])
		score := r[4] * p
		if !(score >= thr) {
			continue
		}
		cx := (float64(r[0]) + float64(i%gw)) * s
		cy := (float64(r[1]) + float64(i/gw)) * s
		w, h := math.Exp(float64(r[2]))*s, math.Exp(float64(r[3]))*s
		dst = d.emit(dst, c, score, cx-w/2, cy-h/2, cx+w/2, cy+h/2, g)
	}
	return dst
}

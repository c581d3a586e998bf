package detect

import "fmt"

// yolov5Decoder decodes a YOLOv5 export: one output [B, N, 5+C] with rows
// [cx, cy, w, h, obj, p_0 … p_C-1], boxes already in model-input pixels,
// N = anchors × grid cells. Score is obj × max p.
type yolov5Decoder struct{ base }

func (d *yolov5Decoder) Check(outputs []TensorInfo) error { return yolov5Check(&d.base, outputs) }

func yolov5Check[T shaped](b *base, outs []T) error {
	t, err := single(b.kind, outs)
	if err != nil {
		return err
	}
	name, s := (*t).info()
	n := b.anchors * b.cells(false)
	if !checkRank3(s, n, 5+b.nc) {
		return &ShapeError{Decoder: b.kind, Tensor: name, Got: s, Want: fmt.Sprintf(
			"[1,N,%d] with N = %d for input %dx%d, strides %v and %d anchors", 5+b.nc, n, b.w, b.h, b.strides, b.anchors)}
	}
	return nil
}

func (d *yolov5Decoder) Decode(outputs []Tensor, item int, g Geometry, dst []Detection) ([]Detection, error) {
	if err := yolov5Check(&d.base, outputs); err != nil {
		return dst, err
	}
	if err := d.geometryOK(&g); err != nil {
		return dst, err
	}
	row, n := 5+d.nc, d.anchors*d.cells(false)
	data := itemData(&outputs[0], item, n*row)
	if data == nil {
		return dst, shortData(d.kind, &outputs[0], item, n*row)
	}
	for i := range n {
		r := data[i*row : (i+1)*row]
		if !(r[4] >= d.thr) {
			continue
		}
		c, p := argmax(r[5:])
		if score := r[4] * p; score >= d.thr {
			dst = d.emitXYWH(dst, c, score, r[0], r[1], r[2], r[3], &g)
		}
	}
	return dst, nil
}

func (b *base) emitXYWH(dst []Detection, c int, score, cx, cy, w, h float32, g *Geometry) []Detection {
	x, y, hw, hh := float64(cx), float64(cy), float64(w)/2, float64(h)/2
	return b.emit(dst, c, score, x-hw, y-hh, x+hw, y+hh, g)
}

// yolov8Decoder decodes a YOLOv8 (and v11) export: one output [B, 4+C, N],
// transposed, rows cx, cy, w, h in model-input pixels, then one row of class
// scores per class; no objectness. Score is the max class score.
type yolov8Decoder struct{ base }

func (d *yolov8Decoder) Check(outputs []TensorInfo) error { return yolov8Check(&d.base, outputs) }

func yolov8Check[T shaped](b *base, outs []T) error {
	t, err := single(b.kind, outs)
	if err != nil {
		return err
	}
	name, s := (*t).info()
	n := b.cells(false)
	if !checkRank3(s, 4+b.nc, n) {
		return &ShapeError{Decoder: b.kind, Tensor: name, Got: s, Want: fmt.Sprintf(
			"[1,%d,N] with N = %d for input %dx%d and strides %v", 4+b.nc, n, b.w, b.h, b.strides)}
	}
	return nil
}

func (d *yolov8Decoder) Decode(outputs []Tensor, item int, g Geometry, dst []Detection) ([]Detection, error) {
	if err := yolov8Check(&d.base, outputs); err != nil {
		return dst, err
	}
	if err := d.geometryOK(&g); err != nil {
		return dst, err
	}
	n := d.cells(false)
	data := itemData(&outputs[0], item, n*(4+d.nc))
	if data == nil {
		return dst, shortData(d.kind, &outputs[0], item, n*(4+d.nc))
	}
	for i := range n {
		best, bv := 0, data[4*n+i]
		for c := 1; c < d.nc; c++ {
			if v := data[(4+c)*n+i]; v > bv {
				best, bv = c, v
			}
		}
		if bv >= d.thr {
			dst = d.emitXYWH(dst, best, bv, data[i], data[n+i], data[2*n+i], data[3*n+i], &g)
		}
	}
	return dst, nil
}

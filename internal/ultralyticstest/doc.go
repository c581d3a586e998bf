// Package ultralyticstest gives tests Ultralytics-style detectors built from
// the bundled YOLOX-Nano, and an independent reference of Ultralytics'
// pre- and post-processing to check them against.
//
// [Wrap] appends a few standard ONNX operators to YOLOX-Nano's raw head so
// that the graph takes what Ultralytics feeds its exports (RGB, 0–1) and
// emits one of their output layouts: YOLOv8/11's [1,84,N] (cx,cy,w,h in
// input pixels, then 80 class scores), YOLOv5's [1,N,85] (cx,cy,w,h,obj, 80
// class probabilities) or the end-to-end [1,300,6] of YOLOv10/YOLO26 and
// end2end exports (x1,y1,x2,y2,score,class, top 300 by score, no NMS). The
// file gets Ultralytics' metadata_props (names, imgsz, stride, task, batch,
// end2end). Wrapped files are built at test time, never committed.
//
// The reference ([Letterbox], [Decode]) is written from Ultralytics' code
// (ultralytics/data/augment.py LetterBox, utils/ops.py non_max_suppression
// and scale_boxes), not from this module's decoders: round(w·r) letterbox,
// centred with the half-pixel split, cv2.resize INTER_LINEAR, pad 114, RGB,
// /255; per-class NMS; boxes mapped back with the gain and the rounded pad.
package ultralyticstest

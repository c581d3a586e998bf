// Package detect is the model-independent half of an object detector: the
// [Detector] interface and its [Detection] results, ETA's detection JSON,
// non-maximum suppression, and a [Pipeline] that turns an image into a model
// input tensor and the model's raw output tensors into detections, driven
// entirely by a JSON [Config]. A runtime binding (detect/ortdetect) supplies
// the part in between: running the model.
//
// # Configuration
//
// Everything that differs between models is data: input size, letterbox or
// stretch, pad value, placement and size rounding (floor, or Ultralytics'
// round), channel order, scale/mean/std, layout
// (see [preprocess.Options]), the decoder kind and its strides, the labels
// file, score threshold, NMS IoU, class-agnostic or per-class NMS and the
// detection limits. [ParseConfig] reads it strictly; each field documents
// its default.
//
// # Decoders
//
// [NewDecoder] selects a decoder by [Config.Decoder] from a fixed table
// ([Decoders] lists it): "yolox", "picodet" (also GFL/NanoDet-style heads
// with DFL box distributions), "yolov8" (also YOLO11), "yolov5", "end2end"
// (rows x1,y1,x2,y2,score,class of NMS-free YOLOv10/YOLO26 exports and of
// graphs with NMS inside), "detr" (DETR, RT-DETR,
// D-FINE set predictions: sigmoid or softmax scores and a top-k instead of
// NMS, raw or with RT-DETR's post-processor) and "ssd" (TF Object Detection
// API outputs matched by name, scores strictly above the threshold as in
// ETA's TFModelsDetector, labels from a labels file or a .pbtxt label map,
// see [ReadLabelMap]). Adding a decoder means
// adding one entry to that table; decoders are not registered from outside,
// so a configuration always means the same code. A decoder checks the
// model's output shapes against its expectations ([Decoder.Check]) and
// appends candidates at or above the score threshold, with boxes mapped back
// to the original image and clipped ([Decoder.Decode]). NMS follows,
// except for end2end, detr and ssd, whose candidates are final. When the
// outputs do not fit, [Pipeline.Check]'s error names the decoders they do
// fit, or what each one expects ([Fits]).
//
// # Extra inputs
//
// A model may take inputs besides the image, a pair of numbers per image
// that [Config.ExtraInputs] declares by name and value (the model input's
// or the original image's size, the scale; see [ExtraInput]):
// PaddleDetection's im_shape and scale_factor, RT-DETR's
// orig_target_sizes. The runtime fills them from each image's geometry.
//
// # Decoding files
//
// DecodeImage decodes a JPEG or PNG file for a detector. It reads the header first
// and refuses an image over DecodeOptions.MaxPixels (50 MP by default) or with
// a side over preprocess.MaxSide before allocating its pixels, so that a small
// hostile file cannot claim gigabytes; it can apply the EXIF orientation.
// Baseline JPEGs are decoded by this module's own decoder, about 2.4× faster
// than image/jpeg and within ±1 of its samples (image/jpeg decodes the rest).
// With DecodeOptions.Fit set to the detector, a JPEG much larger than the
// model's input is decoded at 1/2, 1/4 or 1/8 scale (another 3× faster for a
// 2048×1536 photo) and returned as a *preprocess.Reduced, which detectors place
// as the full-size image, so boxes stay in the original's pixels. The reduced
// image averages pixels where bilinear resampling of the full image picks
// them, so scores can move (by up to about 0.15 on the bundled test photos):
// use it where speed matters more than matching a full-size pipeline.
//
// [DetectFiles] and [DetectFilesWith] run a detector over files and yield
// the results in order. Several goroutines read and decode while the
// detector runs, up to as many Detect calls at once as the detector has
// sessions ([Concurrent]), so a detector with one session per core keeps
// every core busy; decoding starts before the first Detect, so a detector
// that is still loading loads while the first files decode.
//
// # Errors
//
// Sentinels ([ErrEmptyImage], [ErrImageTooLarge], [ErrDecode],
// [ErrInvalidConfig], [ErrShape]) are matched with [errors.Is]; the
// structured errors [*ConfigError] (an unknown decoder kind is one, on field
// "decoder"), [*ShapeError] and [*DecodeError] say what is wrong.
//
// # Concurrency
//
// A [Pipeline] and the decoders are safe for concurrent use. Steady-state
// Preprocess and AppendDetections calls do not allocate.
package detect

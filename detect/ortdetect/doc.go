// Package ortdetect runs object detectors with ONNX Runtime (through
// [github.com/modelreg/modelreg/loader/ort], no cgo): it pre-processes
// images, runs the model, decodes its outputs and applies NMS, as the
// model's [detect.Config] says.
//
// Importing the package registers the deployment type "onnxruntime/detector"
// with package deploy, so that (with the bundled catalog imported too,
// _ "github.com/modelreg/modelreg/catalog")
//
//	m, err := deploy.LoadDefaultDeploymentModel(ctx, "yolox-nano-coco")
//
// builds a [*Detector] from a manifest's default deployment config: the
// [Config] JSON, which is a [detect.Config] plus the "model" file name.
// Registering is all init does; the ONNX Runtime library is loaded when the
// first model is.
//
// # Model inputs and outputs
//
// Besides the image, a model may take the extra inputs its config declares
// (detect.Config.ExtraInputs: PaddleDetection's im_shape and scale_factor,
// RT-DETR's orig_target_sizes), float32 or int64 [1,2] tensors that each
// Detect call fills from the image's geometry; a model with extra inputs
// runs DetectAll one image at a time. The image input is float32, or uint8
// (the raw pixels of a TF Object Detection API graph's image_tensor, for a
// config that leaves them as they are: scale 1, mean 0, std 1; such models
// also run DetectAll one image at a time). Outputs are float32, or int64 or
// int32 (RT-DETR's labels), which are converted to float32 for the
// decoders. When the deployment config leaves out the input's width and
// height, they are read from the model's graph; a model whose image input
// has a dynamic size ([1,3,?,?]) then fails to load with a
// [*detect.ConfigError] that asks for them, and with them runs at that
// size.
//
// # Concurrency
//
// A Detector is safe for concurrent use. It holds one or more ONNX Runtime
// sessions ([Options.Sessions]), each with its own pre-allocated input and
// output buffers; a Detect call borrows a session for the duration of the
// run, so as many calls run in parallel as there are sessions, and others
// wait (honouring their context). On a machine with N cores, N sessions of
// one intra-op thread each give the best throughput:
//
//	m, err := deploy.LoadDetector(ctx, reg, "yolox-nano-coco", &deploy.Options{Sessions: runtime.NumCPU()})
//	// then call m.Detect from that many goroutines
//
// One session with N threads (deploy.Options.Threads, which also splits the
// pre-processing of each image between N goroutines) gives the lowest
// latency for a single stream of images on an otherwise idle machine; on
// small or busy machines, 2 intra-op threads are not reliably faster than 1.
// bench/README.md has the measurements.
//
// # Start-up
//
// Weights that a model file also lists as graph inputs (older exporters do
// this) are loaded as constants, so that ONNX Runtime folds and fuses them:
// the bundled PicoDet runs about 28 % faster so. With [Options.CacheDir]
// (deploy sets it to deploy.Options.CacheDir, under the user's cache by
// default) the first load saves ONNX Runtime's optimised graph, keyed by
// the model's sha256, the library version, the optimisation level and the
// CPU's features; later loads skip graph optimisation, which is about half
// of session creation for the bundled models. A cached graph that does not
// load is rebuilt. Detectors that ask for other execution providers do not
// use the cache. The cache trims itself: each save removes graphs unused
// for 30 days (older library versions, deleted models).
//
// # Batches
//
// [Detector.DetectAll] returns the same results as calling Detect on each
// image. When the model's input and outputs have a dynamic batch dimension
// ([Detector.Batched]), it pre-processes up to [Options.MaxBatch] images
// (default [DefaultMaxBatch]) into one input tensor, runs them at once with
// outputs that ONNX Runtime allocates, and decodes each batch item; each
// batch borrows a session as a Detect call does, so batched calls share the
// sessions with Detect calls and honour their context and Close. A session
// keeps the input buffer of the largest batch it has run. Models with a
// fixed batch size, such as the bundled ones, run the images one after
// another on one session instead.
//
// # Errors
//
// Detect returns errors wrapping [detect.ErrEmptyImage] (nil or 0×0 image),
// [detect.ErrImageTooLarge], [ErrClosed] after Close, the context's error
// when it is cancelled (a run in progress is terminated), and [*ort.Error]
// for failures inside ONNX Runtime. [New] reports a model whose inputs or
// outputs do not fit the config with a [*detect.ShapeError].
package ortdetect

// Package deploy turns a manifest's default deployment config into a
// runnable model in one call:
//
//	import (
//		_ "github.com/modelreg/modelreg/catalog"          // the bundled models
//		_ "github.com/modelreg/modelreg/detect/ortdetect" // registers "onnxruntime/detector"
//	)
//
//	m, err := deploy.LoadDefaultDeploymentModel(ctx, "yolox-nano-coco")
//	if err != nil { ... }
//	defer m.Close()
//	dets, err := m.Detect(ctx, img)
//
// The call resolves the name in the default registry (the directories of
// MODELS_DIRS, then the catalogs linked into the program: the one bundled
// with this module when the program imports
// github.com/modelreg/modelreg/catalog), downloads and
// verifies the model if needed, checks the manifest's requirements, and
// builds the model with the factory registered for the deployment "type".
//
// # Deployment types
//
// Deployment types form a table like database/sql's drivers: a package that
// implements one calls [Register] from init, and programs blank-import it:
//
//	import _ "github.com/modelreg/modelreg/detect/ortdetect" // registers "onnxruntime/detector"
//
// [Types] lists what is registered. A deployment type nobody registered
// fails with [ErrUnknownType] and a "forgotten import?" hint. ETA's own types
// (eta.detectors.TFModelsDetector and other Python classes) are recognised and
// refused with [ErrUnsupportedType].
//
// # Configuration
//
// [Options.Config] overrides keys of the manifest's config, as ETA's
// HasPublishedModel does, except that nested objects merge key by key and a
// null removes a key. Options also choose the ONNX Runtime library, threads,
// sessions, execution providers and score threshold. By default a model
// gets one single-threaded session per CPU the process may use
// ([DefaultSessions]), so that a service on N cores runs N calls at once;
// explicit Threads and Sessions win. [Options.CacheDir]
// (os.UserCacheDir()/modelreg/derived by default; [Options.NoCache] turns
// it off) is where deployment types keep what makes the next load faster:
// ONNX Runtime detectors keep the optimised graph there.
//
// # Serving
//
// [Options.MeterProvider] turns on OpenTelemetry metrics: the model's
// download (modelreg.download.bytes, .retries, .failures) and what its
// deployment type records (ONNX Runtime detectors: the time of each stage
// of a detection and the sessions busy). The subpackage reload follows a
// name and swaps in new versions as they are published, without a
// restart; examples/detect-server serves models over HTTP with both.
//
// # Requirements
//
// The manifest's "requirements" are checked before loading: ETA's
// "cpu"/"gpu" "support" flags against the execution providers asked for, and
// this library's "runtimes" map of minimum versions ({"onnxruntime":
// ">=1.17"}) against the library actually loaded. [Options.Requirements]
// chooses ETA's error levels: fail (the default), warn, ignore.
//
// # Errors
//
// Test with [errors.Is]: [registry.ErrNotFound] for an unknown model,
// [registry.ErrCorrupt] for a model whose files do not match the manifest,
// [ErrUnknownType] and [ErrUnsupportedType] for deployment types,
// [ErrNoDeployment], [ErrNotDetector], [ErrRequirements].
package deploy

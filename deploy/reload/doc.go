// Package reload serves a model under a name that may move to new
// versions while the program runs, as Triton's POLL model control mode
// does:
//
//	d, err := reload.New(ctx, reg, "yolox-nano-coco", &reload.Options{Interval: time.Minute})
//	if err != nil { ... }
//	defer d.Close()
//	dets, version, err := d.DetectVersion(ctx, img)
//
// A [Detector] follows a name the registry resolves: "name" (its latest
// version), "name@version", or any other name [registry.Registry.Get]
// accepts, movable aliases included. Every Interval it resolves the name
// again; the registry re-reads a manifest whenever the file changes, so
// the manifest is the trigger, whichever manager holds the bytes. When the
// resolved entry differs from the one serving (another version, or the
// same version with other files or digests), the Detector downloads and
// verifies the new version in the background, loads it, warms it up (one
// detection per session on a blank image, so that the first requests do
// not pay ONNX Runtime's first-run cost), and swaps it in atomically. Calls
// already running finish on the old version, which is closed when the last
// of them returns; calls that start after the swap run on the new one.
//
// On any failure (a download that fails or does not match its sha256, a
// model that does not load, a warm-up that fails) the old version keeps
// serving and an [Event] of kind [EventFailed] says why. A failure that
// retrying cannot fix (a corrupt file, a permanent manager error, a model
// that does not load) is not retried until the manifest changes again;
// others are retried at the next check.
//
// Events go to [Options.OnEvent] and to [Options.Logger]. When the load
// options carry a MeterProvider, reloads are counted in
// modelreg.reload.count (result success or failure) and the version
// serving is the gauge modelreg.model.served.
package reload

package detect

// FilesWorkers exposes FilesOptions.workers to the tests.
func FilesWorkers(o *FilesOptions, d Detector) (parallel, workers int) { return o.workers(d) }

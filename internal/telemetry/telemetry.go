package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Scope is the instrumentation scope of every instrument of the module.
const Scope = "github.com/modelreg/modelreg"

// Instrument names.
const (
	DetectDuration    = "modelreg.detect.duration"
	SessionsBusy      = "modelreg.detect.sessions.busy"
	DownloadBytes     = "modelreg.download.bytes"
	DownloadRetries   = "modelreg.download.retries"
	DownloadFailures  = "modelreg.download.failures"
	ReloadCount       = "modelreg.reload.count"
	ModelServed       = "modelreg.model.served"
	AttrModel         = "model"
	AttrStage         = "stage"
	AttrResult        = "result"
	AttrVersion       = "version"
	StageDecode       = "decode"
	StagePre          = "pre"
	StageRun          = "run"
	StagePost         = "post"
	ResultSuccess     = "success"
	ResultFailure     = "failure"
	durationUnit      = "s"
	durationDesc      = "Time spent in each stage of a detection: decode (image bytes to pixels), pre (pixels to input tensor), run (the model), post (outputs to detections)."
	sessionsBusyDesc  = "Sessions running a detection now."
	downloadBytesDesc = "Bytes received while downloading models."
)

// latencyBuckets are the histogram's bucket bounds in seconds: 1 ms to
// 10 s, about three per decade.
var latencyBuckets = []float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10}

func meter(mp metric.MeterProvider) metric.Meter { return mp.Meter(Scope) }

// Detect records the stages and busy sessions of one model's detections.
// A nil *Detect records nothing.
type Detect struct {
	duration metric.Float64Histogram
	busy     metric.Int64UpDownCounter
	stages   map[string]metric.MeasurementOption
	model    metric.MeasurementOption
}

// NewDetect returns the recorder of model's detections, or nil when mp is
// nil. Instruments that cannot be made are left out (the OpenTelemetry
// SDK reports why through its error handler).
func NewDetect(mp metric.MeterProvider, model string) *Detect {
	if mp == nil {
		return nil
	}
	m := meter(mp)
	d := &Detect{stages: map[string]metric.MeasurementOption{},
		model: metric.WithAttributeSet(attribute.NewSet(attribute.String(AttrModel, model)))}
	d.duration, _ = m.Float64Histogram(DetectDuration, metric.WithUnit(durationUnit),
		metric.WithDescription(durationDesc), metric.WithExplicitBucketBoundaries(latencyBuckets...))
	d.busy, _ = m.Int64UpDownCounter(SessionsBusy, metric.WithDescription(sessionsBusyDesc))
	for _, s := range []string{StageDecode, StagePre, StageRun, StagePost} {
		d.stages[s] = metric.WithAttributeSet(attribute.NewSet(
			attribute.String(AttrModel, model), attribute.String(AttrStage, s)))
	}
	return d
}

// Stage records that stage took from start until now.
func (d *Detect) Stage(ctx context.Context, stage string, start time.Time) {
	if d == nil || d.duration == nil {
		return
	}
	d.Duration(ctx, stage, time.Since(start))
}

// Duration records that stage took took.
func (d *Detect) Duration(ctx context.Context, stage string, took time.Duration) {
	if d == nil || d.duration == nil {
		return
	}
	opt, ok := d.stages[stage]
	if !ok {
		return
	}
	d.duration.Record(ctx, took.Seconds(), opt)
}

// Now returns the time for a later Stage call; the zero time when d is nil,
// so that a program without metrics does not read the clock.
func (d *Detect) Now() time.Time {
	if d == nil {
		return time.Time{}
	}
	return time.Now()
}

// Busy adds delta to the busy sessions.
func (d *Detect) Busy(ctx context.Context, delta int64) {
	if d == nil || d.busy == nil {
		return
	}
	d.busy.Add(ctx, delta, d.model)
}

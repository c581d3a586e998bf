package telemetry

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Download counts one model's downloaded bytes, retries and failures from
// the registry's progress events. A nil *Download records nothing.
type Download struct {
	bytes, retries, failures metric.Int64Counter
	attrs                    metric.MeasurementOption

	mu    sync.Mutex
	files map[string]fileSeen // by file: what was already counted
}

type fileSeen struct{ done, retries int64 }

// NewDownload returns the counter of model's downloads, or nil when mp is
// nil.
func NewDownload(mp metric.MeterProvider, model string) *Download {
	if mp == nil {
		return nil
	}
	m := meter(mp)
	d := &Download{files: map[string]fileSeen{},
		attrs: metric.WithAttributeSet(attribute.NewSet(attribute.String(AttrModel, model)))}
	d.bytes, _ = m.Int64Counter(DownloadBytes, metric.WithUnit("By"), metric.WithDescription(downloadBytesDesc))
	d.retries, _ = m.Int64Counter(DownloadRetries, metric.WithDescription("Parts of model downloads retried or restarted."))
	d.failures, _ = m.Int64Counter(DownloadFailures, metric.WithDescription("Model downloads that failed."))
	return d
}

// Start notes that file starts from resumed bytes kept from an earlier
// attempt, which are not counted as received.
func (d *Download) Start(file string, resumed int64) {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.files[file] = fileSeen{done: resumed}
	d.mu.Unlock()
}

// Progress counts what arrived for file since the last call: done and
// retries are the totals so far, as registry events give them.
func (d *Download) Progress(ctx context.Context, file string, done, retries int64) {
	if d == nil {
		return
	}
	d.mu.Lock()
	seen := d.files[file]
	db, dr := done-seen.done, retries-seen.retries
	d.files[file] = fileSeen{done: max(done, seen.done), retries: max(retries, seen.retries)}
	d.mu.Unlock()
	if db > 0 && d.bytes != nil {
		d.bytes.Add(ctx, db, d.attrs)
	}
	if dr > 0 && d.retries != nil {
		d.retries.Add(ctx, dr, d.attrs)
	}
}

// Failed counts a failed download; a cancelled one is not a failure.
func (d *Download) Failed(ctx context.Context, err error) {
	if d == nil || d.failures == nil || err == nil || errors.Is(err, context.Canceled) {
		return
	}
	d.failures.Add(ctx, 1, d.attrs)
}

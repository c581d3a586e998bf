package telemetry

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Reload counts one followed name's reloads and reports the version it
// serves. A nil *Reload records nothing. Close it to stop reporting.
type Reload struct {
	count    metric.Int64Counter
	ok, fail metric.MeasurementOption
	reg      metric.Registration
	model    string

	mu      sync.Mutex
	version string
}

// NewReload returns the recorder of the reloads of the model followed
// under name, or nil when mp is nil.
func NewReload(mp metric.MeterProvider, name string) *Reload {
	if mp == nil {
		return nil
	}
	m := meter(mp)
	r := &Reload{model: name,
		ok:   metric.WithAttributeSet(attribute.NewSet(attribute.String(AttrModel, name), attribute.String(AttrResult, ResultSuccess))),
		fail: metric.WithAttributeSet(attribute.NewSet(attribute.String(AttrModel, name), attribute.String(AttrResult, ResultFailure)))}
	r.count, _ = m.Int64Counter(ReloadCount, metric.WithDescription("Reloads of a followed model, by result."))
	served, err := m.Int64ObservableGauge(ModelServed,
		metric.WithDescription("1 for the version of a followed model that serves now."))
	if err == nil {
		r.reg, _ = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
			r.mu.Lock()
			v := r.version
			r.mu.Unlock()
			if v != "" {
				o.ObserveInt64(served, 1, metric.WithAttributes(attribute.String(AttrModel, r.model), attribute.String(AttrVersion, v)))
			}
			return nil
		}, served)
	}
	return r
}

// Served sets the version served now.
func (r *Reload) Served(version string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.version = version
	r.mu.Unlock()
}

// Result counts one reload, successful or not.
func (r *Reload) Result(ctx context.Context, ok bool) {
	if r == nil || r.count == nil {
		return
	}
	if ok {
		r.count.Add(ctx, 1, r.ok)
	} else {
		r.count.Add(ctx, 1, r.fail)
	}
}

// Close stops reporting the version served.
func (r *Reload) Close() {
	if r == nil || r.reg == nil {
		return
	}
	r.reg.Unregister()
}

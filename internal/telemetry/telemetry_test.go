package telemetry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/modelreg/modelreg/internal/telemetry"
)

// collect returns the sums (counters, gauges) and histogram counts
// recorded on reader, by instrument name and then by attribute set.
func collect(t *testing.T, reader *sdkmetric.ManualReader) map[string]map[attribute.Distinct]float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[attribute.Distinct]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			vals := map[attribute.Distinct]float64{}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					vals[p.Attributes.Equivalent()] = float64(p.Value)
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					vals[p.Attributes.Equivalent()] = float64(p.Value)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					vals[p.Attributes.Equivalent()] = float64(p.Count)
				}
			}
			out[m.Name] = vals
		}
	}
	return out
}

func set(kv ...string) attribute.Distinct {
	var attrs []attribute.KeyValue
	for i := 0; i < len(kv); i += 2 {
		attrs = append(attrs, attribute.String(kv[i], kv[i+1]))
	}
	s := attribute.NewSet(attrs...)
	return s.Equivalent()
}

// TestNilProviderRecordsNothing checks that every recorder made from a nil
// provider is nil and that its methods are safe to call.
func TestNilProviderRecordsNothing(t *testing.T) {
	ctx := context.Background()
	d := telemetry.NewDetect(nil, "m")
	if d != nil || !d.Now().IsZero() {
		t.Fatalf("NewDetect(nil) = %v, Now %v; want nil and the zero time", d, d.Now())
	}
	d.Stage(ctx, telemetry.StageRun, time.Now())
	d.Busy(ctx, 1)
	dl := telemetry.NewDownload(nil, "m")
	if dl != nil {
		t.Fatal("NewDownload(nil) is not nil")
	}
	dl.Start("f", 0)
	dl.Progress(ctx, "f", 10, 1)
	dl.Failed(ctx, errors.New("x"))
	r := telemetry.NewReload(nil, "m")
	if r != nil {
		t.Fatal("NewReload(nil) is not nil")
	}
	r.Served("m@1")
	r.Result(ctx, true)
	r.Close()
}

// TestRecorders records through each recorder and checks what a reader
// collects, attributes included.
func TestRecorders(t *testing.T) {
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)

	d := telemetry.NewDetect(mp, "m@1")
	for _, s := range []string{telemetry.StageDecode, telemetry.StagePre, telemetry.StageRun, telemetry.StageRun, telemetry.StagePost, "unknown"} {
		d.Stage(ctx, s, d.Now())
	}
	d.Busy(ctx, 2)
	d.Busy(ctx, -1)

	dl := telemetry.NewDownload(mp, "m@1")
	dl.Start("a", 100) // resumed bytes are not received bytes
	dl.Progress(ctx, "a", 150, 0)
	dl.Progress(ctx, "a", 400, 2)
	dl.Progress(ctx, "a", 300, 1) // totals never go back
	dl.Start("b", 0)
	dl.Progress(ctx, "b", 50, 0)
	dl.Failed(ctx, errors.New("lost"))
	dl.Failed(ctx, context.Canceled)

	r := telemetry.NewReload(mp, "m")
	r.Served("m@2")
	r.Result(ctx, true)
	r.Result(ctx, false)
	r.Result(ctx, false)

	got := collect(t, reader)
	tests := []struct {
		metric string
		attrs  attribute.Distinct
		want   float64
	}{
		{telemetry.DetectDuration, set("model", "m@1", "stage", "decode"), 1},
		{telemetry.DetectDuration, set("model", "m@1", "stage", "pre"), 1},
		{telemetry.DetectDuration, set("model", "m@1", "stage", "run"), 2},
		{telemetry.DetectDuration, set("model", "m@1", "stage", "post"), 1},
		{telemetry.SessionsBusy, set("model", "m@1"), 1},
		{telemetry.DownloadBytes, set("model", "m@1"), 350},
		{telemetry.DownloadRetries, set("model", "m@1"), 2},
		{telemetry.DownloadFailures, set("model", "m@1"), 1},
		{telemetry.ReloadCount, set("model", "m", "result", "success"), 1},
		{telemetry.ReloadCount, set("model", "m", "result", "failure"), 2},
		{telemetry.ModelServed, set("model", "m", "version", "m@2"), 1},
	}
	for _, tt := range tests {
		v, ok := got[tt.metric][tt.attrs]
		if !ok || v != tt.want {
			t.Errorf("%s %v = %v (recorded: %v), want %v", tt.metric, tt.attrs, v, ok, tt.want)
		}
	}
	if n := len(got[telemetry.DetectDuration]); n != 4 {
		t.Errorf("%d duration series, want 4 (an unknown stage is dropped)", n)
	}
	r.Close()
	if got := collect(t, reader); len(got[telemetry.ModelServed]) != 0 {
		t.Errorf("served version still reported after Close: %v", got[telemetry.ModelServed])
	}
}

package ortdetect_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/modelreg/modelreg/deploy"
)

// TestMetrics loads a bundled model with a meter provider, as a service
// does, and checks what one Detect records: one time per stage (pre, run,
// post) under the resolved model name, no session left busy, and the
// model's bytes as downloaded bytes.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)
	d := load(t, "yolox-nano-coco", &deploy.Options{MeterProvider: mp, Sessions: 2})
	if _, err := d.Detect(ctx, readImage(t, "dog.jpg")); err != nil {
		t.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	stages := map[string]uint64{}
	var busy, bytes int64 = -1, -1
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					if v, _ := p.Attributes.Value("model"); v.AsString() != "yolox-nano-coco" {
						t.Errorf("%s: model attribute %q", m.Name, v.AsString())
					}
					st, _ := p.Attributes.Value(attribute.Key("stage"))
					stages[st.AsString()] = p.Count
					if p.Sum <= 0 {
						t.Errorf("stage %s: total time %v", st.AsString(), p.Sum)
					}
				}
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					switch m.Name {
					case "modelreg.detect.sessions.busy":
						busy = p.Value
					case "modelreg.download.bytes":
						bytes = p.Value
					}
				}
			}
		}
	}
	for _, s := range []string{"pre", "run", "post"} {
		if stages[s] != 1 {
			t.Errorf("stage %q recorded %d times, want 1 (all: %v)", s, stages[s], stages)
		}
	}
	if busy != 0 {
		t.Errorf("sessions busy = %d after Detect returned, want 0", busy)
	}
	const modelBytes = 3713911 + 621 // yolox_nano.onnx and its labels, from the catalog
	if bytes != modelBytes {
		t.Errorf("downloaded bytes = %d, want %d", bytes, modelBytes)
	}
}

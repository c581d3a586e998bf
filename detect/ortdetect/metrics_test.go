package ortdetect_test

import (
	"context"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
)

// TestMetrics loads a bundled model with a meter provider, as a service
// does, and checks what one Detect and one file through detect.DetectFiles
// record: one time per stage and call (pre, run, post), one decode time
// for the file, all under the resolved model name, no session left busy,
// and the model's bytes as downloaded bytes.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)
	d := load(t, "yolox-nano-coco", &deploy.Options{MeterProvider: mp, Sessions: 2})
	if _, err := d.Detect(ctx, readImage(t, "dog.jpg")); err != nil {
		t.Fatal(err)
	}
	for r := range detect.DetectFiles(ctx, d, []string{filepath.Join(imagesDir, "person.jpg")}, nil) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
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
	for s, want := range map[string]uint64{"decode": 1, "pre": 2, "run": 2, "post": 2} {
		if stages[s] != want {
			t.Errorf("stage %q recorded %d times, want %d (all: %v)", s, stages[s], want, stages)
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

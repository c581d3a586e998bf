package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/registry"
)

const dog = "../../testdata/images/dog.jpg"

// ortErr is why the ONNX Runtime library cannot be used, if it cannot.
var ortErr error

// TestMain runs the command as a user would on a fresh machine: the bundled
// catalog only, installed into a private, empty cache.
func TestMain(m *testing.M) {
	lib, err := loader.Find(nil)
	ortErr = err
	cache, err := os.MkdirTemp("", "detect-image-cache")
	if err != nil {
		panic(err)
	}
	os.Setenv(loader.EnvLibraryPath, lib) // before moving the user cache dir
	os.Setenv("XDG_CACHE_HOME", cache)
	os.Setenv(registry.EnvDirs, "")
	code := m.Run()
	os.RemoveAll(cache)
	os.Exit(code)
}

func setup(t *testing.T) {
	t.Helper()
	if ortErr != nil {
		orttest.Missing(t, ortErr)
	}
}

func TestJSONAndAnnotatedImage(t *testing.T) {
	setup(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-json", "-out", out, dog}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr.String())
	}
	var res struct {
		Image         string
		Width, Height int
		Objects       []struct {
			Label       string
			Confidence  float64
			BoundingBox struct {
				TopLeft     struct{ X, Y float64 } `json:"top_left"`
				BottomRight struct{ X, Y float64 } `json:"bottom_right"`
			} `json:"bounding_box"`
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	if res.Image != dog || res.Width != 768 || res.Height != 576 || len(res.Objects) != 3 || res.Objects[0].Label != "dog" {
		t.Errorf("result = %+v; want dog.jpg 768x576 with dog, bicycle, car", res)
	}
	for _, o := range res.Objects {
		b := o.BoundingBox
		if b.TopLeft.X < 0 || b.TopLeft.Y < 0 || b.BottomRight.X > 1 || b.BottomRight.Y > 1 || b.TopLeft.X >= b.BottomRight.X {
			t.Errorf("%s: box %+v not relative", o.Label, b)
		}
	}
	f, err := os.Open(filepath.Join(out, "dog.jpg.detections.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() != 768 {
		t.Errorf("annotated image: %v, %v", img.Bounds(), err)
	}
}

func TestExitCodes(t *testing.T) {
	setup(t)
	bad := filepath.Join(t.TempDir(), "truncated.jpg")
	data, _ := os.ReadFile(dog)
	os.WriteFile(bad, data[:1000], 0o644)
	afile := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(afile, nil, 0o644)
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 2, "usage"},
		{[]string{"-threshold", "2", dog}, 2, "threshold"},
		{[]string{"-model", "yolox-nan", dog}, 1, `did you mean "yolox-nano-coco"`},
		{[]string{bad}, 1, "decode"},
		{[]string{"missing.jpg"}, 1, "detect-image: missing.jpg: cannot open: "},
		{[]string{"-model", "picodet-s-320-coco", dog}, 0, ""},
		{[]string{"-out", afile, dog, dog}, 1, "detect-image: -out: mkdir " + afile + ": "},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("run(%q) = %d, stderr %q; want %d mentioning %q", tt.args, code, stderr.String(), tt.code, tt.stderr)
		}
	}
}

// TestFast decodes a 2048×1536 photo at a reduced scale: the result still
// speaks of the full-size photo, and the annotated image is reduced.
func TestFast(t *testing.T) {
	setup(t)
	out := t.TempDir()
	photo := filepath.Join(filepath.Dir(dog), "african_elephants.jpg")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-fast", "-json", "-out", out, photo}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr.String())
	}
	var res struct {
		Width, Height int
		Objects       []struct{ Label string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	if res.Width != 2048 || res.Height != 1536 || len(res.Objects) == 0 || res.Objects[0].Label != "elephant" {
		t.Errorf("result = %+v; want 2048x1536 with elephants", res)
	}
	f, err := os.Open(filepath.Join(out, "african_elephants.jpg.detections.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() != 512 {
		t.Errorf("annotated image: %v, %v; want 512 wide", img.Bounds(), err)
	}
}

// TestInputsAndErrors: a directory stands for its images in name order,
// "-" reads standard input, a failing image gives a JSON error line and the
// others go on, and an oversized one names the limit and the flag.
func TestInputsAndErrors(t *testing.T) {
	setup(t)
	dir := t.TempDir()
	data, err := os.ReadFile(dog)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"b.jpg": data, "a.JPG": data, "c.jpg": data[:1000], "notes.txt": []byte("x")} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-json", dir}, &stdout, &stderr)
	var recs []struct{ Image, Error string }
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var r struct{ Image, Error string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	if code != 1 || len(recs) != 3 || filepath.Base(recs[0].Image) != "a.JPG" || filepath.Base(recs[1].Image) != "b.jpg" ||
		recs[0].Error != "" || recs[2].Error == "" || !strings.Contains(stderr.String(), "1 of 3 images failed") {
		t.Errorf("directory: exit %d, records %+v, stderr %q; want a.JPG, b.jpg, then c.jpg's error, exit 1", code, recs, stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"-max-pixels", "1000", dog}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "-max-pixels") || !strings.Contains(stderr.String(), "1000 pixels") {
		t.Errorf("-max-pixels 1000: exit %d, stderr %q; want 1 naming the limit and the flag", code, stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	h, err := os.CreateTemp(t.TempDir(), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	h.Write(data)
	h.Seek(0, 0)
	old := os.Stdin
	os.Stdin = h
	code = run(context.Background(), []string{"-"}, &stdout, &stderr)
	os.Stdin = old
	if code != 0 || !strings.HasPrefix(stdout.String(), "- (768x576): 3 objects") {
		t.Errorf("stdin: exit %d, stdout %q, stderr %q; want the dog's 3 objects", code, stdout.String(), stderr.String())
	}
}

// TestHelpShowsDefaults: -h (also after an image) lists every flag with
// its default, zero values included, on stdout, and exits 0.
func TestHelpShowsDefaults(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"dog.jpg", "-h"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 0 || stderr.Len() != 0 {
			t.Fatalf("%q: exit %d, stderr %q; want 0 and nothing", args, code, stderr.String())
		}
		for _, want := range []string{"-model name\n", `(default "yolox-nano-coco")`, "-threshold", `(default "0")`, "  -json\n", `(default "false")`,
			"-max-pixels", "-fast", "-out", `(default "")`, "-sessions", "-workers", "-providers", "example:"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%q output lacks %q:\n%s", args, want, stdout.String())
			}
		}
	}
}

// TestFlagsAnywhere: flags may follow the images, as in "detect-image
// dog.jpg -json"; "--" ends them; "-" stays an argument.
func TestFlagsAnywhere(t *testing.T) {
	tests := []struct {
		args   []string
		images []string
		json   bool
		model  string
	}{
		{[]string{"dog.jpg", "-json"}, []string{"dog.jpg"}, true, "yolox-nano-coco"},
		{[]string{"a.jpg", "-model", "picodet-s-320-coco", "b.png", "--json"}, []string{"a.jpg", "b.png"}, true, "picodet-s-320-coco"},
		{[]string{"-json", "--", "-odd.jpg", "-model"}, []string{"-odd.jpg", "-model"}, true, "yolox-nano-coco"},
		{[]string{"-", "-json"}, []string{"-"}, true, "yolox-nano-coco"},
		{[]string{"dir", "--", "-json"}, []string{"dir", "-json"}, false, "yolox-nano-coco"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		o, err := parseFlags(tt.args, &stdout, &stderr)
		if err != nil {
			t.Errorf("parseFlags(%q) = %v", tt.args, err)
			continue
		}
		if !slices.Equal(o.images, tt.images) || o.json != tt.json || o.model != tt.model {
			t.Errorf("parseFlags(%q) = images %q, json %v, model %q; want %q, %v, %q", tt.args, o.images, o.json, o.model, tt.images, tt.json, tt.model)
		}
	}
	var stdout, stderr bytes.Buffer
	if _, err := parseFlags([]string{"dog.jpg", "-bogus"}, &stdout, &stderr); err == nil || !strings.Contains(stderr.String(), "-bogus") || stdout.Len() != 0 {
		t.Errorf("an unknown flag after an image: err %v, stderr %q, stdout %q; want an error on stderr", err, stderr.String(), stdout.String())
	}
}

func TestLabelScaleAndPlural(t *testing.T) {
	for _, tt := range []struct {
		size image.Point
		want int
	}{{image.Pt(640, 480), 1}, {image.Pt(768, 576), 1}, {image.Pt(2048, 1536), 2}, {image.Pt(4000, 3000), 5}} {
		if got := labelScale(tt.size); got != tt.want {
			t.Errorf("labelScale(%v) = %d; want %d", tt.size, got, tt.want)
		}
	}
	var b bytes.Buffer
	printTable(&b, "x.jpg", image.Pt(10, 10), []detect.Detection{{Label: "dog"}})
	if !strings.HasPrefix(b.String(), "x.jpg (10x10): 1 object\n") {
		t.Errorf("table header %q; want 1 object", b.String())
	}
}

// TestInterrupted: a context cancelled (Ctrl-C) before or while the images
// are detected gives one line and exit status 130, not the context's error.
func TestInterrupted(t *testing.T) {
	setup(t)
	dir := filepath.Dir(dog)
	for _, args := range [][]string{{dog}, {"-json", dir}} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stdout, stderr bytes.Buffer
		if code := run(ctx, args, &stdout, &stderr); code != 130 || stderr.String() != "detect-image: interrupted\n" {
			t.Errorf("run(%q) after Ctrl-C = %d, stderr %q; want 130 and one line", args, code, stderr.String())
		}
	}
}

// TestProvidersFallBackSaid: -providers naming an accelerator this machine
// cannot use still detects, on the CPU, and says so once; without
// -providers nothing is said.
func TestProvidersFallBackSaid(t *testing.T) {
	setup(t)
	if lib, err := loader.Find(nil); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(lib), "libonnxruntime_providers_cuda.so")); err == nil {
			t.Skip("ONNX Runtime's CUDA provider is installed: CUDA may be usable here")
		}
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-providers", "cuda", dog, dog}, "detect-image: -providers cuda: none of them is usable here, running on CPUExecutionProvider ('models doctor' says why)\n"},
		{[]string{dog}, ""},
		{[]string{"-providers", "cpu", dog}, ""},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, &stdout, &stderr); code != 0 || stderr.String() != tt.want {
			t.Errorf("run(%q) = %d, stderr %q; want 0, %q", tt.args, code, stderr.String(), tt.want)
		}
		if !strings.Contains(stdout.String(), "3 objects") {
			t.Errorf("run(%q): stdout %q; want the dog's detections", tt.args, stdout.String())
		}
	}
}

// TestDirsFlag: -dirs searches a models directory before the bundled
// catalog, as MODELS_DIRS would; a model there is not found without it; a
// -dirs entry that does not exist fails, naming the flag.
func TestDirsFlag(t *testing.T) {
	setup(t)
	t.Setenv(registry.EnvDirs, "")
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "store", "yolox-nano-coco"), os.DirFS("../../catalog/models/yolox-nano-coco")); err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile("../../catalog/models/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	manifest = bytes.ReplaceAll(manifest, []byte(`"base_name": "yolox-nano-coco"`), []byte(`"base_name": "mine"`))
	manifest = bytes.ReplaceAll(manifest, []byte(`"path": "yolox-nano-coco"`), []byte(`"path": "store/yolox-nano-coco"`))
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"-dirs", dir, "-model", "mine", dog}, 0, "3 objects", ""},
		{[]string{"-model", "mine", dog, "-dirs", dir}, 0, "3 objects", ""},
		{[]string{"-model", "mine", dog}, 1, "", `model "mine" not found`},
		{[]string{"-dirs", filepath.Join(dir, "nowhere"), dog}, 1, "", "detect-image: -dirs: "},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
}

// TestExpandImagesFollowsLinks: a directory stands for its JPEG and PNG
// files, symbolic links to such files included, sorted; not for other
// files, subdirectories, links to directories or dangling links.
func TestExpandImagesFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	abs, err := filepath.Abs(dog)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"b.png", "notes.txt"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	os.Mkdir(filepath.Join(dir, "sub.jpg"), 0o755)
	links := map[string]string{"a.JPG": abs, "c.jpeg": filepath.Join(dir, "b.png"), "d.jpg": filepath.Join(dir, "missing.jpg"), "e.png": filepath.Join(dir, "sub.jpg")}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	got, err := expandImages([]string{dir})
	want := []string{filepath.Join(dir, "a.JPG"), filepath.Join(dir, "b.png"), filepath.Join(dir, "c.jpeg")}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("expandImages = %q, %v; want %q", got, err, want)
	}
}

package ortdetect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/cpu"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
)

// graphCacheVersion changes when the cache key's meaning does; graphSuffix
// ends the name of every cached graph.
const (
	graphCacheVersion = "ortdetect-graph-2"
	graphSuffix       = ".ort.onnx"
)

// graphCache keeps ONNX Runtime's optimised graph of a model, so that later
// loads skip graph optimisation (about half of session creation for the
// bundled models). The graph is specific to the library version, the
// optimisation level and the CPU's features (NCHWc block sizes), so all of
// them are part of the file name. Only CPU-only sessions use it: other
// providers compile graphs of their own.
type graphCache struct {
	path   string // the cached graph; "" disables the cache
	logger *slog.Logger
}

// newGraphCache returns the cache entry of model for these options, or a
// disabled one when opts.CacheDir is "" or providers other than the CPU
// are asked for.
func newGraphCache(lib *loader.Library, model []byte, opts *Options, logger *slog.Logger) graphCache {
	if opts.CacheDir == "" || len(opts.Providers) > 0 {
		return graphCache{}
	}
	sum := strings.ToLower(opts.ModelSHA256)
	if b, err := hex.DecodeString(sum); err != nil || len(b) != sha256.Size { // it names a file: only hex
		h := sha256.Sum256(model)
		sum = hex.EncodeToString(h[:])
	}
	opt := opts.GraphOptimization
	if opt == ort.OptDefault {
		opt = ort.OptAll
	}
	key := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s\x00%d\x00%s",
		graphCacheVersion, sum, lib.Version(), opt, cpuFeatures()))
	name := sum[:16] + "-" + hex.EncodeToString(key[:8]) + graphSuffix
	return graphCache{path: filepath.Join(opts.CacheDir, name), logger: logger}
}

// cpuFeatures names the instruction-set features that change the graph
// ONNX Runtime optimises for this machine.
func cpuFeatures() string {
	var b strings.Builder
	b.WriteString(runtime.GOARCH)
	flag := func(name string, on bool) {
		if on {
			b.WriteString("," + name)
		}
	}
	flag("sse41", cpu.X86.HasSSE41)
	flag("avx", cpu.X86.HasAVX)
	flag("avx2", cpu.X86.HasAVX2)
	flag("fma", cpu.X86.HasFMA)
	flag("avx512f", cpu.X86.HasAVX512F)
	flag("avx512bw", cpu.X86.HasAVX512BW)
	flag("avx512vnni", cpu.X86.HasAVX512VNNI)
	flag("avx512bf16", cpu.X86.HasAVX512BF16)
	flag("amxtile", cpu.X86.HasAMXTile)
	flag("asimd", cpu.ARM64.HasASIMD)
	flag("asimddp", cpu.ARM64.HasASIMDDP)
	flag("sve", cpu.ARM64.HasSVE)
	flag("i8mm", cpu.ARM64.HasI8MM)
	return b.String()
}

// graphUse says how a detector's sessions used the graph cache.
type graphUse int

const (
	graphUncached graphUse = iota // no cache, or it could not be written
	graphSaved                    // optimised from the model and saved
	graphCached                   // loaded from the cache
)

// sessions creates n sessions with so, from the cached graph when there is
// a usable one, else from the model that load returns, saving its
// optimised graph for next time. A cached graph that fails to load
// because of what it holds (see graphFault) is removed and replaced; any
// other failure, such as ctx ending, is returned and leaves the cache as
// it was. A cache that cannot be written only costs the saving.
func (c graphCache) sessions(ctx context.Context, load func() []byte, so *ort.SessionOptions, n int, add func([]byte, *ort.SessionOptions) error) (graphUse, error) {
	if c.path == "" {
		return graphUncached, addN(load(), so, n, add)
	}
	if graph, err := os.ReadFile(c.path); err == nil {
		cached := *so
		cached.GraphOptimization = ort.OptDisable // already applied
		err := add(graph, &cached)
		if err == nil {
			c.touch()
			return graphCached, addN(graph, &cached, n-1, add)
		}
		if !graphFault(ctx, err) {
			return graphUncached, err
		}
		c.logger.Warn("ortdetect: the cached optimised graph does not load; rebuilding it", "path", c.path, "err", err)
		os.Remove(c.path)
	}
	model := load()
	f, err := c.create()
	if err != nil {
		c.logger.Debug("ortdetect: cannot cache the optimised graph", "path", c.path, "err", err)
		return graphUncached, addN(model, so, n, add)
	}
	saving := *so
	saving.OptimizedModelPath = f.Name() // ONNX Runtime writes it; Commit syncs and renames it
	if err := add(model, &saving); err != nil {
		f.Abort()
		var oe *ort.Error
		if !errors.As(err, &oe) {
			return graphUncached, err
		}
		// Saving may be what failed (a full disk, a graph too large for one
		// file): the session may still be made without it.
		c.logger.Debug("ortdetect: cannot save the optimised graph; loading without", "path", c.path, "err", err)
		return graphUncached, addN(model, so, n, add)
	}
	use := graphSaved
	if err := f.Commit(); err != nil {
		c.logger.Debug("ortdetect: cannot cache the optimised graph", "path", c.path, "err", err)
		use = graphUncached
	}
	c.trim()
	return use, addN(model, so, n-1, add)
}

// The cache keeps itself small without a daemon, as Go's build cache does:
// a graph in use has its modification time refreshed at most once a
// graphTouchEvery, and each save removes the graphs unused for graphMaxAge
// (older library versions, models since deleted) and the temporary files
// of processes that died while saving.
const (
	graphTouchEvery = 24 * time.Hour
	graphMaxAge     = 30 * 24 * time.Hour
)

// touch marks the entry as used.
func (c graphCache) touch() {
	fi, err := os.Stat(c.path)
	if err != nil || time.Since(fi.ModTime()) < graphTouchEvery {
		return
	}
	now := time.Now()
	if err := os.Chtimes(c.path, now, now); err != nil {
		c.logger.Debug("ortdetect: cannot refresh the cached graph's time", "path", c.path, "err", err)
	}
}

// trim removes stale entries and orphaned temporary files from the
// entry's directory.
func (c graphCache) trim() {
	dir := filepath.Dir(c.path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		var stale bool
		switch {
		case atomicfile.IsTemp(name):
			dst, owner, _ := strings.Cut(name, ".tmp-")
			stale = strings.HasSuffix(dst, graphSuffix) && atomicfile.Orphaned(owner)
		case strings.HasSuffix(name, graphSuffix):
			fi, err := e.Info()
			stale = err == nil && time.Since(fi.ModTime()) > graphMaxAge
		}
		if stale {
			if err := os.Remove(filepath.Join(dir, name)); err == nil {
				c.logger.Debug("ortdetect: removed a stale cached graph", "file", name)
			}
		}
	}
}

// create makes the cache directory and the temporary file of the entry.
func (c graphCache) create() (*atomicfile.File, error) {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return nil, err
	}
	return atomicfile.New(c.path, 0o644)
}

// graphFault reports whether err, from making a session of a cached graph,
// is the graph's fault, so that rebuilding it can help: ONNX Runtime
// refused it, or its inputs or outputs are not those the pipeline checked
// when it was saved. A cancelled or expired ctx never is, whatever err
// says: the graph was not tried to the end.
func graphFault(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var oe *ort.Error
	return errors.As(err, &oe) || errors.Is(err, detect.ErrShape)
}

func addN(model []byte, so *ort.SessionOptions, n int, add func([]byte, *ort.SessionOptions) error) error {
	for range n {
		if err := add(model, so); err != nil {
			return err
		}
	}
	return nil
}

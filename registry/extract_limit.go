package registry

import (
	"errors"
	"fmt"
	"os"
)

// Extraction limits: an archive may expand to at most
// Options.MaxExtractSize bytes and at most Options.MaxExtractRatio times its
// own size (never less than minRatioAllowance, so that small archives of
// text are not refused).
const (
	defaultMaxExtract = 64 << 30
	// DefaultMaxExtractRatio is the default of Options.MaxExtractRatio.
	DefaultMaxExtractRatio = 200
	minRatioAllowance      = 1 << 20
)

// ErrExtractLimit reports an archive that expands beyond
// Options.MaxExtractSize or Options.MaxExtractRatio times its size (a likely
// archive bomb); see [ExtractLimitError].
var ErrExtractLimit = errors.New("registry: archive expands beyond the extraction limit")

// ExtractLimitError reports an archive refused because its extracted bytes
// passed a limit. It wraps [ErrExtractLimit] and [ErrCorrupt]; nothing of
// the extraction is left behind.
type ExtractLimitError struct {
	Ratio   bool    // the compression-ratio limit was passed (else the size cap)
	Max     int64   // bytes allowed
	Archive int64   // bytes of the archive
	MaxRate float64 // the ratio limit, when Ratio
}

func (e *ExtractLimitError) Error() string {
	if e.Ratio {
		return fmt.Sprintf("archive expands beyond %d bytes, %g times its %d bytes: refused as a likely archive bomb "+
			"(compression-ratio limit Options.MaxExtractRatio, models --max-extract-ratio)", e.Max, e.MaxRate, e.Archive)
	}
	return fmt.Sprintf("archive expands beyond %d bytes: refused "+
		"(extraction size limit Options.MaxExtractSize, models --max-extract-size)", e.Max)
}

// Unwrap returns [ErrExtractLimit] and [ErrCorrupt].
func (e *ExtractLimitError) Unwrap() []error { return []error{ErrExtractLimit, ErrCorrupt} }

// extractLimit is the bound of one extraction.
type extractLimit struct {
	max     int64 // bytes allowed, the lower of the two limits
	ratio   bool  // max comes from the ratio limit
	archive int64
	rate    float64
}

// extractLimits returns the limits for extracting the archive at src.
func (r *Registry) extractLimits(src string) extractLimit {
	lim := extractLimit{max: r.cfg.maxExtract}
	st, err := os.Stat(src)
	if err != nil || r.cfg.maxRatio <= 0 {
		return lim
	}
	lim.archive, lim.rate = st.Size(), r.cfg.maxRatio
	byRatio := float64(st.Size()) * r.cfg.maxRatio
	if byRatio < minRatioAllowance {
		byRatio = minRatioAllowance
	}
	if byRatio < float64(lim.max) {
		lim.max, lim.ratio = int64(byRatio), true
	}
	return lim
}

// exceeded returns the error for an extraction that passed the limit.
func (l extractLimit) exceeded(int64) error {
	return &ExtractLimitError{Ratio: l.ratio, Max: l.max, Archive: l.archive, MaxRate: l.rate}
}

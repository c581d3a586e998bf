package httpclient

import (
	"strconv"
	"strings"
)

// ParseContentRange parses a Content-Range header, "bytes start-end/size",
// where size may be "*" (returned as -1). ok is false for anything else, and
// for ranges that are empty or end past the size.
func ParseContentRange(s string) (start, end, size int64, ok bool) {
	spec, found := strings.CutPrefix(s, "bytes ")
	rng, sz, found2 := strings.Cut(spec, "/")
	first, last, found3 := strings.Cut(rng, "-")
	if !found || !found2 || !found3 {
		return 0, 0, 0, false
	}
	start, err1 := strconv.ParseInt(first, 10, 64)
	end, err2 := strconv.ParseInt(last, 10, 64)
	size, err3 := int64(-1), error(nil)
	if sz != "*" {
		size, err3 = strconv.ParseInt(sz, 10, 64)
	}
	ok = err1 == nil && err2 == nil && err3 == nil && start >= 0 && start <= end && (size < 0 || end < size)
	return start, end, size, ok
}

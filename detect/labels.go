package detect

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// LoadLabels reads a labels file from fsys with [ReadLabels], or with
// [ReadLabelMap] when its name ends in .pbtxt.
func LoadLabels(fsys fs.FS, name string) ([]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("detect: labels: %w", err)
	}
	defer f.Close()
	read := ReadLabels
	if strings.EqualFold(path.Ext(name), ".pbtxt") {
		read = ReadLabelMap
	}
	labels, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("detect: labels %s: %w", name, err)
	}
	return labels, nil
}

// MaxClasses is the most classes a detector may have: num_classes and the
// labels files are refused past it, before anything is sized by them.
// Detection datasets have at most tens of thousands.
const MaxClasses = 1 << 20

// ReadLabels reads one label per line; line i (0-based) names class i.
// Surrounding white space and a final line break are dropped; a blank line
// is an unnamed class (named "class <i>" in detections).
// More than [MaxClasses] lines are an error wrapping [ErrInvalidConfig].
func ReadLabels(r io.Reader) ([]string, error) {
	var labels []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if len(labels) == MaxClasses {
			return nil, &ConfigError{Field: "labels", Reason: fmt.Sprintf("more than %d lines (MaxClasses)", MaxClasses)}
		}
		labels = append(labels, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return labels, nil
}

// classNames returns n display names: labels[i], or "class <i>" where the
// label is missing or blank.
func classNames(labels []string, n int) []string {
	names := make([]string, n)
	for i := range names {
		if i < len(labels) && labels[i] != "" {
			names[i] = labels[i]
		} else {
			names[i] = fmt.Sprintf("class %d", i)
		}
	}
	return names
}

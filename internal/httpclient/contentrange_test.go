package httpclient

import "testing"

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in               string
		start, end, size int64
		ok               bool
	}{
		{"bytes 0-99/100", 0, 99, 100, true},
		{"bytes 10-19/*", 10, 19, -1, true},
		{"bytes 5-5/6", 5, 5, 6, true},
		{"bytes 5-4/6", 0, 0, 0, false},
		{"bytes 0-100/100", 0, 0, 0, false},
		{"bytes -1-3/10", 0, 0, 0, false},
		{"bytes */100", 0, 0, 0, false},
		{"items 0-1/2", 0, 0, 0, false},
		{"", 0, 0, 0, false},
	}
	for _, tt := range tests {
		start, end, size, ok := ParseContentRange(tt.in)
		if ok != tt.ok || ok && (start != tt.start || end != tt.end || size != tt.size) {
			t.Errorf("ParseContentRange(%q) = %d, %d, %d, %v; want %d, %d, %d, %v",
				tt.in, start, end, size, ok, tt.start, tt.end, tt.size, tt.ok)
		}
	}
}

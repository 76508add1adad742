package template

import (
	"strings"
	"testing"
)

// naiveStringEnd is the byte-at-a-time reference for stringEnd.
func naiveStringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1
		case '\\':
			j++
		}
	}
	return -1
}

// TestStringEnd compares the eight-bytes-at-a-time scan with the reference on every string of
// up to 7 characters from {a, ", \}, padded so quotes fall on every offset of a word.
func TestStringEnd(t *testing.T) {
	alphabet := []byte{'a', '"', '\\'}
	var gen func(prefix []byte, n int)
	gen = func(prefix []byte, n int) {
		for pad := 0; pad < 9; pad++ {
			b := []byte(`"` + strings.Repeat("x", pad) + string(prefix) + strings.Repeat("y", 9-pad))
			if got, want := stringEnd(b, 0), naiveStringEnd(b, 0); got != want {
				t.Fatalf("stringEnd(%q) = %d; want %d", b, got, want)
			}
			b = b[:len(b)-(9-pad)]
			if got, want := stringEnd(b, 0), naiveStringEnd(b, 0); got != want {
				t.Fatalf("stringEnd(%q) = %d; want %d", b, got, want)
			}
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(append(prefix, c), n-1)
		}
	}
	gen(nil, 7)
}

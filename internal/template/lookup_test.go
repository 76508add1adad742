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

// FuzzTypedStringEnd holds the {"N":"..."} shortcut to containerEnd, which it stands in for.
func FuzzTypedStringEnd(f *testing.F) {
	for _, s := range []string{`{"N":"71"}`, `{"S":"a\"b"}`, `{"\":"x"}`, `{"S":"x"`, `{"S":"x"}]`, `{"S":"x","N":"1"}`, `{"":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '{' {
			return
		}
		if got := typedStringEnd(b, 0); got >= 0 && got != containerEnd(b, 0) {
			t.Fatalf("typedStringEnd(%q) = %d; containerEnd says %d", b, got, containerEnd(b, 0))
		}
	})
}

package replay

import (
	"testing"
)

// FuzzWordChecks holds the word-at-a-time checks to the byte-at-a-time rules they stand in for.
func FuzzWordChecks(f *testing.F) {
	for _, s := range []string{"abcdefgh", "abc\"defg", "abcdef\\h", "\x00bcdefgh", "abcdefg\x1f", "abcdéfgh", "\x7f\x20~!#$%&", "\xff\x80aaaaaa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) < 8 {
			return
		}
		w := word(s, 0)
		special := false
		for i := range 8 {
			c := s[i]
			special = special || c < 0x20 || c == '"' || c == '\\'
		}
		if got := specialMask(w) != 0; got != special {
			t.Errorf("specialMask(%q) != 0 is %v; want %v", s[:8], got, special)
		}
		if got, want := plainRunEnd(s[:8], 0), plainRunEndBytes(s[:8]); got != want {
			t.Errorf("plainRunEnd(%q) = %d; want %d", s[:8], got, want)
		}
	})
}

func plainRunEndBytes(s string) int {
	for i := range len(s) {
		if stringByte[s[i]] {
			return i
		}
	}
	return len(s)
}

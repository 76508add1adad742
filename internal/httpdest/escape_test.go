package httpdest

import (
	"net/url"
	"strings"
	"testing"
)

// escape is the reference escaper: url.QueryEscape, with %20 for a space.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// FuzzEscape checks the three escapers agree: escape (url.QueryEscape with %20), appendEscaped,
// and escapeTail, which escapes in place after a prefix.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "New York", "a/b?c=d&e", "ünïcode", "~-._", "100%", "\x00\xff"} {
		f.Add("prefix/", s)
	}
	f.Fuzz(func(t *testing.T, prefix, s string) {
		want := escape(s)
		if got := string(appendEscaped(nil, s)); got != want {
			t.Errorf("appendEscaped(%q) = %q; want %q", s, got, want)
		}
		b := append([]byte(prefix), s...)
		if got := string(escapeTail(b, len(prefix))); got != prefix+want {
			t.Errorf("escapeTail(%q after %q) = %q; want %q", s, prefix, got, prefix+want)
		}
	})
}

package filter

import (
	"unicode"
	"unicode/utf8"
)

// equalFoldBytes reports whether a and b are equal under simple Unicode case
// folding.
func equalFoldBytes(a []byte, b string) bool {
	for len(a) > 0 && len(b) > 0 {
		ra, na := utf8.DecodeRune(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if !runeEqualFold(ra, rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) == 0 && len(b) == 0
}

// hasPrefixFold reports whether s starts with prefix under case folding.
func hasPrefixFold(s []byte, prefix string) bool {
	for len(prefix) > 0 {
		if len(s) == 0 {
			return false
		}
		rs, ns := utf8.DecodeRune(s)
		rp, np := utf8.DecodeRuneInString(prefix)
		if !runeEqualFold(rs, rp) {
			return false
		}
		s, prefix = s[ns:], prefix[np:]
	}
	return true
}

// hasSuffixFold reports whether s ends with suffix under case folding.
func hasSuffixFold(s []byte, suffix string) bool {
	for len(suffix) > 0 {
		if len(s) == 0 {
			return false
		}
		rs, ns := utf8.DecodeLastRune(s)
		rp, np := utf8.DecodeLastRuneInString(suffix)
		if !runeEqualFold(rs, rp) {
			return false
		}
		s, suffix = s[:len(s)-ns], suffix[:len(suffix)-np]
	}
	return true
}

func runeEqualFold(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return lowerASCII(a) == lowerASCII(b)
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

func lowerASCII(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// wildcard is a compiled wildcard pattern: literal segments separated by '*'.
type wildcard struct {
	segs []string
}

// parseWildcard compiles a wildcard pattern. '\*' is a literal star and '\\'
// a literal backslash; any other backslash is an error, as are two stars in a
// row. Positions in errors count the opening quote, as AWS's do.
func parseWildcard(s, path string) (*wildcard, error) {
	w := &wildcard{}
	var cur []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return nil, failf(path, "Consecutive wildcard characters at pos %d", i+1)
			}
			w.segs = append(w.segs, string(cur))
			cur = cur[:0]
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				cur = append(cur, s[i+1])
				i++
				continue
			}
			return nil, failf(path, "Invalid escape character at pos %d", i+1)
		default:
			cur = append(cur, c)
		}
	}
	w.segs = append(w.segs, string(cur))
	return w, nil
}

// complexity estimates how many wildcard states an adversarial value keeps
// alive at once: the largest number of stars followed by the same byte.
func (w *wildcard) complexity() int {
	var counts [256]int
	best := 0
	for _, seg := range w.segs[1:] {
		if seg == "" {
			continue
		}
		counts[seg[0]]++
		best = max(best, counts[seg[0]])
	}
	return best
}

// match reports whether s matches the whole wildcard pattern.
func (w *wildcard) match(s []byte) bool {
	segs := w.segs
	if len(segs) == 1 {
		return string(s) == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(s) < len(first)+len(last) || string(s[:len(first)]) != first || string(s[len(s)-len(last):]) != last {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, seg := range segs[1 : len(segs)-1] {
		k := indexString(s, seg)
		if k < 0 {
			return false
		}
		s = s[k+len(seg):]
	}
	return true
}

func indexString(s []byte, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if string(s[i:i+n]) == sub {
			return i
		}
	}
	return -1
}

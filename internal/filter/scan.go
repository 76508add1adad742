package filter

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// The scanner reads raw JSON bytes in place. Every function takes the data
// and a start offset and returns the offset just past what it read, with
// ok=false on malformed input. None allocates.

func skipWS(d []byte, i int) int {
	for i < len(d) {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString reads the string whose opening quote is at d[i]. It returns the
// offset after the closing quote and whether the string holds escapes.
func scanString(d []byte, i int) (end int, esc bool, ok bool) {
	i++
	for {
		i = strictRun(d, i)
		if i >= len(d) {
			return i, esc, false
		}
		switch d[i] {
		case '"':
			return i + 1, esc, true
		case '\\':
			esc = true
			i += 2
		default:
			return i, esc, false // a control character
		}
	}
}

// strictRun is plainRun that also stops at control characters, which JSON
// strings may not hold unescaped.
func strictRun(d []byte, i int) int {
	for ; i+8 <= len(d); i += 8 {
		v := binary.LittleEndian.Uint64(d[i:])
		q := v ^ (swarOnes * '"')
		bs := v ^ (swarOnes * '\\')
		found := ((q-swarOnes)&^q | (bs-swarOnes)&^bs | (v-swarOnes*0x20)&^v) & swarHighs
		if found != 0 {
			return i + bits.TrailingZeros64(found)/8
		}
	}
	for ; i < len(d) && d[i] >= 0x20 && !stringStop[d[i]]; i++ {
	}
	return i
}

// scanNumber reads a JSON number starting at d[i].
func scanNumber(d []byte, i int) (int, bool) {
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = skipDigits(d, i)
	default:
		return i, false
	}
	if i < len(d) && d[i] == '.' {
		j := skipDigits(d, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := skipDigits(d, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func skipDigits(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}

// scanLiteral reads true, false or null at d[i].
func scanLiteral(d []byte, i int, word string) (int, bool) {
	if len(d)-i < len(word) || string(d[i:i+len(word)]) != word {
		return i, false
	}
	return i + len(word), true
}

// skipValue skips the value starting at d[i] (no leading space). Objects and
// arrays are skipped by their brackets alone: strings inside them are read
// as strings, but the grammar between them is not checked.
func skipValue(d []byte, i int, depth int) (int, bool) {
	if i >= len(d) {
		return i, false
	}
	switch c := d[i]; c {
	case '"':
		return skipString(d, i)
	case '{', '[':
		return skipNested(d, i+1, 1)
	case 't':
		return scanLiteral(d, i, "true")
	case 'f':
		return scanLiteral(d, i, "false")
	case 'n':
		return scanLiteral(d, i, "null")
	default:
		return scanNumber(d, i)
	}
}

// Byte classes for the skipping loops: a plain byte needs no decision.
var (
	stringStop = [256]bool{'"': true, '\\': true}
	nestedStop = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}
)

// skipString skips the string whose opening quote is at d[i]. It tests
// eight bytes at a time for a quote or a backslash.
func skipString(d []byte, i int) (int, bool) {
	i++
	for {
		i = plainRun(d, i)
		if i >= len(d) {
			return len(d), false
		}
		if d[i] == '"' {
			return i + 1, true
		}
		i += 2
	}
}

const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// plainRun returns the offset of the first quote or backslash at or after i
// (or len(d)), reading eight bytes per step while it can.
func plainRun(d []byte, i int) int {
	for ; i+8 <= len(d); i += 8 {
		v := binary.LittleEndian.Uint64(d[i:])
		q := v ^ (swarOnes * '"')
		bs := v ^ (swarOnes * '\\')
		if found := ((q-swarOnes)&^q | (bs-swarOnes)&^bs) & swarHighs; found != 0 {
			return i + bits.TrailingZeros64(found)/8
		}
	}
	for ; i < len(d) && !stringStop[d[i]]; i++ {
	}
	return i
}

// skipNested skips to the bracket closing an object or array, level being
// the number of brackets open.
func skipNested(d []byte, i, level int) (int, bool) {
	for i < len(d) {
		c := d[i]
		if !nestedStop[c] {
			i++
			continue
		}
		switch c {
		case '"':
			end, ok := skipString(d, i)
			if !ok {
				return end, false
			}
			i = end
			continue
		case '{', '[':
			level++
			if level > maxEventDepth {
				return i, false
			}
		default:
			level--
			if level == 0 {
				return i + 1, true
			}
		}
		i++
	}
	return i, false
}

// skipRestOfObject skips to the end of an object from a position just after a
// member value.
func skipRestOfObject(d []byte, i int, depth int) (int, bool) {
	i, done, ok := nextMember(d, i, '}')
	if !ok || done {
		return i, ok
	}
	return skipNested(d, i, 1)
}

// nextMember reads the comma or the closing bracket after a member. done
// reports the closing bracket; i is then past it.
func nextMember(d []byte, i int, closer byte) (next int, done bool, ok bool) {
	i = skipWS(d, i)
	if i >= len(d) {
		return i, false, false
	}
	switch d[i] {
	case ',':
		return i + 1, false, true
	case closer:
		return i + 1, true, true
	}
	return i, false, false
}

// appendUnescaped appends the value of the raw string body (between quotes)
// to dst, decoding JSON escapes. ok is false on a bad escape.
func appendUnescaped(dst, raw []byte) ([]byte, bool) {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(raw) {
			return dst, false
		}
		switch raw[i] {
		case '"', '\\', '/':
			dst = append(dst, raw[i])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n, ok := decodeUnicodeEscape(raw[i-1:])
			if !ok {
				return dst, false
			}
			dst = utf8.AppendRune(dst, r)
			i += n - 2
		default:
			return dst, false
		}
	}
	return dst, true
}

// decodeUnicodeEscape decodes \uXXXX (and a following low surrogate) at the
// start of s. n is the number of bytes consumed.
func decodeUnicodeEscape(s []byte) (r rune, n int, ok bool) {
	r1, ok := hex4(s)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r1) {
		return r1, 6, true
	}
	if r2, ok := hex4(s[6:]); ok {
		if dec := utf16.DecodeRune(r1, r2); dec != utf8.RuneError {
			return dec, 12, true
		}
	}
	return utf8.RuneError, 6, true
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

package filter

import (
	"github.com/pipesim/pipesim/internal/rawjson"
)

// The matcher reads records with rawjson's scanner (strings, numbers, literals, escapes, the
// word-at-a-time runs). What is left here is the walk of nested brackets with the matcher's own
// bound, maxEventDepth: an event nested deeper does not match, however far from the fields a
// pattern names. Every function takes the data and a start offset and returns the offset just
// past what it read, with ok=false on malformed input. None allocates.

// skipWS returns the offset of the first byte at or after i that is not JSON whitespace.
func skipWS(d []byte, i int) int { return rawjson.SkipSpace(d, i) }

// scanString checks the string whose opening quote is at d[i] and returns the offset after its
// closing quote and whether it holds escapes (rawjson.ScanString).
func scanString(d []byte, i int) (end int, esc bool, ok bool) { return rawjson.ScanString(d, i) }

// scanNumber checks the JSON number at d[i].
func scanNumber(d []byte, i int) (int, bool) { return found(rawjson.NumberEnd(d, i), i) }

// scanLiteral checks true, false or null at d[i].
func scanLiteral(d []byte, i int) (int, bool) { return found(rawjson.LiteralEnd(d, i), i) }

// skipString skips the string whose opening quote is at d[i], following escapes without
// checking them.
func skipString(d []byte, i int) (int, bool) {
	if end := rawjson.StringEnd(d, i); end > 0 {
		return end, true
	}
	return len(d), false
}

// found turns rawjson's -1 into ok=false at the start offset.
func found(end, start int) (int, bool) {
	if end < 0 {
		return start, false
	}
	return end, true
}

// skipValue skips the value starting at d[i] (no leading space). Objects and arrays are skipped
// by their brackets alone: strings inside them are read as strings, but the grammar between
// them is not checked.
func skipValue(d []byte, i int, depth int) (int, bool) {
	if i >= len(d) {
		return i, false
	}
	switch d[i] {
	case '"':
		return skipString(d, i)
	case '{', '[':
		return skipNested(d, i+1, 1)
	case 't', 'f', 'n':
		return scanLiteral(d, i)
	}
	return scanNumber(d, i)
}

// nestedStop marks the bytes the bracket walk must look at.
var nestedStop = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}

// skipNested skips to the bracket closing an object or array, level being the number of
// brackets open; nesting deeper than maxEventDepth is malformed.
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

// skipRestOfObject skips to the end of an object from a position just after a member value.
func skipRestOfObject(d []byte, i int, depth int) (int, bool) {
	i, done, ok := nextMember(d, i, '}')
	if !ok || done {
		return i, ok
	}
	return skipNested(d, i, 1)
}

// nextMember reads the comma or the closing bracket after a member. done reports the closing
// bracket; i is then past it.
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

// appendUnescaped appends the value of the raw string content (between quotes) to dst, decoding
// JSON escapes (rawjson.AppendUnescaped). ok is false on a bad escape.
func appendUnescaped(dst, raw []byte) ([]byte, bool) { return rawjson.AppendUnescaped(dst, raw) }

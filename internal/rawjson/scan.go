package rawjson

import (
	"bytes"
	"strings"
)

// The scanner. Every function takes the data and an offset and returns an offset in the same
// data: where what it read ends, or where what it found starts; -1 (or a Status other than Found)
// when the bytes are not what it expects. None allocates.

// Status is the outcome of looking for a member, an element or a path's value.
type Status uint8

const (
	Found     Status = iota
	Absent           // the value is not there: no such member or element, or not a container
	Malformed        // the data is not JSON where the search went
)

// SkipSpace returns the offset of the first byte at or after i that is not JSON whitespace.
func SkipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// StringEnd returns the offset just after the closing quote of the string whose opening quote is
// at b[i], or -1 when the string does not end. It follows escapes without checking them. It
// looks eight bytes at a time for the first quote: when no backslash is just before it, no escape
// can have consumed it, so it ends the string; otherwise stringEndEscaped decides.
func StringEnd(b []byte, i int) int {
	for j := i + 1; j+8 <= len(b); j += 8 {
		if m := byteMask(word(b, j), '"'); m != 0 {
			if q := j + firstByte(m); b[q-1] != '\\' {
				return q + 1
			}
			break
		}
	}
	return stringEndEscaped(b, i)
}

// stringEndEscaped is StringEnd following escapes: it looks at eight bytes at a time for a quote
// or a backslash.
func stringEndEscaped(b []byte, i int) int {
	j := i + 1
	for j < len(b) {
		for j+8 <= len(b) {
			if m := quoteMask(word(b, j)); m != 0 {
				j += firstByte(m)
				break
			}
			j += 8
		}
		if j >= len(b) {
			break
		}
		switch b[j] {
		case '"':
			return j + 1
		case '\\':
			j += 2
		default:
			j++
		}
	}
	return -1
}

// ScanString checks the string whose opening quote is at b[i] and returns the offset after its
// closing quote and whether it holds escapes. ok is false when it is not a valid JSON string: a
// control character unescaped, an escape JSON does not have, or no closing quote (end is then
// where checking stopped). Bytes from 0x80 up are taken as they are: UTF-8 is not checked.
func ScanString(b []byte, i int) (end int, escaped, ok bool) {
	i++
	for {
		i = plainRunEnd(b, i)
		if i >= len(b) {
			return i, escaped, false
		}
		switch b[i] {
		case '"':
			return i + 1, escaped, true
		case '\\':
			escaped = true
			if i = escapeEnd(b, i); i < 0 {
				return len(b), true, false
			}
		default:
			return i, escaped, false // a control character
		}
	}
}

// plainRunEnd returns the offset of the first byte at or after i that ends a plain run in a JSON
// string ('"', '\\' or a control character), or len(b).
func plainRunEnd(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := stopMask(word(b, i)); m != 0 {
			return i + firstByte(m)
		}
	}
	for i < len(b) && !stopByte[b[i]] {
		i++
	}
	return i
}

// stopByte marks the bytes stopMask flags.
var stopByte = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// escapeEnd checks the escape at b[i] (a backslash) and returns the offset after it, or -1.
func escapeEnd(b []byte, i int) int {
	if i+1 >= len(b) {
		return -1
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		if _, ok := hex4(b, i+2); ok {
			return i + 6
		}
	}
	return -1
}

// ValueEnd returns the offset just after the value starting at b[i] (no whitespace before it), or
// -1 when none ends there. Numbers and true, false and null are checked; strings are found by
// their closing quote and objects and arrays by counting brackets, so what is inside them is not
// checked beyond that.
func ValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return StringEnd(b, i)
	case '{':
		if e := TypedStringEnd(b, i); e > 0 {
			return e
		}
		return containerEnd(b, i)
	case '[':
		return containerEnd(b, i)
	case 't', 'f', 'n':
		return LiteralEnd(b, i)
	}
	return NumberEnd(b, i)
}

// nestByte marks the bytes a bracket count must look at.
var nestByte = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}

// containerEnd returns the offset just after the object or array whose bracket is at b[i], or -1.
func containerEnd(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		c := b[i]
		if !nestByte[c] {
			continue
		}
		switch c {
		case '"':
			e := StringEnd(b, i)
			if e < 0 {
				return -1
			}
			i = e - 1
		case '{', '[':
			depth++
		default:
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// TypedStringEnd returns the end of the object at b[i] when it is a one-letter key and a string,
// {"S":"..."} or {"N":"..."}, as DynamoDB writes most attribute values; else -1. It is
// ValueEnd for that shape without counting brackets byte by byte.
func TypedStringEnd(b []byte, i int) int {
	if i+6 > len(b) || b[i+1] != '"' || b[i+2] == '"' || b[i+2] == '\\' || b[i+3] != '"' || b[i+4] != ':' || b[i+5] != '"' {
		return -1
	}
	if e := StringEnd(b, i+5); e > 0 && e < len(b) && b[e] == '}' {
		return e + 1
	}
	return -1
}

// NumberEnd checks the JSON number at b[i] and returns the offset after it, or -1:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func NumberEnd(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	start := i
	i = digitsEnd(b, i)
	if i == start || b[start] == '0' && i > start+1 {
		return -1
	}
	if i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
		return fractionEnd(b, i)
	}
	return i
}

// fractionEnd checks the fraction and exponent of a number at b[i] ('.', 'e' or 'E').
func fractionEnd(b []byte, i int) int {
	if b[i] == '.' {
		j := digitsEnd(b, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digitsEnd(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digitsEnd(b []byte, i int) int {
	for i < len(b) && b[i]-'0' <= 9 {
		i++
	}
	return i
}

// LiteralEnd checks true, false or null at b[i] and returns the offset after it, or -1.
func LiteralEnd(b []byte, i int) int {
	var lit string
	switch b[i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	case 'n':
		lit = "null"
	default:
		return -1
	}
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// Member finds key in the object whose '{' is at b[obj] and returns where the member's value
// starts and where its key starts. The first of duplicate keys counts. Keys are compared decoded,
// so an escaped key matches too. hint, when after obj, is where the key of a later member starts
// (a sibling the caller found before): the search starts there and covers the members before it
// last, which finds members named in the order the object holds them without passing over the
// earlier ones again; -1 searches from the start.
func Member(b []byte, obj int, key string, hint int) (val, keyPos int, st Status) {
	if strings.IndexByte(key, '\\') >= 0 {
		return memberEscaped(b, obj, key)
	}
	return member(b, obj, key, hint)
}

// member is Member for a key that holds no backslash.
func member(b []byte, obj int, key string, hint int) (val, keyPos int, st Status) {
	first := SkipSpace(b, obj+1)
	if first < len(b) && b[first] == '}' {
		return 0, -1, Absent
	}
	if hint <= obj {
		return members(b, first, key, -1)
	}
	val, keyPos, st = members(b, hint, key, -1)
	if st != Absent {
		return val, keyPos, st
	}
	return members(b, first, key, hint)
}

// members scans the members from b[i] (a key) for key, up to the object's end or to the member
// at stop.
func members(b []byte, i int, key string, stop int) (int, int, Status) {
	for i < len(b) && i != stop {
		if b[i] != '"' {
			return 0, -1, Malformed
		}
		keyPos := i
		end, match := keyEnd(b, i, key)
		if end < 0 {
			return 0, -1, Malformed
		}
		if i = SkipSpace(b, end); i >= len(b) || b[i] != ':' {
			return 0, -1, Malformed
		}
		i = SkipSpace(b, i+1)
		if match {
			return i, keyPos, Found
		}
		var st Status
		if i, st = Next(b, i, '}'); st != Found {
			return 0, -1, st
		}
	}
	if i == stop {
		return 0, -1, Absent
	}
	return 0, -1, Malformed
}

// keyEnd returns the end of the key string at b[i] and whether it is key, which holds no
// backslash. The common match is found without scanning the key twice: key's bytes followed by a
// quote can then only be the whole key, unescaped.
func keyEnd(b []byte, i int, key string) (int, bool) {
	if end := i + 1 + len(key); end < len(b) && b[end] == '"' && string(b[i+1:end]) == key {
		return end + 1, true
	}
	end := StringEnd(b, i)
	if end < 0 {
		return -1, false
	}
	return end, KeyEquals(b[i+1:end-1], key)
}

// memberEscaped is Member for a key that holds a backslash, from the object's start: every key
// is compared decoded.
func memberEscaped(b []byte, obj int, key string) (int, int, Status) {
	i := SkipSpace(b, obj+1)
	if i < len(b) && b[i] == '}' {
		return 0, -1, Absent
	}
	for i < len(b) && b[i] == '"' {
		keyPos := i
		end := StringEnd(b, i)
		if end < 0 {
			return 0, -1, Malformed
		}
		match := KeyEquals(b[i+1:end-1], key)
		if i = SkipSpace(b, end); i >= len(b) || b[i] != ':' {
			return 0, -1, Malformed
		}
		i = SkipSpace(b, i+1)
		if match {
			return i, keyPos, Found
		}
		var st Status
		if i, st = Next(b, i, '}'); st != Found {
			return 0, -1, st
		}
	}
	return 0, -1, Malformed
}

// KeyEquals reports whether the raw (still escaped) content of a key is key once decoded.
func KeyEquals(raw []byte, key string) bool {
	switch {
	case len(raw) < len(key):
		return false // escapes only make a key shorter once decoded
	case len(raw) == len(key): // then equal only without escapes
		return string(raw) == key && bytes.IndexByte(raw, '\\') < 0
	case bytes.IndexByte(raw, '\\') < 0:
		return false
	}
	var buf [64]byte
	dec, _ := AppendUnescaped(buf[:0], raw)
	return string(dec) == key
}

// Element finds the n-th element (from 0) of the array whose '[' is at b[arr] and returns where
// it starts.
func Element(b []byte, arr int, n int) (int, Status) {
	i := SkipSpace(b, arr+1)
	if i < len(b) && b[i] == ']' {
		return 0, Absent
	}
	for k := 0; i < len(b); k++ {
		if k == n {
			return i, Found
		}
		var st Status
		if i, st = Next(b, i, ']'); st != Found {
			return 0, st
		}
	}
	return 0, Malformed
}

// Next passes over the value at b[i] and the comma after it, and returns where the next member
// or element starts; Absent when the container closes with closer instead.
func Next(b []byte, i int, closer byte) (int, Status) {
	switch {
	case i >= len(b):
		return 0, Malformed
	case b[i] == '"': // most values are strings: skip ValueEnd's dispatch
		i = StringEnd(b, i)
	case b[i]-'0' <= 9 || b[i] == '-': // a number passed over is not checked: to its delimiter
		i = scalarEnd(b, i)
	default:
		i = ValueEnd(b, i)
	}
	if i < 0 {
		return 0, Malformed
	}
	if i < len(b) && b[i] == ',' { // compact JSON: no space before the comma
		return SkipSpace(b, i+1), Found
	}
	if i = SkipSpace(b, i); i >= len(b) {
		return 0, Malformed
	}
	switch b[i] {
	case closer:
		return 0, Absent
	case ',':
		return SkipSpace(b, i+1), Found
	}
	return 0, Malformed
}

// scalarEnd returns the offset of the first delimiter (',', '}', ']' or whitespace) at or after
// i, or len(b).
func scalarEnd(b []byte, i int) int {
	for i < len(b) && !delimiter[b[i]] {
		i++
	}
	return i
}

var delimiter = [256]bool{',': true, '}': true, ']': true, ' ': true, '\t': true, '\n': true, '\r': true}

// MaxCompactDepth bounds the nesting CompactEnd follows.
const MaxCompactDepth = 64

// CompactEnd checks that a valid JSON value with no whitespace outside its strings starts at b[i]
// and returns the offset after it; -1 when there is none, or it nests deeper than
// MaxCompactDepth.
func CompactEnd(b []byte, i int) int { return compactEnd(b, i, 0) }

func compactEnd(b []byte, i, depth int) int {
	if i >= len(b) || depth > MaxCompactDepth {
		return -1
	}
	switch b[i] {
	case '"':
		end, _, ok := ScanString(b, i)
		if !ok {
			return -1
		}
		return end
	case '{':
		return compactContainerEnd(b, i, '}', depth, true)
	case '[':
		return compactContainerEnd(b, i, ']', depth, false)
	case 't', 'f', 'n':
		return LiteralEnd(b, i)
	}
	return NumberEnd(b, i)
}

// compactContainerEnd checks an object (keyed) or array whose bracket is at b[i].
func compactContainerEnd(b []byte, i int, closer byte, depth int, keyed bool) int {
	if i++; i < len(b) && b[i] == closer {
		return i + 1
	}
	for {
		if keyed {
			if i >= len(b) || b[i] != '"' {
				return -1
			}
			end, _, ok := ScanString(b, i)
			if !ok || end >= len(b) || b[end] != ':' {
				return -1
			}
			i = end + 1
		}
		if i = compactEnd(b, i, depth+1); i < 0 || i >= len(b) {
			return -1
		}
		switch b[i] {
		case ',':
			i++
		case closer:
			return i + 1
		default:
			return -1
		}
	}
}

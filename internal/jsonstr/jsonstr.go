// Package jsonstr writes JSON strings: the one string writer shared by everything pipesim writes
// that can carry a request's values (the HTTP body's connection parameters, execution logs, the
// dry run's output), so they all escape alike. It writes what Java's JSON writers (and so AWS's
// services) write: quotes, backslashes and control characters escaped, invalid UTF-8 as U+FFFD,
// and everything else, '<', '>' and '&' included, as it is. encoding/json escapes those three as
// \u003c, \u003e and \u0026 by default; a search for the plain text of a value would then miss
// it, which is how a secret once leaked into logs.
//
// It is hand-written rather than encoding/json because encoding/json cannot be told to append
// to a buffer without allocating, and the dry run writes one string per request. The planned
// internal/rawjson package, pipesim's one JSON scanner and string codec, will absorb it.
package jsonstr

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"
)

// plainByte marks the bytes a JSON string holds as they are: printable ASCII but '"' and '\\'.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Append writes s as a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 as U+FFFD, everything else as is. Bodies are mostly short runs of plain bytes
// between quotes, so it copies a word at a time (storing all 8 bytes, keeping those before the
// first byte that needs care) rather than calling memmove for each run.
func Append(b []byte, s string) []byte {
	b = append(b, '"')
	i := 0
	for i+8 <= len(s) {
		if cap(b)-len(b) < 8 {
			b = slices.Grow(b, len(s)-i+16)
		}
		w := word(s, i)
		k := 8
		if m := notPlainMask(w); m != 0 {
			k = bits.TrailingZeros64(m) >> 3
		}
		n := len(b)
		binary.LittleEndian.PutUint64(b[n:n+8], w)
		b, i = b[:n+k], i+k
		if k == 8 {
			continue
		}
		if e := shortEscape[s[i]]; e != 0 { // the common specials, without a call
			b, i = append(b, '\\', e), i+1
			continue
		}
		b, i = appendSpecial(b, s, i)
	}
	for i < len(s) {
		if plainByte[s[i]] {
			b, i = append(b, s[i]), i+1
		} else {
			b, i = appendSpecial(b, s, i)
		}
	}
	return append(b, '"')
}

// shortEscape is the letter of a byte's two-character escape (\" \\ \n \r \t), 0 for others.
var shortEscape = [256]byte{'"': '"', '\\': '\\', '\n': 'n', '\r': 'r', '\t': 't'}

// appendSpecial writes s[i], a byte that is not plain: the UTF-8 sequence it starts, or its
// escape. It returns the index after what it wrote.
func appendSpecial(b []byte, s string, i int) ([]byte, int) {
	c := s[i]
	if c >= utf8.RuneSelf {
		if r, size := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || size != 1 {
			return append(b, s[i:i+size]...), i + size
		}
	}
	return appendEscape(b, c), i + 1
}

// appendEscape writes the escape of c, a byte that is not plain; a byte from 0x80 up is one of
// invalid UTF-8.
func appendEscape(b []byte, c byte) []byte {
	const hex = "0123456789abcdef"
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	if c >= utf8.RuneSelf {
		return append(b, `\ufffd`...)
	}
	return append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
}

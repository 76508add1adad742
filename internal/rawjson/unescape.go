package rawjson

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// AppendUnescaped appends the text that the content of a JSON string (the bytes between its
// quotes, escapes as written) stands for. ok is false when an escape is not one JSON has; the
// text is then still written, leniently: a malformed escape as its letter (\x as x, \u without
// four hex digits as u), a backslash at the end as itself. A lone or malformed surrogate reads as
// U+FFFD, as encoding/json reads it. Other bytes are copied as they are.
func AppendUnescaped(dst, content []byte) (out []byte, ok bool) {
	ok = true
	for i := 0; i < len(content); {
		if content[i] != '\\' {
			j := len(content)
			if k := bytes.IndexByte(content[i+1:], '\\'); k >= 0 {
				j = i + 1 + k
			}
			dst = append(dst, content[i:j]...)
			i = j
			continue
		}
		r, n, good := decodeEscape(content, i)
		dst = utf8.AppendRune(dst, r)
		i += n
		ok = ok && good
	}
	return dst, ok
}

// decodeEscape decodes the escape at s[i] (a backslash) and returns the rune, the bytes it used
// and whether it was well formed.
func decodeEscape(s []byte, i int) (rune, int, bool) {
	if i+1 >= len(s) {
		return '\\', 1, false
	}
	switch c := s[i+1]; c {
	case '"', '\\', '/':
		return rune(c), 2, true
	case 'b':
		return '\b', 2, true
	case 'f':
		return '\f', 2, true
	case 'n':
		return '\n', 2, true
	case 'r':
		return '\r', 2, true
	case 't':
		return '\t', 2, true
	case 'u':
		return decodeUnicode(s, i)
	default:
		return rune(c), 2, false
	}
}

// decodeUnicode decodes \uXXXX at s[i], with the low surrogate's escape after it for a pair.
func decodeUnicode(s []byte, i int) (rune, int, bool) {
	r, ok := hex4(s, i+2)
	if !ok {
		return 'u', 2, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, true
	}
	if i+11 < len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
		if r2, ok := hex4(s, i+8); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 12, true
			}
		}
	}
	return utf8.RuneError, 6, true
}

// hex4 reads four hex digits at s[i].
func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
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

// StringContent returns what is between the quotes of the string token tok (its closing quote
// may be missing).
func StringContent(tok []byte) []byte {
	if len(tok) < 2 {
		return nil
	}
	end := len(tok) - 1
	if tok[end] != '"' {
		end = len(tok)
	}
	return tok[1:end]
}

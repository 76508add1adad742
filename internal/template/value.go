package template

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// The writers below re-emit JSON the way a Java service serialises it: no insignificant
// whitespace; strings with only ", \ and control characters escaped (\b \t \n \f \r short,
// others as \u00XX), non-ASCII as UTF-8, / unescaped. A record is copied as is wherever it
// already has that form, which is the common case.

const hexDigits = "0123456789ABCDEF"

// appendCanonical appends the JSON value raw without insignificant whitespace and with
// canonical string escapes. With strip, string delimiters are dropped: the documented way an
// object or array reads when it lands in a string context ({"a": "b"} becomes {a:b}).
func appendCanonical(dst, raw []byte, strip bool) []byte {
	for i := 0; i < len(raw); {
		switch c := raw[i]; c {
		case '"':
			end := stringEnd(raw, i)
			if end < 0 {
				end = len(raw)
			}
			dst = appendStringToken(dst, raw[i:end], !strip)
			i = end
		case ' ', '\t', '\n', '\r':
			i++
		default:
			j := i + 1
			for j < len(raw) && raw[j] != '"' && raw[j] > ' ' {
				j++
			}
			dst = append(dst, raw[i:j]...)
			i = j
		}
	}
	return dst
}

// appendStringToken appends the JSON string token tok (quotes included) with canonical
// escapes, with or without its quotes.
func appendStringToken(dst, tok []byte, quotes bool) []byte {
	content := stringContent(tok)
	if quotes {
		dst = append(dst, '"')
	}
	if plain(content) {
		dst = append(dst, content...)
	} else {
		dst = appendReescaped(dst, content)
	}
	if quotes {
		dst = append(dst, '"')
	}
	return dst
}

// stringContent returns what is between the quotes of a string token.
func stringContent(tok []byte) []byte {
	if len(tok) < 2 {
		return nil
	}
	end := len(tok) - 1
	if tok[end] != '"' {
		end = len(tok)
	}
	return tok[1:end]
}

// plain reports whether escaped JSON string content needs no rewriting.
func plain(content []byte) bool {
	for _, c := range content {
		if c < 0x20 || c == '\\' {
			return false
		}
	}
	return true
}

// appendReescaped decodes escaped content and escapes it again canonically.
func appendReescaped(dst, content []byte) []byte {
	for i := 0; i < len(content); {
		if content[i] == '\\' {
			r, n := decodeEscape(content, i)
			dst = appendEscapedRune(dst, r)
			i += n
			continue
		}
		r, n := utf8.DecodeRune(content[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, content[i])
		} else {
			dst = appendEscapedRune(dst, r)
		}
		i += n
	}
	return dst
}

// appendDecoded appends the text a JSON string token stands for.
func appendDecoded(dst, tok []byte) []byte {
	content := stringContent(tok)
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
		r, n := decodeEscape(content, i)
		dst = utf8.AppendRune(dst, r)
		i += n
	}
	return dst
}

// decodeEscape decodes the escape at s[i] (a backslash) and returns the rune and the bytes
// it used. A lone or malformed surrogate reads as U+FFFD; a malformed escape as its letter.
func decodeEscape(s []byte, i int) (rune, int) {
	if i+1 >= len(s) {
		return '\\', 1
	}
	switch c := s[i+1]; c {
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		return decodeUnicode(s, i)
	default:
		return rune(c), 2
	}
}

func decodeUnicode(s []byte, i int) (rune, int) {
	r, ok := hex4(s, i+2)
	if !ok {
		return 'u', 2
	}
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if i+11 < len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
		if r2, ok := hex4(s, i+8); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 12
			}
		}
	}
	return utf8.RuneError, 6
}

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

// appendEscapedRune appends r as it appears inside a canonical JSON string.
func appendEscapedRune(dst []byte, r rune) []byte {
	switch r {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	if r < 0x20 {
		return append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xF])
	}
	return utf8.AppendRune(dst, r)
}

// appendEscaped appends s escaped for the inside of a JSON string.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, c)
		} else {
			dst = appendEscapedRune(dst, r)
		}
		i += n
	}
	return dst
}

// appendQuoted appends s as a JSON string.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

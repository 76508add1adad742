package template

import "github.com/pipesim/pipesim/internal/rawjson"

// The writers below re-emit JSON the way a Java service serialises it: no insignificant
// whitespace; strings with only ", \ and control characters escaped (\b \t \n \f \r short,
// others as \u00XX), non-ASCII as UTF-8, / unescaped. A record is copied as is wherever it
// already has that form, which is the common case.

// appendCanonical appends the JSON value raw without insignificant whitespace and with
// canonical string escapes. With strip, string delimiters are dropped: the documented way an
// object or array reads when it lands in a string context ({"a": "b"} becomes {a:b}).
func appendCanonical(dst, raw []byte, strip bool) []byte {
	for i := 0; i < len(raw); {
		switch c := raw[i]; c {
		case '"':
			end := rawjson.StringEnd(raw, i)
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
	return rawjson.AppendToken(dst, tok, quotes, rawjson.Template)
}

// appendDecoded appends the text a JSON string token stands for.
func appendDecoded(dst, tok []byte) []byte {
	dst, _ = rawjson.AppendUnescaped(dst, rawjson.StringContent(tok))
	return dst
}

// appendEscaped appends s escaped for the inside of a JSON string.
func appendEscaped(dst []byte, s string) []byte {
	return rawjson.AppendEscaped(dst, s, rawjson.Template)
}

// appendQuoted appends s as a JSON string.
func appendQuoted(dst []byte, s string) []byte {
	return rawjson.AppendString(dst, s, rawjson.Template)
}

package replay

import "math/bits"

// The scanners of shapedRecord's attribute values. Each takes the line and an index and returns
// the index after what it checked, or -1 when the bytes are not the compact, valid JSON it
// expects. They work on indexes rather than a cursor because images are most of a record and
// the inner loops are where its time goes.

// maxShapedDepth bounds nesting inside attribute values; deeper values go the general way.
const maxShapedDepth = 64

// imageEnd checks an object of typed attribute values, {"name":{"S":"x"},...}, at s[i].
func imageEnd(s string, i int) int {
	if i >= len(s) || s[i] != '{' {
		return -1
	}
	if i++; i < len(s) && s[i] == '}' {
		return i + 1
	}
	for {
		if i = stringEnd(s, i); i < 0 || i+1 >= len(s) || s[i] != ':' || s[i+1] != '{' { // the name
			return -1
		}
		t := i + 2
		if i = stringEnd(s, t); i < 0 || i >= len(s) || s[i] != ':' || !isAttributeType(s[t+1:i-1]) {
			return -1
		}
		if i = valueEnd(s, i+1, 0); i < 0 || i+1 >= len(s) || s[i] != '}' {
			return -1
		}
		switch s[i+1] {
		case '}':
			return i + 2
		case ',':
			i += 2
		default:
			return -1
		}
	}
}

// isAttributeType is attributeTypes[t] without hashing.
func isAttributeType(t string) bool {
	switch t {
	case "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL":
		return true
	}
	return false
}

// valueEnd checks one compact JSON value at s[i].
func valueEnd(s string, i, depth int) int {
	if i >= len(s) || depth > maxShapedDepth {
		return -1
	}
	switch s[i] {
	case '"':
		return stringEnd(s, i)
	case '{':
		return containerEnd(s, i, '}', depth, true)
	case '[':
		return containerEnd(s, i, ']', depth, false)
	case 't':
		return literalEnd(s, i, "true")
	case 'f':
		return literalEnd(s, i, "false")
	case 'n':
		return literalEnd(s, i, "null")
	}
	return numberEnd(s, i)
}

func literalEnd(s string, i int, lit string) int {
	if len(s)-i >= len(lit) && s[i:i+len(lit)] == lit {
		return i + len(lit)
	}
	return -1
}

// containerEnd checks an object (keyed) or array whose opening byte is at s[i].
func containerEnd(s string, i int, closer byte, depth int, keyed bool) int {
	if i++; i < len(s) && s[i] == closer {
		return i + 1
	}
	for {
		if keyed {
			if i = stringEnd(s, i); i < 0 || i >= len(s) || s[i] != ':' {
				return -1
			}
			i++
		}
		if i = valueEnd(s, i, depth+1); i < 0 || i >= len(s) {
			return -1
		}
		switch s[i] {
		case ',':
			i++
		case closer:
			return i + 1
		default:
			return -1
		}
	}
}

// numberEnd checks a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(s string, i int) int {
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		if i = skipDigits(s, i+1); s[i-1] == '.' {
			return -1
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if i++; i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		if i = skipDigits(s, i); i == start {
			return -1
		}
	}
	return i
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// stringByte marks the bytes that end the plain run of a JSON string: '"', '\\' and the control
// characters, which JSON does not allow unescaped.
var stringByte = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// stringEnd checks the JSON string at s[i]. Bytes from 0x80 up are taken as they are, as
// gjson.Valid does.
func stringEnd(s string, i int) int {
	if i >= len(s) || s[i] != '"' {
		return -1
	}
	for i = plainRunEnd(s, i+1); i < len(s); i = plainRunEnd(s, i+1) {
		switch s[i] {
		case '"':
			return i + 1
		case '\\':
			if i = escapeEnd(s, i); i < 0 {
				return -1
			}
		default:
			return -1
		}
	}
	return -1
}

// plainRunEnd returns the index of the first byte from i on that ends a plain run in a JSON
// string (see stringByte), or len(s).
func plainRunEnd(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := specialMask(word(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < len(s) && !stringByte[s[i]] {
		i++
	}
	return i
}

// escapeEnd checks the escape at s[i] ('\\') and returns the index of its last byte, or -1.
func escapeEnd(s string, i int) int {
	if i+1 >= len(s) {
		return -1
	}
	switch s[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 1
	case 'u':
		if i+5 >= len(s) {
			return -1
		}
		for _, h := range []byte(s[i+2 : i+6]) {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return -1
			}
		}
		return i + 5
	}
	return -1
}

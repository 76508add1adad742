package replay

import (
	"github.com/tidwall/gjson"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// imageOK reports, without allocating, whether raw (valid JSON, already checked) is an object
// whose every value is an object with exactly one key that is an attribute type. It is the fast
// path of checkImage; a false answer is explained by the slow path.
func imageOK(raw []byte) bool {
	i := rawjson.SkipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = rawjson.SkipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return true
	}
	for i < len(raw) {
		if i >= len(raw) || raw[i] != '"' {
			return false
		}
		if i = rawjson.StringEnd(raw, i); i < 0 { // the attribute name
			return false
		}
		i = rawjson.SkipSpace(raw, rawjson.SkipSpace(raw, i)+1) // ':'
		if i = typedValue(raw, i); i < 0 {
			return false
		}
		i = rawjson.SkipSpace(raw, i)
		if i >= len(raw) {
			return false
		}
		if raw[i] == '}' {
			return true
		}
		i = rawjson.SkipSpace(raw, i+1) // ','
	}
	return false
}

// typedValue checks {"T": value} at i and returns the index after it, or -1.
func typedValue(raw []byte, i int) int {
	if i >= len(raw) || raw[i] != '{' {
		return -1
	}
	i = rawjson.SkipSpace(raw, i+1)
	if i >= len(raw) || raw[i] != '"' {
		return -1
	}
	end := rawjson.StringEnd(raw, i)
	if end < 0 || !isAttributeType(string(raw[i+1:end-1])) {
		return -1
	}
	i = rawjson.SkipSpace(raw, rawjson.SkipSpace(raw, end)+1)
	if i = rawjson.ValueEnd(raw, i); i < 0 {
		return -1
	}
	i = rawjson.SkipSpace(raw, i)
	if i >= len(raw) || raw[i] != '}' {
		return -1 // a second key
	}
	return i + 1
}

// rawBytes is the JSON text of r: a slice of src, which r was read from, when r is at its
// Index there, else a copy.
func rawBytes(src []byte, r gjson.Result) []byte {
	if r.Index > 0 && r.Index+len(r.Raw) <= len(src) && string(src[r.Index:r.Index+len(r.Raw)]) == r.Raw {
		return src[r.Index : r.Index+len(r.Raw)]
	}
	return []byte(r.Raw)
}

package replay

import "github.com/pipesim/pipesim/internal/rawjson"

// imageEnd checks an object of typed attribute values, {"name":{"S":"x"},...}, compact and valid
// JSON, at b[i] and returns the offset after it, or -1. Attribute values nest at most
// rawjson.MaxCompactDepth deep; deeper ones go the general way.
func imageEnd(b []byte, i int) int {
	if i >= len(b) || b[i] != '{' {
		return -1
	}
	if i++; i < len(b) && b[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return -1
		}
		// the name, then {"T":
		if end, _, ok := rawjson.ScanString(b, i); !ok || end+1 >= len(b) || b[end] != ':' || b[end+1] != '{' {
			return -1
		} else {
			i = end + 2
		}
		t := i
		end, esc, ok := rawjson.ScanString(b, t)
		if !ok || esc || b[t] != '"' || end >= len(b) || b[end] != ':' || !isAttributeType(string(b[t+1:end-1])) {
			return -1
		}
		if i = rawjson.CompactEnd(b, end+1); i < 0 || i+1 >= len(b) || b[i] != '}' {
			return -1
		}
		switch b[i+1] {
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

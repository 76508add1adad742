package replay

// imageOK reports, without allocating, whether raw (valid JSON, already checked) is an object
// whose every value is an object with exactly one key that is an attribute type. It is the fast
// path of checkImage; a false answer is explained by the slow path.
func imageOK(raw string) bool {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipWS(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return true
	}
	for i < len(raw) {
		if i = skipString(raw, i); i < 0 { // the attribute name
			return false
		}
		i = skipWS(raw, skipWS(raw, i)+1) // ':'
		if i = typedValue(raw, i); i < 0 {
			return false
		}
		i = skipWS(raw, i)
		if i >= len(raw) {
			return false
		}
		if raw[i] == '}' {
			return true
		}
		i = skipWS(raw, i+1) // ','
	}
	return false
}

// typedValue checks {"T": value} at i and returns the index after it, or -1.
func typedValue(raw string, i int) int {
	if i >= len(raw) || raw[i] != '{' {
		return -1
	}
	i = skipWS(raw, i+1)
	end := skipString(raw, i)
	if end < 0 || !attributeTypes[raw[i+1:end-1]] {
		return -1
	}
	i = skipWS(raw, skipWS(raw, end)+1)
	if i = skipValue(raw, i); i < 0 {
		return -1
	}
	i = skipWS(raw, i)
	if i >= len(raw) || raw[i] != '}' {
		return -1 // a second key
	}
	return i + 1
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at i, or -1.
func skipString(s string, i int) int {
	if i >= len(s) || s[i] != '"' {
		return -1
	}
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index after the value starting at i, or -1.
func skipValue(s string, i int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for ; i < len(s); i++ {
			switch s[i] {
			case '"':
				if i = skipString(s, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t' {
		i++
	}
	return i
}

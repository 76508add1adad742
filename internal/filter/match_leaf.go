package filter

import (
	"bytes"
	"slices"
)

// matchString reports whether a string value (decoded, without quotes)
// matches any matcher of the leaf.
func (lf *leaf) matchString(s []byte) bool {
	if lf.existsTrue || lf.hasString(s) {
		return true
	}
	if len(lf.ips) > 0 {
		if addr, n, ok := parseIP(s); ok {
			for _, r := range lf.ips {
				if r.contains(addr, n) {
					return true
				}
			}
		}
	}
	for k := range lf.ops {
		if lf.ops[k].matchString(s) {
			return true
		}
	}
	return false
}

func (lf *leaf) hasString(s []byte) bool {
	if lf.strSet != nil {
		_, ok := lf.strSet[string(s)]
		return ok
	}
	for _, x := range lf.strs {
		if x == string(s) {
			return true
		}
	}
	return false
}

func (o *op) matchString(s []byte) bool {
	switch o.kind {
	case opPrefix:
		return len(s) >= len(o.s) && string(s[:len(o.s)]) == o.s
	case opSuffix:
		return len(s) >= len(o.s) && string(s[len(s)-len(o.s):]) == o.s
	case opPrefixFold:
		return hasPrefixFold(s, o.s)
	case opSuffixFold:
		return hasSuffixFold(s, o.s)
	case opEqualsFold:
		return equalFoldBytes(s, o.s)
	case opExactly:
		return string(s) == o.s
	case opWildcard:
		return o.w.match(s)
	case opCIDR:
		addr, n, ok := parseIP(s)
		return ok && o.ip.contains(addr, n)
	case opNumeric:
		return false
	}
	return !o.excludesString(s)
}

// excludesString reports whether an anything-but operator rules s out.
func (o *op) excludesString(s []byte) bool {
	for k, x := range o.strs {
		switch o.kind {
		case opButStrings:
			if x == string(s) {
				return true
			}
		case opButPrefix:
			if bytes.HasPrefix(s, []byte(x)) {
				return true
			}
		case opButSuffix:
			if bytes.HasSuffix(s, []byte(x)) {
				return true
			}
		case opButFold:
			if equalFoldBytes(s, x) {
				return true
			}
		case opButWildcard:
			if o.wilds[k].match(s) {
				return true
			}
		}
	}
	return false
}

// matchNumber reports whether a number value (its JSON text) matches.
func (lf *leaf) matchNumber(text []byte) bool {
	if lf.existsTrue {
		return true
	}
	v, comp := int64(0), false
	computed := false
	value := func() (int64, bool) {
		if !computed {
			v, comp = comparable(text)
			computed = true
		}
		return v, comp
	}
	for _, x := range lf.nums {
		if x.text == string(text) {
			return true
		}
		if ev, ok := value(); ok && x.compOK && ev == x.val {
			return true
		}
	}
	for k := range lf.ops {
		o := &lf.ops[k]
		switch o.kind {
		case opNumeric:
			if ev, ok := value(); ok && o.rng.contains(ev) {
				return true
			}
		case opButNumbers:
			if ev, ok := value(); !ok || !slices.Contains(o.nums, ev) {
				return true
			}
		case opButStrings, opButPrefix, opButSuffix, opButFold, opButWildcard:
			return true
		}
	}
	return false
}

// matchLiteral reports whether true, false or null matches.
func (lf *leaf) matchLiteral(lit uint8) bool {
	if lf.existsTrue || lf.lits&lit != 0 {
		return true
	}
	for k := range lf.ops {
		switch lf.ops[k].kind {
		case opButStrings, opButNumbers, opButPrefix, opButSuffix, opButFold, opButWildcard:
			return true
		}
	}
	return false
}

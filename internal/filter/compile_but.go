package filter

// anythingBut compiles the value of an anything-but expression: a string, a
// number, a list of either, or an object with prefix, suffix,
// equals-ignore-case or wildcard.
func (c *compiler) anythingBut(v *pval, path string) (op, error) {
	switch v.kind {
	case pString:
		return op{kind: opButStrings, strs: []string{v.str}}, nil
	case pNumber:
		n, err := numericValue(v.str, path)
		return op{kind: opButNumbers, nums: []int64{n}}, err
	case pArray:
		return butList(v.items, path)
	case pObject:
		return c.butObject(v, path)
	}
	return op{}, failf(path, "Value of anything-but must be an array or single string/number value.")
}

// butList compiles anything-but's list form: all strings or all numbers.
func butList(items []*pval, path string) (op, error) {
	var o op
	hasStr, hasNum := false, false
	for _, it := range items {
		switch it.kind {
		case pString:
			o.strs, hasStr = append(o.strs, it.str), true
		case pNumber:
			n, err := numericValue(it.str, path)
			if err != nil {
				return o, err
			}
			o.nums, hasNum = append(o.nums, n), true
		default:
			return o, failf(path, "Inside anything but list, start|null|boolean is not supported.")
		}
	}
	if hasStr == hasNum {
		return o, failf(path, "Inside anything but list, either all values are number or string, mixed type is not supported")
	}
	o.kind = opButStrings
	if hasNum {
		o.kind = opButNumbers
	}
	return o, nil
}

var butKinds = map[string]opKind{
	"prefix":             opButPrefix,
	"suffix":             opButSuffix,
	"equals-ignore-case": opButFold,
	"wildcard":           opButWildcard,
}

// butObject compiles {"anything-but": {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": value or list}}.
func (c *compiler) butObject(v *pval, path string) (op, error) {
	if len(v.keys) == 0 {
		return op{}, failf(path, "Anything-But expression name not found")
	}
	name := v.keys[0]
	kind, ok := butKinds[name]
	if !ok {
		return op{}, failf(path, "Unsupported anything-but pattern: %s", name)
	}
	if len(v.keys) > 1 {
		return op{}, failf(path, "Too many elements in numeric expression")
	}
	c.flagUnsupported("anything-but/"+name, path)
	val := v.vals[0]
	var items []*pval
	switch val.kind {
	case pArray:
		items = val.items
	case pString, pNumber:
		items = []*pval{val}
	default:
		return op{}, failf(path, "Value of anything-but must be an array or single string/number value.")
	}
	o := op{kind: kind}
	for _, it := range items {
		if err := o.addButValue(it, path); err != nil {
			return o, err
		}
	}
	return o, nil
}

func (o *op) addButValue(it *pval, path string) error {
	if it.kind != pString {
		switch o.kind {
		case opButFold:
			return failf(path, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
		case opButWildcard:
			return failf(path, "wildcard match pattern must be a string")
		}
		return failf(path, "prefix/suffix match pattern must be a string")
	}
	switch o.kind {
	case opButPrefix, opButSuffix:
		if it.str == "" {
			return failf(path, "Null prefix/suffix not allowed")
		}
	case opButWildcard:
		w, err := parseWildcard(it.str, path)
		if err != nil {
			return err
		}
		o.wilds = append(o.wilds, w)
	}
	o.strs = append(o.strs, it.str)
	return nil
}

package filter

// leaf is the list of matchers of one field; any of them may match (OR).
type leaf struct {
	strs        []string            // exact string values
	strSet      map[string]struct{} // the same, when there are many
	nums        []exactNum
	lits        uint8 // litTrue | litFalse | litNull
	ips         []*ipRange
	ops         []op
	existsTrue  bool
	existsFalse bool
}

const (
	litTrue uint8 = 1 << iota
	litFalse
	litNull
)

const strSetThreshold = 8

// exactNum is a number value in a pattern: it matches the same spelling, or
// the same value when both sides are within EventBridge's numeric range.
type exactNum struct {
	text   string
	val    int64
	compOK bool
}

type opKind uint8

const (
	opPrefix opKind = iota
	opPrefixFold
	opSuffix
	opSuffixFold
	opEqualsFold
	opWildcard
	opNumeric
	opCIDR
	opExactly
	opButStrings
	opButNumbers
	opButPrefix
	opButSuffix
	opButFold
	opButWildcard
)

// op is one operator matcher.
type op struct {
	kind  opKind
	s     string
	w     *wildcard
	rng   numRange
	ip    *ipRange
	strs  []string
	nums  []int64
	wilds []*wildcard
}

// leaf compiles the array value of a field.
func (c *compiler) leaf(v *pval, path string) (*leaf, error) {
	if len(v.items) == 0 {
		return nil, failf(path, "Empty arrays are not allowed")
	}
	lf := &leaf{}
	for _, it := range v.items {
		if err := c.leafItem(lf, it, path); err != nil {
			return nil, err
		}
	}
	if len(lf.strs) > strSetThreshold {
		lf.strSet = make(map[string]struct{}, len(lf.strs))
		for _, s := range lf.strs {
			lf.strSet[s] = struct{}{}
		}
	}
	return lf, nil
}

func (c *compiler) leafItem(lf *leaf, it *pval, path string) error {
	switch it.kind {
	case pString:
		if r, ok := exactIP(it.str); ok {
			lf.ips = append(lf.ips, r)
		} else {
			lf.strs = append(lf.strs, it.str)
		}
	case pNumber:
		v, ok := comparable([]byte(it.str))
		lf.nums = append(lf.nums, exactNum{text: it.str, val: v, compOK: ok})
	case pTrue:
		lf.lits |= litTrue
	case pFalse:
		lf.lits |= litFalse
	case pNull:
		lf.lits |= litNull
	case pObject:
		return c.expression(lf, it, path)
	default:
		return failf(path, "Match value must be String, number, true, false, or null")
	}
	return nil
}

// expression compiles a match expression such as {"prefix": "us-"}.
func (c *compiler) expression(lf *leaf, it *pval, path string) error {
	if len(it.keys) == 0 {
		return failf(path, "Match expression name not found")
	}
	if len(it.keys) > 1 {
		return failf(path, "Only one key allowed in match expression")
	}
	name, v := it.keys[0], it.vals[0]
	switch name {
	case "exists":
		return existsExpr(lf, v, path)
	case "prefix", "suffix":
		o, err := c.affixExpr(name, v, path)
		lf.ops = append(lf.ops, o)
		return err
	case "equals-ignore-case":
		if v.kind != pString {
			return failf(path, "equals-ignore-case match pattern must be a string")
		}
		lf.ops = append(lf.ops, op{kind: opEqualsFold, s: v.str})
	case "exactly":
		if v.kind != pString {
			return failf(path, "exact match pattern must be a string")
		}
		lf.ops = append(lf.ops, op{kind: opExactly, s: v.str})
	case "wildcard":
		return c.wildcardExpr(lf, v, path)
	case "numeric":
		return numericExpr(lf, v, path)
	case "cidr":
		return cidrExpr(lf, v, path)
	case "anything-but":
		o, err := c.anythingBut(v, path)
		lf.ops = append(lf.ops, o)
		return err
	default:
		return failf(path, "Unrecognized match type %s", name)
	}
	return nil
}

func existsExpr(lf *leaf, v *pval, path string) error {
	switch v.kind {
	case pTrue:
		lf.existsTrue = true
	case pFalse:
		lf.existsFalse = true
	default:
		return failf(path, "exists match pattern must be either true or false.")
	}
	return nil
}

// affixExpr compiles prefix or suffix, with an optional equals-ignore-case.
func (c *compiler) affixExpr(name string, v *pval, path string) (op, error) {
	kind, foldKind := opPrefix, opPrefixFold
	if name == "suffix" {
		kind, foldKind = opSuffix, opSuffixFold
	}
	if v.kind == pObject {
		if len(v.keys) != 1 {
			return op{}, failf(path, "Only one key allowed in match expression")
		}
		if v.keys[0] != "equals-ignore-case" {
			return op{}, failf(path, "Unsupported %s pattern: %s", name, v.keys[0])
		}
		if v.vals[0].kind != pString {
			return op{}, failf(path, "equals-ignore-case match pattern must be a string")
		}
		return op{kind: foldKind, s: v.vals[0].str}, nil
	}
	if v.kind != pString {
		return op{}, failf(path, "%s match pattern must be a string", name)
	}
	return op{kind: kind, s: v.str}, nil
}

const maxWildcardComplexity = 4

func (c *compiler) wildcardExpr(lf *leaf, v *pval, path string) error {
	if v.kind != pString {
		return failf(path, "wildcard match pattern must be a string")
	}
	w, err := parseWildcard(v.str, path)
	if err != nil {
		return err
	}
	if w.complexity() > maxWildcardComplexity {
		return failf(path, "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character")
	}
	c.flagUnsupported("wildcard", path)
	lf.ops = append(lf.ops, op{kind: opWildcard, w: w})
	return nil
}

func cidrExpr(lf *leaf, v *pval, path string) error {
	if v.kind != pString {
		return failf(path, "prefix match pattern must be a string")
	}
	r, err := parseCIDR(v.str, path)
	if err != nil {
		return err
	}
	lf.ops = append(lf.ops, op{kind: opCIDR, ip: r})
	return nil
}

// numericExpr compiles {"numeric": [op, n] or [lower-op, n, upper-op, n]}.
func numericExpr(lf *leaf, v *pval, path string) error {
	if v.kind != pArray {
		return failf(path, "Value of numeric must be an array.")
	}
	rng, err := numericRange(v.items, path)
	if err != nil {
		return err
	}
	lf.ops = append(lf.ops, op{kind: opNumeric, rng: rng})
	return nil
}

func numericRange(items []*pval, path string) (numRange, error) {
	var r numRange
	if len(items) == 0 || items[0].kind != pString {
		return r, failf(path, "Invalid member in numeric match: %s", memberText(items, 0))
	}
	operator := items[0].str
	val, err := numericOperand(items, 1, operator, path)
	if err != nil {
		return r, err
	}
	switch operator {
	case "=":
		r = numRange{lo: val, hi: val, hasLo: true, hasHi: true}
		return r, noMoreTerms(items, 2, path)
	case "<", "<=":
		r = numRange{hi: val, hasHi: true, openHi: operator == "<"}
		return r, noMoreTerms(items, 2, path)
	case ">", ">=":
		r = numRange{lo: val, hasLo: true, openLo: operator == ">"}
		if len(items) == 2 {
			return r, nil
		}
		return upperBound(r, items, path)
	}
	return r, failf(path, "Unrecognized numeric range operator: %s", operator)
}

func upperBound(r numRange, items []*pval, path string) (numRange, error) {
	if items[2].kind != pString {
		return r, failf(path, "Bad value in numeric range: %s", items[2].str)
	}
	operator := items[2].str
	if operator != "<" && operator != "<=" {
		return r, failf(path, "Bad numeric range operator: %s", operator)
	}
	val, err := numericOperand(items, 3, operator, path)
	if err != nil {
		return r, err
	}
	if len(items) > 4 {
		return r, failf(path, "Too many terms in numeric range expression")
	}
	r.hi, r.hasHi, r.openHi = val, true, operator == "<"
	if r.lo >= r.hi { // Event Ruler's Range.between: equal bounds are rejected too, open or not
		return r, failf(path, "Bottom must be less than top")
	}
	return r, nil
}

func noMoreTerms(items []*pval, n int, path string) error {
	if len(items) > n {
		return failf(path, "Too many elements in numeric expression")
	}
	return nil
}

func memberText(items []*pval, i int) string {
	if i >= len(items) {
		return "]"
	}
	return items[i].str
}

// numericOperand reads the number after operator; AWS names the operator
// when it is missing or not a number.
func numericOperand(items []*pval, i int, operator, path string) (int64, error) {
	name := operator
	if operator == "=" {
		name = "equals"
	}
	if i >= len(items) || items[i].kind != pNumber {
		return 0, failf(path, "Value of %s must be numeric", name)
	}
	return numericValue(items[i].str, path)
}

// numericValue converts a pattern number, rejecting what EventBridge cannot
// compare.
func numericValue(text, path string) (int64, error) {
	v, ok := comparable([]byte(text))
	if ok {
		return v, nil
	}
	if scaleExponent(text) < -numericScale {
		return 0, failf(path, "Only values upto 6 decimals are supported: %s", text)
	}
	return 0, failf(path, "Value must be between -5.0E9 and 5.0E9, inclusive: %s", text)
}

// scaleExponent returns the power of ten of a number's last significant
// digit, to tell "too precise" from "too large".
func scaleExponent(text string) int {
	s := []byte(text)
	if end, ok := scanNumber(s, 0); !ok || end != len(s) {
		return 0
	}
	mant, exp, ok := mantissa(s)
	if !ok {
		return 0
	}
	for i := len(mant) - 1; i >= 0 && (mant[i] == '0' || mant[i] == '.'); i-- {
		if mant[i] == '0' {
			exp++
		}
	}
	return exp
}

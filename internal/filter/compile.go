package filter

import (
	"strings"
)

// Pattern is one compiled EventBridge event pattern. It is immutable and safe
// for concurrent use.
type Pattern struct {
	root        *node
	unsupported []unsupportedOp // operators Pipes rejects
}

// unsupportedOp is an operator Pipes rejects and where it is.
type unsupportedOp struct{ op, path string }

func (u unsupportedOp) String() string { return u.op + " at " + displayPath(u.path) }

// node is an object level of a pattern: every field must match (AND), and
// for each $or group at least one alternative must match.
type node struct {
	fields   []field
	ors      [][]*node
	full     uint64 // bit i set for fields[i]
	absentOK bool   // the node matches where the event has nothing
	hasChild bool   // some field descends into an object
}

// field is one key of a node: a leaf (a list of matchers) or a child object.
// A key may appear twice, once as a leaf and once as a child.
type field struct {
	name     string
	leaf     *leaf
	child    *node
	absentOK bool
	hidden   bool  // never present in the event (Pipes poller fields)
	slot     int32 // the field's path in its Filters' slot trie
}

const (
	orKeyword       = "$or"
	maxCombinations = 1000
	maxNodeFields   = 64
)

// reservedInOr are names event-ruler refuses as field names inside $or.
var reservedInOr = map[string]bool{
	"exactly": true, "equals-ignore-case": true, "prefix": true, "suffix": true,
	"anything-but": true, "exists": true, "wildcard": true, "numeric": true, "cidr": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
}

// CompilePattern compiles an event pattern in the full EventBridge pattern
// language, as `aws events test-event-pattern` accepts it. It returns a
// *PatternError when the pattern is invalid.
func CompilePattern(pattern string) (*Pattern, error) {
	p, err := compile(pattern)
	if err != nil {
		return nil, toPatternError(-1, err)
	}
	return p, nil
}

func compile(pattern string) (*Pattern, error) {
	pv, err := parsePattern(pattern)
	if err != nil {
		return nil, err
	}
	if pv.kind != pObject {
		return nil, failf("", "Filter is not an object")
	}
	c := &compiler{}
	root := &node{}
	if err := c.object(root, pv, "", false); err != nil {
		return nil, err
	}
	if root.combinations() > maxCombinations {
		return nil, failf("", "The pattern expands to more than %d combinations of $or alternatives", maxCombinations)
	}
	// A path put twice into one of Event Ruler's sub-rules: the pattern is its sub-rules.
	sr := &subRules{}
	sr.object(pv, "")
	if sr.overridden {
		if root, err = fromSubRules(sr.rules); err != nil {
			return nil, err
		}
	}
	if err := root.checkWidth(""); err != nil {
		return nil, err
	}
	root.finish()
	return &Pattern{root: root, unsupported: c.unsupported}, nil
}

type compiler struct {
	unsupported []unsupportedOp
}

func (c *compiler) flagUnsupported(op, path string) {
	c.unsupported = append(c.unsupported, unsupportedOp{op, path})
}

func displayPath(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// object compiles the pattern object pv into n.
func (c *compiler) object(n *node, pv *pval, path string, inOr bool) error {
	if len(pv.keys) == 0 {
		return failf(path, "Empty objects are not allowed")
	}
	for i, key := range pv.keys {
		if err := c.member(n, key, pv.vals[i], path, inOr); err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) member(n *node, key string, v *pval, path string, inOr bool) error {
	if key == orKeyword && isOrList(v) {
		return c.orGroup(n, v, path)
	}
	if inOr && reservedInOr[key] {
		return failf(path, "%s is Ruler reserved fieldName which cannot be used inside %s.", key, orKeyword)
	}
	// EventBridge joins path steps with dots, so "a.b" and {"a": {"b"}}
	// name the same field.
	steps := strings.Split(key, ".")
	target := n
	for _, step := range steps[:len(steps)-1] {
		target = target.childNode(step)
	}
	last := steps[len(steps)-1]
	sub := joinPath(path, key)
	switch v.kind {
	case pObject:
		return c.object(target.childNode(last), v, sub, inOr)
	case pArray:
		lf, err := c.leaf(v, sub)
		if err != nil {
			return err
		}
		target.setLeaf(last, lf)
		return nil
	}
	return failf(sub, "%q must be an object or an array", key)
}

// isOrList reports whether v is a valid $or value: an array of at least two
// objects. Anything else makes "$or" an ordinary field name, as in
// event-ruler.
func isOrList(v *pval) bool {
	if v.kind != pArray || len(v.items) < 2 {
		return false
	}
	for _, it := range v.items {
		if it.kind != pObject {
			return false
		}
	}
	return true
}

func (c *compiler) orGroup(n *node, v *pval, path string) error {
	alts := make([]*node, 0, len(v.items))
	for _, it := range v.items {
		alt := &node{}
		if err := c.object(alt, it, path, true); err != nil {
			return err
		}
		alts = append(alts, alt)
	}
	n.ors = append(n.ors, alts)
	return nil
}

// childNode returns the child object node for name, creating it.
func (n *node) childNode(name string) *node {
	for i := range n.fields {
		if f := &n.fields[i]; f.name == name && f.child != nil {
			return f.child
		}
	}
	child := &node{}
	n.fields = append(n.fields, field{name: name, child: child})
	return child
}

// setLeaf sets the matchers for name; a later definition replaces an earlier
// one, as a repeated key does on AWS.
func (n *node) setLeaf(name string, lf *leaf) {
	for i := range n.fields {
		if f := &n.fields[i]; f.name == name && f.leaf != nil {
			f.leaf = lf
			return
		}
	}
	n.fields = append(n.fields, field{name: name, leaf: lf})
}

// combinations counts the rules this node expands to once every $or is
// distributed, the count AWS limits.
func (n *node) combinations() int {
	total := 1
	for _, f := range n.fields {
		if f.child != nil {
			total = capMul(total, f.child.combinations())
		}
	}
	for _, alts := range n.ors {
		sum := 0
		for _, a := range alts {
			sum = min(sum+a.combinations(), maxCombinations+1)
		}
		total = capMul(total, sum)
	}
	return total
}

func capMul(a, b int) int {
	if a > maxCombinations || b > maxCombinations {
		return maxCombinations + 1
	}
	return min(a*b, maxCombinations+1)
}

// finish computes the derived flags bottom-up.
func (n *node) finish() {
	n.absentOK = true
	n.full = 0
	for i := range n.fields {
		f := &n.fields[i]
		if f.child != nil {
			f.child.finish()
			f.absentOK = f.child.absentOK
			n.hasChild = true
		} else {
			f.absentOK = f.leaf.existsFalse
		}
		n.absentOK = n.absentOK && f.absentOK
		if i < maxNodeFields {
			n.full |= 1 << i
		}
	}
	for _, alts := range n.ors {
		any := false
		for _, a := range alts {
			a.finish()
			any = any || a.absentOK
		}
		n.absentOK = n.absentOK && any
	}
}

// checkWidth rejects object levels with more fields than the matcher's bit
// sets hold.
func (n *node) checkWidth(path string) error {
	if len(n.fields) > maxNodeFields {
		return failf(path, "pipesim supports at most %d fields in one object of a pattern", maxNodeFields)
	}
	for _, f := range n.fields {
		if f.child != nil {
			if err := f.child.checkWidth(joinPath(path, f.name)); err != nil {
				return err
			}
		}
	}
	for _, alts := range n.ors {
		for _, a := range alts {
			if err := a.checkWidth(path); err != nil {
				return err
			}
		}
	}
	return nil
}

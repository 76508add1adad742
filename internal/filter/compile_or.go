package filter

import (
	"maps"
	"slices"
	"strings"
)

// Event Ruler (JsonRuleCompiler) reads a pattern as a stream and compiles it into sub-rules, each
// a map from a dotted path to its matchers, any one of which matching is a match. Members are
// read in order: a leaf puts its path in every current sub-rule, replacing what an earlier member
// put there ("rule overriding", on by default), and an $or replaces the sub-rules with one copy
// per alternative, that alternative's members read into its copies. So in
//
//	{"a": ["x"], "$or": [{"a": ["y"]}, {"b": ["1"]}]}
//
// the sub-rules are {a: y} and {a: x, b: 1}: the alternative's "a" replaces the enclosing one in
// its branch, and {"a": "y", "b": "0"} matches. Read as fields AND'ed with their $or groups (the
// node tree compile builds), the pattern would ask for a = x and a = y at once.
//
// When no path is ever put twice into one sub-rule, the two readings agree, and compile keeps its
// node tree. When one is, compile rebuilds the pattern from the sub-rules: one $or group whose
// alternatives are the sub-rules.

// subRule is one Event Ruler sub-rule: the leaf pattern of each path, paths in the order first
// put.
type subRule struct {
	paths  []string
	leaves map[string]*pval
}

func (r *subRule) clone() *subRule {
	return &subRule{paths: slices.Clone(r.paths), leaves: maps.Clone(r.leaves)}
}

// subRules reads pattern objects into sub-rules as Event Ruler does. overridden records whether
// a path was put twice into one sub-rule.
type subRules struct {
	rules      []*subRule
	overridden bool
}

// object reads the members of pv, at path, into the current sub-rules. The pattern has been
// compiled (and so validated) already.
func (s *subRules) object(pv *pval, path string) {
	for i, key := range pv.keys {
		v := pv.vals[i]
		switch {
		case key == orKeyword && isOrList(v):
			s.or(v, path)
		case v.kind == pObject:
			s.object(v, joinPath(path, key))
		case v.kind == pArray:
			s.put(joinPath(path, key), v)
		}
	}
}

// put sets path's leaf in every sub-rule, creating the first sub-rule if there is none.
func (s *subRules) put(path string, leaf *pval) {
	if len(s.rules) == 0 {
		s.rules = []*subRule{{leaves: map[string]*pval{}}}
	}
	for _, r := range s.rules {
		if _, ok := r.leaves[path]; ok {
			s.overridden = true
		} else {
			r.paths = append(r.paths, path)
		}
		r.leaves[path] = leaf
	}
}

// or replaces the sub-rules with, for each alternative, a copy of them with the alternative read
// into it.
func (s *subRules) or(v *pval, path string) {
	current := s.rules
	var out []*subRule
	for _, alt := range v.items {
		copies := make([]*subRule, 0, max(len(current), 1))
		for _, r := range current {
			copies = append(copies, r.clone())
		}
		s.rules = copies
		s.object(alt, path)
		out = append(out, s.rules...)
	}
	s.rules = out
}

// fromSubRules builds the node tree of the pattern's sub-rules: the one sub-rule's node, or a
// node with one $or group of them.
func fromSubRules(rules []*subRule) (*node, error) {
	c := &compiler{} // operators Pipes rejects were flagged by the first compile
	alts := make([]*node, 0, len(rules))
	for _, r := range rules {
		n := &node{}
		for _, path := range r.paths {
			steps := strings.Split(path, ".")
			target := n
			for _, step := range steps[:len(steps)-1] {
				target = target.childNode(step)
			}
			lf, err := c.leaf(r.leaves[path], path)
			if err != nil {
				return nil, err
			}
			target.setLeaf(steps[len(steps)-1], lf)
		}
		alts = append(alts, n)
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &node{ors: [][]*node{alts}}, nil
}

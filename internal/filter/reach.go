package filter

import (
	"slices"
	"strings"
)

// Facts describe a kind of record for MayMatch: the string values of some fields, and the paths
// it lacks. Paths are dotted, as patterns write them: "eventName", "dynamodb.NewImage".
type Facts struct {
	// Values are string values the record holds, by path.
	Values map[string]string
	// Absent are paths the record does not have, with everything below them.
	Absent []string
}

// MayMatch reports whether a record with the facts could pass the filters: false means none can;
// true means one may (the answer over-approximates: fields the facts say nothing about are
// assumed to hold whatever a pattern wants). With no filters every record passes. pipesim check
// asks it, for example, whether REMOVE records (eventName REMOVE, no dynamodb.NewImage) reach
// a pipe's target.
func (f *Filters) MayMatch(facts Facts) bool {
	if f == nil || len(f.patterns) == 0 {
		return true
	}
	for _, p := range f.patterns {
		if p.root.mayMatch("", &facts) {
			return true
		}
	}
	return false
}

// mayMatch is MayMatch for one object level of a pattern, at path.
func (n *node) mayMatch(path string, facts *Facts) bool {
	for k := range n.fields {
		f := &n.fields[k]
		sub := joinPath(path, f.name)
		if f.hidden || facts.absent(sub) {
			if !f.absentOK {
				return false
			}
			continue
		}
		if v, ok := facts.Values[sub]; ok && f.leaf != nil && !f.leaf.matchString([]byte(v)) {
			return false
		}
		if f.child != nil && !f.child.mayMatch(sub, facts) {
			return false
		}
	}
	for _, alts := range n.ors {
		any := false
		for _, a := range alts {
			if a.mayMatch(path, facts) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	return true
}

// absent reports whether path is one of the absent paths or below one.
func (facts *Facts) absent(path string) bool {
	for _, a := range facts.Absent {
		if path == a || strings.HasPrefix(path, a+".") {
			return true
		}
	}
	return false
}

// FilterMayMatch is MayMatch for the filter at index i alone.
func (f *Filters) FilterMayMatch(i int, facts Facts) bool {
	return f.patterns[i].root.mayMatch("", &facts)
}

// Fields returns the dotted paths the filter at index i names, objects and values alike
// ("dynamodb", "dynamodb.NewImage", "dynamodb.NewImage.a.S"), each once, in pattern order.
func (f *Filters) Fields(i int) []string {
	var out []string
	f.patterns[i].root.appendFields("", &out)
	return out
}

func (n *node) appendFields(path string, out *[]string) {
	for k := range n.fields {
		fd := &n.fields[k]
		sub := joinPath(path, fd.name)
		if !slices.Contains(*out, sub) {
			*out = append(*out, sub)
		}
		if fd.child != nil {
			fd.child.appendFields(sub, out)
		}
	}
	for _, alts := range n.ors {
		for _, a := range alts {
			a.appendFields(path, out)
		}
	}
}

// ExampleStrings returns exact string values a record may hold to pass the first filter: for each
// dotted path ("dynamodb.NewImage.status.S") that the first pattern matches against exact strings,
// the first such string (under $or, of the first alternative). A record holding them passes when
// the pattern's other conditions hold too. The web page fills its sample item with them; nil when
// there is no filter.
func (f *Filters) ExampleStrings() map[string]string {
	if f == nil || len(f.patterns) == 0 {
		return nil
	}
	out := map[string]string{}
	f.patterns[0].root.appendExamples("", out)
	return out
}

func (n *node) appendExamples(path string, out map[string]string) {
	for k := range n.fields {
		fd := &n.fields[k]
		sub := joinPath(path, fd.name)
		if fd.leaf != nil && len(fd.leaf.strs) > 0 {
			if _, ok := out[sub]; !ok {
				out[sub] = fd.leaf.strs[0]
			}
		}
		if fd.child != nil {
			fd.child.appendExamples(sub, out)
		}
	}
	for _, alts := range n.ors {
		if len(alts) > 0 {
			alts[0].appendExamples(path, out)
		}
	}
}

package template

import "github.com/pipesim/pipesim/internal/rawjson"

// Paths returns the record paths the template's placeholders read, as written ("$.a.b[0]"),
// each once, in the order they first appear. pipesim check reads them to find paths a record
// cannot have.
func (t *Template) Paths() []string {
	var out []string
	seen := map[string]bool{}
	for i := range t.segs {
		if p := t.segs[i].path; p != nil && !seen[p.text] {
			seen[p.text] = true
			out = append(out, p.text)
		}
	}
	return out
}

// Fields returns the field names a path steps through, array selectors left out:
// "$.dynamodb.NewImage.tags.L[0].S" gives dynamodb, NewImage, tags, L, S. A parameter that is
// not a path gives nil.
func (p Param) Fields() []string {
	if p.path == nil {
		return nil
	}
	return p.path.fields()
}

// PathFields is Param.Fields for one of the paths Paths returns; nil when path is not one.
func PathFields(path string) []string {
	p, err := parsePath(path)
	if err != nil {
		return nil
	}
	return p.fields()
}

func (p *path) fields() []string {
	out := make([]string, 0, len(p.steps))
	for _, s := range p.steps {
		if s.kind == stepKey {
			out = append(out, s.key)
		}
	}
	return out
}

// Absent returns the paths of the template that are absent from record, each once, in the order
// they appear: what rendered as the Missing option says rather than from the record. It walks
// the record again, so a caller asks only when it shows the answer (the execution trace).
func (t *Template) Absent(doc *rawjson.Doc) []string {
	var out []string
	for i := range t.segs {
		p := t.segs[i].path
		if p == nil {
			continue
		}
		if _, st := p.resolve(doc); st == rawjson.Absent && !contains(out, p.text) {
			out = append(out, p.text)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

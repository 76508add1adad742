package template

import (
	"encoding/json"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// walkDepth is how many leading steps of the previous path a render remembers.
const walkDepth = 16

// walk remembers where the values of the previous path's first n steps start in the record, so
// that the next path sharing those steps starts from there instead of the root.
type walk struct {
	n int
	// exact is how many of the first n positions a walk from the root would find too: a member
	// found from a sibling's hint may be a later duplicate of its key.
	exact  int
	pos    [walkDepth]int // where the value selected by step n starts; -1 when not known
	keyPos [walkDepth]int // where the key of the member step n selected starts, or -1
}

// resolve returns the raw JSON of the value p selects in doc, without copying it when the path
// has no wildcard. A wildcard path returns a new JSON array of every match.
func (p *path) resolve(doc *rawjson.Doc) ([]byte, rawjson.Status) {
	b := doc.Bytes()
	switch {
	case p.wildcard:
		return p.collect(b)
	case !p.memo: // the walk leaves the record (an SQS body holding JSON)
		return p.walkFrom(b, rawjson.SkipSpace(b, 0), 0, nil, -1)
	}
	start, end, st := doc.Find(p.doc)
	if st != rawjson.Found {
		return nil, st
	}
	return b[start:end], rawjson.Found
}

// resolveFrom is resolve starting after the first shared steps, whose positions w holds from
// the previous path; it leaves the positions of this path's steps in w.
func (p *path) resolveFrom(record []byte, w *walk, shared int) ([]byte, rawjson.Status) {
	if !p.memo {
		w.n, w.exact = 0, 0
		if p.wildcard {
			return p.collect(record)
		}
		return p.walkFrom(record, rawjson.SkipSpace(record, 0), 0, nil, -1)
	}
	k := min(shared, w.n)
	for k > 0 && w.pos[k-1] < 0 {
		k--
	}
	i := rawjson.SkipSpace(record, 0)
	if k > 0 {
		i = w.pos[k-1]
	}
	hint := -1
	if w.n > k && k < walkDepth {
		hint = w.keyPos[k] // the previous path took a sibling in the same object
	}
	w.n = k
	exact := min(w.exact, k)
	raw, st := p.walkFrom(record, i, k, w, hint)
	if w.exact = exact; hint < 0 && exact == k {
		w.exact = w.n
	}
	return raw, st
}

// cacheable reports whether the path's walk stays in the record (an SQS body holding JSON is
// walked in a decoded copy).
func (p *path) cacheable() bool {
	return len(p.steps) == 0 || p.steps[0].key != "body"
}

// walkFrom applies steps[k:] from b[i], recording positions in w when it is not nil. hint is
// where to start looking for step k's member (see rawjson.Member), or -1. The path has no
// wildcard.
func (p *path) walkFrom(b []byte, i, k int, w *walk, hint int) ([]byte, rawjson.Status) {
	for n := k; n < len(p.steps); n++ {
		var st rawjson.Status
		var keyPos int
		if n == 0 && !p.memo {
			b, i, keyPos, st = descend(b, i, &p.steps[n], true, hint)
		} else {
			i, keyPos, st = p.doc.Descend(b, n, i, hint)
		}
		if st != rawjson.Found {
			return nil, st
		}
		hint = -1
		if w != nil && n < walkDepth {
			w.pos[n], w.keyPos[n] = i, keyPos
			w.n = n + 1
		}
	}
	end := rawjson.ValueEnd(b, i)
	if end < 0 {
		return nil, rawjson.Malformed
	}
	return b[i:end], rawjson.Found
}

// sharedSteps returns how many leading steps a and b have in common, for paths whose walks stay
// in the record.
func sharedSteps(a, b *path) int {
	if !a.memo || !b.memo {
		return 0
	}
	return a.doc.Shared(b.doc)
}

// descend applies one key or index step to the value at b[i] and returns where the selected
// value starts. At the top level it reads an SQS body holding JSON as that JSON (implicit body
// data parsing), which moves the walk into a decoded copy.
// It also returns where the selected member's key starts (-1 for an array element); hint is
// passed on to rawjson.Member.
func descend(b []byte, i int, s *step, top bool, hint int) ([]byte, int, int, rawjson.Status) {
	if i >= len(b) {
		return nil, 0, -1, rawjson.Malformed
	}
	var pos, keyPos int
	var st rawjson.Status
	switch {
	case s.kind == stepKey && b[i] == '{':
		pos, keyPos, st = rawjson.Member(b, i, s.key, hint)
	case b[i] == '[' && s.index >= 0:
		pos, st = rawjson.Element(b, i, s.index)
		keyPos = -1
	default:
		return nil, 0, -1, rawjson.Absent
	}
	if st == rawjson.Found && top && s.key == "body" && pos < len(b) && b[pos] == '"' {
		if body, ok := jsonBody(b, pos); ok {
			return body, rawjson.SkipSpace(body, 0), -1, rawjson.Found
		}
	}
	return b, pos, keyPos, st
}

// jsonBody decodes the string at b[i] and returns it when it holds a JSON object or array.
func jsonBody(b []byte, i int) ([]byte, bool) {
	end := rawjson.StringEnd(b, i)
	if end < 0 {
		return nil, false
	}
	text := appendDecoded(nil, b[i:end])
	j := rawjson.SkipSpace(text, 0)
	if j == len(text) || text[j] != '{' && text[j] != '[' || !json.Valid(text) {
		return nil, false
	}
	return text, true
}

// collect walks a wildcard path and returns a JSON array of every value it reaches. The steps
// before the first wildcard must exist (else absent); after it, elements lacking the rest of
// the path are skipped, and nested wildcards flatten into the one array.
func (p *path) collect(record []byte) ([]byte, rawjson.Status) {
	out := []byte{'['}
	st := collectFrom(record, rawjson.SkipSpace(record, 0), p.steps, true, &out)
	if st != rawjson.Found {
		return nil, st
	}
	return append(out, ']'), rawjson.Found
}

// collectFrom walks steps from b[i], appending each value reached to out; top is true at the
// record's root.
func collectFrom(b []byte, i int, steps []step, top bool, out *[]byte) rawjson.Status {
	for n := range steps {
		if steps[n].kind == stepWildcard {
			return collectChildren(b, i, steps[n+1:], out)
		}
		var st rawjson.Status
		b, i, _, st = descend(b, i, &steps[n], top && n == 0, -1)
		if st != rawjson.Found {
			return st
		}
	}
	end := rawjson.ValueEnd(b, i)
	if end < 0 {
		return rawjson.Malformed
	}
	if len(*out) > 1 {
		*out = append(*out, ',')
	}
	*out = append(*out, b[i:end]...)
	return rawjson.Found
}

// collectChildren applies the rest of a path to every element of an array, or every member
// value of an object, at b[i].
func collectChildren(b []byte, i int, rest []step, out *[]byte) rawjson.Status {
	if i >= len(b) || b[i] != '[' && b[i] != '{' {
		return rawjson.Absent
	}
	obj := b[i] == '{'
	i = rawjson.SkipSpace(b, i+1)
	for i < len(b) && b[i] != ']' && b[i] != '}' {
		if obj {
			if i = skipKey(b, i); i < 0 {
				return rawjson.Malformed
			}
		}
		if collectFrom(b, i, rest, false, out) == rawjson.Malformed {
			return rawjson.Malformed
		}
		if i = rawjson.ValueEnd(b, i); i < 0 {
			return rawjson.Malformed
		}
		if i = rawjson.SkipSpace(b, i); i < len(b) && b[i] == ',' {
			i = rawjson.SkipSpace(b, i+1)
		}
	}
	if i >= len(b) {
		return rawjson.Malformed
	}
	return rawjson.Found
}

// skipKey skips `"key" :` at b[i] and returns where the member's value starts, or -1.
func skipKey(b []byte, i int) int {
	if b[i] != '"' {
		return -1
	}
	end := rawjson.StringEnd(b, i)
	if end < 0 {
		return -1
	}
	i = rawjson.SkipSpace(b, end)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return rawjson.SkipSpace(b, i+1)
}

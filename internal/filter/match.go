package filter

import (
	"bytes"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// maxEventDepth bounds nesting in events; deeper events do not match.
const maxEventDepth = 512

// matchState carries what one Match call learns on the way.
type matchState struct {
	// dotted is set when the event has a key with a dot that may name a
	// pattern field ("a.b" for pattern {"a": {"b": ...}}); the fast walk
	// cannot join such paths, so Match retries on a normalized copy.
	dotted bool
	// idx, when set, shares what one walk read of the record with the next
	// (Filters.Match with several filters).
	idx *indexSet
}

// Match reports whether the event (raw JSON bytes of an object) matches the
// pattern. Invalid JSON does not match. Match reads the event only as far as
// it needs: once every field of the pattern has matched it stops, so bytes
// after that point are not checked. It allocates nothing unless the event has
// keys containing dots that may name pattern fields.
func (p *Pattern) Match(doc *rawjson.Doc) bool {
	return p.match(doc.Bytes())
}

func (p *Pattern) match(event []byte) bool {
	var st matchState
	ok := p.root.matchDocument(event, &st)
	if st.dotted {
		return p.matchNormalized(event)
	}
	return ok
}

func (n *node) matchDocument(d []byte, st *matchState) bool {
	i := skipWS(d, 0)
	if i >= len(d) || d[i] != '{' {
		return false
	}
	_, sat, ok := n.evalObject(d, i+1, 1, stopOnMatch|stopOnFail, st)
	return ok && sat
}

// stopMode says when evalObject may return before reading the whole object,
// with end = -1: once the node matched (only the document root may), or once
// it failed (when the failure decides every enclosing node too).
type stopMode uint8

const (
	stopOnMatch stopMode = 1 << iota
	stopOnFail
)

// evalObject matches n against the object whose '{' precedes d[i]. It returns
// the offset after the object (or -1 when mode let it stop early), whether n
// matched, and ok=false on malformed JSON.
func (n *node) evalObject(d []byte, i, depth int, mode stopMode, st *matchState) (int, bool, bool) {
	if len(n.fields) == 0 {
		return n.evalOrsOnly(d, i, depth, mode, st)
	}
	if st.idx == nil {
		return n.evalObjectPlain(d, i, depth, mode, st)
	}
	var matched, seen uint64
	childMode := n.childMode(mode)
	it := openMembers(d, i, st)
	for {
		key, val, vend, status := it.next()
		switch status {
		case memberDone:
			return it.end, n.resolve(d, i, depth, matched, seen, st), true
		case memberBad:
			return 0, false, false
		}
		end, ok := n.member(d, key, val, vend, depth, mode, childMode, &matched, &seen, st)
		if !ok {
			return end, false, false
		}
		// A field seen without a match decides the node: JSON keys are
		// unique, so nothing later can rescue it.
		failed := seen&^matched != 0
		if failed && mode&stopOnFail != 0 || len(n.ors) == 0 && matched == n.full && mode&stopOnMatch != 0 {
			return -1, !failed, true
		}
		if !it.advance(end) {
			return 0, false, false
		}
		if failed || len(n.ors) == 0 && matched == n.full {
			return it.finish(depth, !failed)
		}
	}
}

// evalObjectPlain is evalObject without a memo: the single-pattern path,
// kept free of the iterator's bookkeeping.
func (n *node) evalObjectPlain(d []byte, i, depth int, mode stopMode, st *matchState) (int, bool, bool) {
	var matched, seen uint64
	childMode := n.childMode(mode)
	pos := skipWS(d, i)
	if pos < len(d) && d[pos] == '}' {
		return pos + 1, n.resolve(d, i, depth, matched, seen, st), true
	}
	for {
		key, val, ok := readKey(d, pos)
		if !ok {
			return 0, false, false
		}
		end, ok := n.member(d, key, val, -1, depth, mode, childMode, &matched, &seen, st)
		if !ok {
			return end, false, false
		}
		failed := seen&^matched != 0
		if failed && mode&stopOnFail != 0 || len(n.ors) == 0 && matched == n.full && mode&stopOnMatch != 0 {
			return -1, !failed, true
		}
		if failed || len(n.ors) == 0 && matched == n.full {
			end, ok = skipRestOfObject(d, end, depth)
			return end, !failed, ok
		}
		next, done, ok := nextMember(d, end, '}')
		if !ok {
			return next, false, false
		}
		if done {
			return next, n.resolve(d, i, depth, matched, seen, st), true
		}
		pos = skipWS(d, next)
	}
}

// childMode is the stop mode children inherit: they may stop on failure when
// their failure decides n, which $or groups prevent.
func (n *node) childMode(mode stopMode) stopMode {
	if len(n.ors) > 0 {
		return 0
	}
	return mode & stopOnFail
}

// evalOrsOnly matches a node made only of $or groups: the alternatives are
// tried first, and the object is skipped afterwards only if needed.
func (n *node) evalOrsOnly(d []byte, i, depth int, mode stopMode, st *matchState) (int, bool, bool) {
	sat := true
	for _, alts := range n.ors {
		if !anyAlternative(alts, d, i, depth, st) {
			sat = false
			break
		}
	}
	if sat && mode&stopOnMatch != 0 || !sat && mode&stopOnFail != 0 {
		return -1, sat, true
	}
	end, ok := skipNested(d, i, 1)
	return end, sat && ok, ok
}

// member matches the value at d[val] (ending at vend when known, else -1)
// against n's fields named key, recording the outcome in matched and seen. It
// returns the value's end, or -1 when a child stopped early (childMode
// allowed it).
func (n *node) member(d []byte, key []byte, val, vend, depth int, parentMode, childMode stopMode, matched, seen *uint64, st *matchState) (int, bool) {
	found := false
	end := val
	for idx := range n.fields {
		f := &n.fields[idx]
		if f.hidden || f.name != string(key) {
			continue
		}
		if found && end < 0 {
			break // the earlier entry already decided this node
		}
		found = true
		mode := childMode
		if decidesMatch(parentMode, n, *matched, idx) {
			mode |= stopOnMatch // this field completes the node: no need to read on
		}
		var ok bool
		if end, ok = f.eval(d, val, depth, idx, mode, matched, seen, st); !ok {
			return end, false
		}
	}
	if found {
		return end, true
	}
	if n.hasChild && hasDot(key) && n.namesChild(key) {
		st.dotted = true
	}
	if vend >= 0 {
		return vend, true
	}
	return skipValue(d, val, depth)
}

// decidesMatch reports whether field idx matching would complete n, so the
// child may stop reading once it matched.
func decidesMatch(mode stopMode, n *node, matched uint64, idx int) bool {
	return mode&stopOnMatch != 0 && len(n.ors) == 0 && matched|uint64(1)<<idx == n.full
}

// eval matches the value at d[i] against field f (index idx of its node).
func (f *field) eval(d []byte, i, depth, idx int, childMode stopMode, matched, seen *uint64, st *matchState) (int, bool) {
	bit := uint64(1) << idx
	if f.child != nil {
		if *matched&bit != 0 {
			// a repeated key whose first value matched: this one cannot
			// fail the node, so the child must not stop reading on failure
			childMode &^= stopOnFail
		}
		end, sat, ok := f.child.evalValue(d, i, depth, childMode, st)
		*seen |= bit
		if sat {
			*matched |= bit
		}
		return end, ok
	}
	end, m, s, ok := f.leaf.evalValue(d, i, depth)
	if m {
		*matched |= bit
	}
	if s {
		*seen |= bit
	}
	return end, ok
}

// hasDot is bytes.IndexByte for the short keys of records, without the call.
func hasDot(key []byte) bool {
	for _, c := range key {
		if c == '.' {
			return true
		}
	}
	return false
}

// namesChild reports whether a dotted event key starts with the name of one
// of n's child fields.
func (n *node) namesChild(key []byte) bool {
	first := key[:bytes.IndexByte(key, '.')]
	for _, f := range n.fields {
		if f.child != nil && f.name == string(first) {
			return true
		}
	}
	return false
}

// resolve decides n once its object has been read: fields that matched,
// fields absent where absence is enough, and the $or groups.
func (n *node) resolve(d []byte, start, depth int, matched, seen uint64, st *matchState) bool {
	for idx := range n.fields {
		bit := uint64(1) << idx
		if matched&bit != 0 || seen&bit == 0 && n.fields[idx].absentOK {
			continue
		}
		return false
	}
	for _, alts := range n.ors {
		if !anyAlternative(alts, d, start, depth, st) {
			return false
		}
	}
	return true
}

// anyAlternative tries each $or alternative on the object at d[start]; their
// end offsets are not needed, so they may stop as soon as they are decided.
func anyAlternative(alts []*node, d []byte, start, depth int, st *matchState) bool {
	for _, alt := range alts {
		if _, sat, ok := alt.evalObject(d, start, depth, stopOnMatch|stopOnFail, st); ok && sat {
			return true
		}
	}
	return false
}

// evalValue matches an object node against the value at d[i]: an object
// directly, an array element by element (any may match), and anything else
// as if the node's fields were absent.
func (n *node) evalValue(d []byte, i, depth int, mode stopMode, st *matchState) (int, bool, bool) {
	if i >= len(d) || depth > maxEventDepth {
		return i, false, false
	}
	switch d[i] {
	case '{':
		return n.evalObject(d, i+1, depth+1, mode, st)
	case '[':
		return n.evalArray(d, i+1, depth+1, st)
	}
	end, ok := skipValue(d, i, depth)
	return end, n.absentOK, ok
}

func (n *node) evalArray(d []byte, i, depth int, st *matchState) (int, bool, bool) {
	i = skipWS(d, i)
	if i < len(d) && d[i] == ']' {
		return i + 1, n.absentOK, true
	}
	sat := false
	for {
		end, s, ok := n.evalValue(d, skipWS(d, i), depth, 0, st)
		if !ok {
			return end, false, false
		}
		sat = sat || s
		var done bool
		if i, done, ok = nextMember(d, end, ']'); !ok || done {
			return i, sat && ok, ok
		}
	}
}

// evalValue matches a leaf against the value at d[i]. matched reports a
// matching leaf value; seen reports that there was any leaf value at all
// (objects and empty arrays have none).
func (lf *leaf) evalValue(d []byte, i, depth int) (end int, matched, seen, ok bool) {
	if i >= len(d) || depth > maxEventDepth {
		return i, false, false, false
	}
	switch c := d[i]; {
	case c == '"':
		return lf.evalString(d, i)
	case c == '{':
		end, ok = skipValue(d, i, depth)
		return end, false, false, ok
	case c == '[':
		return lf.evalArray(d, i+1, depth+1)
	case c == 't':
		end, ok = scanLiteral(d, i)
		return end, ok && lf.matchLiteral(litTrue), true, ok
	case c == 'f':
		end, ok = scanLiteral(d, i)
		return end, ok && lf.matchLiteral(litFalse), true, ok
	case c == 'n':
		end, ok = scanLiteral(d, i)
		return end, ok && lf.matchLiteral(litNull), true, ok
	}
	end, ok = scanNumber(d, i)
	return end, ok && lf.matchNumber(d[i:end]), true, ok
}

func (lf *leaf) evalString(d []byte, i int) (int, bool, bool, bool) {
	end, esc, ok := scanString(d, i)
	if !ok {
		return end, false, false, false
	}
	s := d[i+1 : end-1]
	if !esc {
		return end, lf.matchString(s), true, true
	}
	var buf [256]byte
	u, ok := appendUnescaped(buf[:0], s)
	return end, ok && lf.matchString(u), true, ok
}

func (lf *leaf) evalArray(d []byte, i, depth int) (int, bool, bool, bool) {
	i = skipWS(d, i)
	if i < len(d) && d[i] == ']' {
		return i + 1, false, false, true
	}
	var matched, seen bool
	for {
		end, m, s, ok := lf.evalValue(d, skipWS(d, i), depth)
		if !ok {
			return end, false, false, false
		}
		matched, seen = matched || m, seen || s
		var done bool
		if i, done, ok = nextMember(d, end, ']'); !ok || done {
			return i, matched && ok, seen, ok
		}
	}
}

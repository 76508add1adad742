package filter

// With several filters, Filters.Match first reads the record once, guided by
// a trie of every path the filters name, and notes where each path's value
// sits (a slot). Each filter is then decided from the slots without reading
// the record again. Records where this cannot be exact fall back to walking
// each filter: an array where a filter expects an object (array-consistent
// matching needs the walk), or a dotted key that may name a path.

const maxSlots = 64

// slotTrie holds the union of the filters' paths; node 0 is the record.
type slotTrie struct {
	names    []string
	children [][]int32
}

func (t *slotTrie) child(parent int32, name string) int32 {
	for _, c := range t.children[parent] {
		if t.names[c] == name {
			return c
		}
	}
	t.names = append(t.names, name)
	t.children = append(t.children, nil)
	c := int32(len(t.names) - 1)
	t.children[parent] = append(t.children[parent], c)
	return c
}

// add gives every field of n (and of its $or alternatives) the slot of its
// path below at.
func (t *slotTrie) add(n *node, at int32) {
	for k := range n.fields {
		f := &n.fields[k]
		if f.hidden {
			f.slot = -1
			continue
		}
		f.slot = t.child(at, f.name)
		if f.child != nil {
			t.add(f.child, f.slot)
		}
	}
	for _, alts := range n.ors {
		for _, a := range alts {
			t.add(a, at)
		}
	}
}

// buildSlots returns the trie for the patterns, or nil when they name more
// paths than the fast path holds.
func buildSlots(patterns []*Pattern) *slotTrie {
	t := &slotTrie{names: []string{""}, children: [][]int32{nil}}
	for _, p := range patterns {
		t.add(p.root, 0)
	}
	if len(t.names) > maxSlots {
		return nil
	}
	return t
}

type slotKind uint8

const (
	slotAbsent slotKind = iota
	slotObject
	slotArray
	slotOther
)

// slotValues is where one record holds each path's value (first occurrence).
type slotValues struct {
	off  [maxSlots]int32
	kind [maxSlots]slotKind
}

// read fills sv from the record. fallback reports a record the slots cannot
// describe exactly; ok is false for malformed JSON.
func (t *slotTrie) read(d []byte, sv *slotValues) (ok, fallback bool) {
	i := skipWS(d, 0)
	if i >= len(d) || d[i] != '{' {
		return false, false
	}
	_, ok, fallback = t.readObject(d, i+1, 0, sv)
	return ok, fallback
}

func (t *slotTrie) readObject(d []byte, i int, at int32, sv *slotValues) (end int, ok, fallback bool) {
	pos := skipWS(d, i)
	if pos < len(d) && d[pos] == '}' {
		return pos + 1, true, false
	}
	want, found := len(t.children[at]), 0
	for {
		key, val, ok := readKey(d, pos)
		if !ok {
			return 0, false, false
		}
		c := t.find(at, key)
		if c >= 0 && sv.kind[c] == slotAbsent {
			found++
		}
		end, ok, fallback := t.readMember(d, key, val, at, c, sv)
		if !ok || fallback {
			return end, ok, fallback
		}
		if found == want {
			// every path below this object is read; later keys could only
			// repeat one, and the first occurrence counts
			end, ok = skipRestOfObject(d, end, 0)
			return end, ok, false
		}
		next, done, ok := nextMember(d, end, '}')
		if !ok || done {
			return next, ok, false
		}
		pos = skipWS(d, next)
	}
}

// readMember notes the value of key (trie node c, or -1 when the trie does
// not name it) and descends into it when the trie goes deeper.
func (t *slotTrie) readMember(d []byte, key []byte, val int, at, c int32, sv *slotValues) (end int, ok, fallback bool) {
	if c < 0 {
		if hasDot(key) && t.namesChild(at, key) {
			return val, true, true
		}
		end, ok = skipValue(d, val, 0)
		return end, ok, false
	}
	if sv.kind[c] != slotAbsent || val >= len(d) {
		end, ok = skipValue(d, val, 0) // a repeated key: the first one counts
		return end, ok, false
	}
	sv.off[c], sv.kind[c] = int32(val), kindOf(d[val])
	if len(t.children[c]) == 0 {
		end, ok = skipValue(d, val, 0)
		return end, ok, false
	}
	switch sv.kind[c] {
	case slotObject:
		return t.readObject(d, val+1, c, sv)
	case slotArray:
		return val, true, true
	}
	end, ok = skipValue(d, val, 0)
	return end, ok, false
}

func kindOf(c byte) slotKind {
	switch c {
	case '{':
		return slotObject
	case '[':
		return slotArray
	}
	return slotOther
}

func (t *slotTrie) find(at int32, key []byte) int32 {
	for _, c := range t.children[at] {
		if t.names[c] == string(key) {
			return c
		}
	}
	return -1
}

func (t *slotTrie) namesChild(at int32, key []byte) bool {
	for k, c := range key {
		if c == '.' {
			return t.find(at, key[:k]) >= 0
		}
	}
	return false
}

// evalSlots decides n from the slots alone, with the same answers as the
// walk of evalObject for records read without fallback.
func (n *node) evalSlots(d []byte, sv *slotValues) bool {
	for k := range n.fields {
		if !n.fields[k].evalSlot(d, sv) {
			return false
		}
	}
	for _, alts := range n.ors {
		if !anySlotAlternative(alts, d, sv) {
			return false
		}
	}
	return true
}

func anySlotAlternative(alts []*node, d []byte, sv *slotValues) bool {
	for _, a := range alts {
		if a.evalSlots(d, sv) {
			return true
		}
	}
	return false
}

func (f *field) evalSlot(d []byte, sv *slotValues) bool {
	if f.slot < 0 || sv.kind[f.slot] == slotAbsent {
		return f.absentOK
	}
	if f.child != nil {
		if sv.kind[f.slot] != slotObject {
			return f.child.absentOK
		}
		return f.child.evalSlots(d, sv)
	}
	_, matched, seen, ok := f.leaf.evalValue(d, int(sv.off[f.slot]), 0)
	return ok && (matched || !seen && f.leaf.existsFalse)
}

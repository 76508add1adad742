package filter

// Deciding a filter from the slots. evalSlots follows the pattern's tree. Most
// filters have no field that absence satisfies (no exists: false); for them
// the object levels add nothing, since a value below an absent or non-object
// level is itself absent, and a slotCond keeps only the leaves and $or groups
// in one flat list.

// slotCond is a filter flattened: every leaf must match, and in each $or
// group one alternative.
type slotCond struct {
	leaves []slotLeaf
	ors    [][]slotCond
}

type slotLeaf struct {
	slot int32
	leaf *leaf
}

// flatten returns n as a slotCond, or false when n has a field that may be
// absent, a hidden field, or a field without a slot.
func flatten(n *node) (slotCond, bool) {
	var c slotCond
	for k := range n.fields {
		f := &n.fields[k]
		if f.absentOK || f.hidden || f.slot < 0 {
			return c, false
		}
		if f.child == nil {
			c.leaves = append(c.leaves, slotLeaf{slot: f.slot, leaf: f.leaf})
			continue
		}
		// f.absentOK is f.child.absentOK, false here: the child fails where
		// its object is absent, as its flattened leaves then do.
		sub, ok := flatten(f.child)
		if !ok {
			return c, false
		}
		c.leaves = append(c.leaves, sub.leaves...)
		c.ors = append(c.ors, sub.ors...)
	}
	for _, alts := range n.ors {
		group := make([]slotCond, 0, len(alts))
		for _, a := range alts {
			sub, ok := flatten(a)
			if !ok || a.absentOK {
				return c, false
			}
			group = append(group, sub)
		}
		c.ors = append(c.ors, group)
	}
	return c, true
}

func (c *slotCond) eval(d []byte, sv *slotValues) bool {
	for k := range c.leaves {
		if !c.leaves[k].eval(d, sv) {
			return false
		}
	}
	for _, alts := range c.ors {
		if !anySlotCond(alts, d, sv) {
			return false
		}
	}
	return true
}

func anySlotCond(alts []slotCond, d []byte, sv *slotValues) bool {
	for k := range alts {
		if alts[k].eval(d, sv) {
			return true
		}
	}
	return false
}

// eval is field.evalSlot for a leaf field that absence does not satisfy.
func (l *slotLeaf) eval(d []byte, sv *slotValues) bool {
	switch sv.kind[l.slot] {
	case slotAbsent:
		return false
	case slotString:
		return l.leaf.matchString(d[sv.off[l.slot]+1 : sv.end[l.slot]-1])
	}
	_, matched, seen, ok := l.leaf.evalValue(d, int(sv.off[l.slot]), 0)
	return ok && (matched || !seen && l.leaf.existsFalse)
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
	if sv.kind[f.slot] == slotString {
		return f.leaf.matchString(d[sv.off[f.slot]+1 : sv.end[f.slot]-1])
	}
	_, matched, seen, ok := f.leaf.evalValue(d, int(sv.off[f.slot]), 0)
	return ok && (matched || !seen && f.leaf.existsFalse)
}

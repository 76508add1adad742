package filter

// Deciding many filters at once. Where the filters of several pipes test the same field for
// different strings ({"S": ["Town 3"]}, {"S": [{"prefix": "City 4"}]}), evaluating each filter
// compares the field's value once per filter. A filter that is flat, has no $or and only tests
// strings by exact value or prefix ("simple") is instead decided from an index per field: the
// field's value is looked up once, giving every simple filter that accepts it, and each simple
// filter is then decided by a few bit tests. Values that are not plain strings (numbers,
// arrays, strings with escapes) leave the decision to the filter's own evaluation.

// maxIndexed bounds the fields a trie indexes; with fewer than minIndexed filters, evaluating
// each is as quick as the index.
const (
	maxIndexed = 16
	minIndexed = 8
)

// slotIndex is one field's index: the simple filters that accept a value.
type slotIndex struct {
	exact    map[string]uint64 // value -> the simple filters whose test of the field accepts it
	prefixes []prefixBits      // prefix -> the simple filters that accept values starting with it
}

type prefixBits struct {
	s    string
	bits uint64
}

// simpleLeaf reports whether lf tests a string value by exact values and prefixes only.
func simpleLeaf(lf *leaf) bool {
	if lf == nil || len(lf.nums) > 0 || lf.lits != 0 || len(lf.ips) > 0 || lf.existsTrue || lf.existsFalse {
		return false
	}
	for k := range lf.ops {
		if lf.ops[k].kind != opPrefix {
			return false
		}
	}
	return len(lf.strs) > 0 || len(lf.ops) > 0
}

// buildIndex finds the simple filters and indexes their fields. With more than maxIndexed
// fields to index, nothing is (every filter is evaluated).
func (t *slotTrie) buildIndex() {
	var indexOf [maxSlots]int8
	for c := range indexOf {
		indexOf[c] = -1
	}
	var index []slotIndex
	simpleSlots := make([][]int32, len(t.conds))
	var simple uint64
	for k := range t.conds {
		if len(t.conds) < minIndexed {
			break
		}
		slots, ok := t.simpleFilter(k)
		if !ok {
			continue
		}
		for _, sl := range t.conds[k].leaves {
			j := indexOf[sl.slot]
			if j < 0 {
				if len(index) == maxIndexed {
					return
				}
				j = int8(len(index))
				indexOf[sl.slot] = j
				index = append(index, slotIndex{exact: map[string]uint64{}})
			}
			index[j].add(sl.leaf, 1<<k)
		}
		simple |= 1 << k
		simpleSlots[k] = slots
	}
	t.index, t.indexOf, t.simple = index, indexOf, simple
	t.indexAll = make([]uint64, len(index))
	for k, slots := range simpleSlots {
		for _, c := range slots {
			t.indexAll[indexOf[c]] |= 1 << k
		}
	}
}

// simpleFilter returns filter k's fields when it is simple: flat, no $or, one simple test per
// field.
func (t *slotTrie) simpleFilter(k int) ([]int32, bool) {
	c := &t.conds[k]
	if !t.flat[k] || len(c.ors) > 0 || len(c.leaves) == 0 {
		return nil, false
	}
	var slots []int32
	var seen uint64
	for _, sl := range c.leaves {
		if !simpleLeaf(sl.leaf) || seen&slotBit(sl.slot) != 0 {
			return nil, false
		}
		seen |= slotBit(sl.slot)
		slots = append(slots, sl.slot)
	}
	return slots, true
}

func (ix *slotIndex) add(lf *leaf, bit uint64) {
	for _, s := range lf.strs {
		ix.exact[s] |= bit
	}
	for k := range lf.ops {
		ix.addPrefix(lf.ops[k].s, bit)
	}
}

func (ix *slotIndex) addPrefix(s string, bit uint64) {
	for i := range ix.prefixes {
		if ix.prefixes[i].s == s {
			ix.prefixes[i].bits |= bit
			return
		}
	}
	ix.prefixes = append(ix.prefixes, prefixBits{s: s, bits: bit})
}

// accepts returns the simple filters that accept v, the field's value.
func (ix *slotIndex) accepts(v []byte) uint64 {
	bits := ix.exact[string(v)]
	for i := range ix.prefixes {
		if p := &ix.prefixes[i]; len(v) >= len(p.s) && string(v[:len(p.s)]) == p.s {
			bits |= p.bits
		}
	}
	return bits
}

// settleIndexed notes, for indexed field c whose value is now final, which simple filters it
// fails (fail) and which it cannot decide (unindexed: a value that is not a plain string).
func (r *slotRead) settleIndexed(c int32) {
	j := r.t.indexOf[c]
	all := r.t.indexAll[j]
	switch r.sv.kind[c] {
	case slotString:
		r.fail |= all &^ r.t.index[j].accepts(r.d[r.sv.off[c]+1:r.sv.end[c]-1])
	case slotAbsent:
		r.fail |= all // a test of an absent field fails
	default:
		r.unindexed |= all
	}
}

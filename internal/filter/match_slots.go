package filter

import (
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// With several filters, Filters.Match reads the record once, guided by a
// trie of every path the filters name, and notes where each path's value
// sits (a slot). A filter is decided from the slots, without reading the
// record again, as soon as every path it names is settled; reading stops once
// the filters' answer is known (match_slots_read.go). Records where this
// cannot be exact fall back to walking each filter: an array where a filter
// expects an object (array-consistent matching needs the walk), or a dotted
// key that may name a path.

const (
	maxSlots = 64
	// maxSlotFilters is the most filters the shared read decides, one bit each in slotRead.open
	// (1<<64 - 1 is every bit); more are matched by the per-filter walks.
	maxSlotFilters = 64
)

// slotTrie holds the union of the filters' paths; node 0 is the record.
type slotTrie struct {
	names    []string
	children [][]int32
	kids     [][]trieKid // children[at] with their names, for find
	subtree  []uint64    // each node's bit and the bits of every node below it
	needs    []uint64    // per filter, the nodes its fields (and $or alternatives) name
	conds    []slotCond  // per filter, flattened when flat[k]
	flat     []bool
	// dotNames are the trie's names: a key "name.x" would send the read to
	// the per-filter walks, so reading cannot stop before one.
	dotNames []string
	// groupOf is each filter's group, and groups each group's filters (one bit
	// per filter): a Filters is one group, whose answer is the OR of its
	// filters; a Group has one per pipe. A group is decided by the first of
	// its filters that matches, or once all of them failed.
	groupOf []uint8
	groups  []uint64
	// waiters are, per slot, the filters whose needs name it; noNeeds the
	// filters that name none (decided from the start).
	waiters [maxSlots]uint64
	noNeeds uint64
	// paths are the trie's nodes as rawjson paths (nil for the record), for
	// what a read leaves in a Doc's memo; objects are the nodes with children,
	// parents first, at most maxRemember of them.
	paths   []*rawjson.Path
	objects []int32
	// simple are the filters decided from index (match_slots_index.go), indexOf each field's
	// place in index (-1: not indexed), and indexAll the simple filters that test each indexed
	// field; frontier are the slots some filter waits for.
	simple   uint64
	index    []slotIndex
	indexOf  [maxSlots]int8
	indexAll []uint64
	frontier uint64
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
// path below at, and returns the bits of the slots it named.
func (t *slotTrie) add(n *node, at int32) uint64 {
	var named uint64
	for k := range n.fields {
		f := &n.fields[k]
		if f.hidden {
			f.slot = -1
			continue
		}
		f.slot = t.child(at, f.name)
		named |= slotBit(f.slot)
		if f.child != nil {
			named |= t.add(f.child, f.slot)
		}
	}
	for _, alts := range n.ors {
		for _, a := range alts {
			named |= t.add(a, at)
		}
	}
	return named
}

// slotBit is the bit of slot c; zero past maxSlots (buildSlots then gives up).
func slotBit(c int32) uint64 { return uint64(1) << uint(c) }

// buildSlots returns the trie for the patterns, or nil when they are more
// filters or name more paths than the fast path holds. groupOf gives each
// pattern's group (see slotTrie.groupOf); nil puts them all in one.
func buildSlots(patterns []*Pattern, groupOf []uint8) *slotTrie {
	if len(patterns) > maxSlotFilters {
		return nil
	}
	if groupOf == nil {
		groupOf = make([]uint8, len(patterns))
	}
	t := &slotTrie{names: []string{""}, children: [][]int32{nil}, groupOf: groupOf}
	for k, p := range patterns {
		t.needs = append(t.needs, t.add(p.root, 0))
		c, ok := flatten(p.root)
		t.conds, t.flat = append(t.conds, c), append(t.flat, ok)
		for int(groupOf[k]) >= len(t.groups) {
			t.groups = append(t.groups, 0)
		}
		t.groups[groupOf[k]] |= 1 << k
		if t.needs[k] == 0 {
			t.noNeeds |= 1 << k
		}
	}
	if len(t.names) > maxSlots {
		return nil
	}
	t.subtree = make([]uint64, len(t.names))
	t.kids = make([][]trieKid, len(t.names))
	// children always come after their parent, so one backward pass suffices
	for c := len(t.names) - 1; c >= 0; c-- {
		t.subtree[c] |= slotBit(int32(c))
		for _, k := range t.children[c] {
			t.subtree[c] |= t.subtree[k]
			t.kids[c] = append(t.kids[c], newTrieKid(t.names[k], k))
		}
		if c > 0 && !slices.Contains(t.dotNames, t.names[c]) {
			t.dotNames = append(t.dotNames, t.names[c])
		}
	}
	t.buildPaths()
	t.buildWaiters()
	t.buildIndex()
	return t
}

// buildWaiters registers each filter on the slots it needs that have no
// needed slot below them: a slot settles no sooner than the objects above it
// (they settle when the read enters them, or with it when they close), so a
// filter is ready once those have settled.
func (t *slotTrie) buildWaiters() {
	for k, needs := range t.needs {
		for n := needs; n != 0; n &= n - 1 {
			c := bits.TrailingZeros64(n)
			if needs&t.subtree[c]&^slotBit(int32(c)) == 0 {
				t.waiters[c] |= 1 << k
				t.frontier |= slotBit(int32(c))
			}
		}
	}
}

// buildPaths gives each node below the record its path, as rawjson knows it.
func (t *slotTrie) buildPaths() {
	t.paths = make([]*rawjson.Path, len(t.names))
	keys := make([][]string, len(t.names))
	for c := range t.names { // children come after their parent
		for _, k := range t.children[c] {
			keys[k] = append(slices.Clip(keys[c]), t.names[k])
			t.paths[k] = rawjson.KeyPath(keys[k]...)
		}
		if c > 0 && len(t.children[c]) > 0 && len(t.objects) < maxRemember {
			t.objects = append(t.objects, int32(c))
		}
	}
}

type slotKind uint8

const (
	slotAbsent slotKind = iota
	slotObject
	slotArray
	slotOther
	slotString // a string without escapes, ending at end
)

// slotValues is where one record holds each path's value (first occurrence).
type slotValues struct {
	off  [maxSlots]int32
	end  [maxSlots]int32 // for slotString, the offset after the closing quote
	kind [maxSlots]slotKind
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

// trieKid is a child of a trie node, its name beside it so that find reads
// one array; pre is the name's first eight bytes (zero-padded), compared as
// one word.
type trieKid struct {
	name string
	pre  uint64
	id   int32
}

func newTrieKid(name string, id int32) trieKid {
	var b [8]byte
	copy(b[:], name)
	return trieKid{name: name, pre: binary.LittleEndian.Uint64(b[:]), id: id}
}

// prefixMask keeps the first min(n, 8) bytes of a little-endian word.
func prefixMask(n int) uint64 { return ^uint64(0) >> (64 - 8*uint(min(n, 8))) }

// find returns the child of at named key, or -1.
func (t *slotTrie) find(at int32, key []byte) int32 {
	kids := t.kids[at]
	if cap(key) < 8 {
		for _, k := range kids {
			if k.name == string(key) {
				return k.id
			}
		}
		return -1
	}
	// key's first eight bytes are readable (a key is a slice of the record,
	// or of a buffer as long): bytes past its end are masked off
	pre := binary.LittleEndian.Uint64(key[:8]) & prefixMask(len(key))
	for _, k := range kids {
		if k.pre == pre && len(k.name) == len(key) && (len(key) <= 8 || k.name[8:] == string(key[8:])) {
			return k.id
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

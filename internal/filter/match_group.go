package filter

import (
	"fmt"
	"math/bits"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// Group is the filters of every pipe that reads one stream, decided together: one read of a
// record, guided by a trie of every path any pipe's filters name, settles each field once
// however many pipes test it, and stops once every pipe is decided. The verdicts are left in
// the record's Doc (a note under the group's own Key), so each pipe's runtime finds its answer
// there instead of reading the record again. A Group is immutable and safe for concurrent use.
//
// Up to 64 filters and 64 distinct paths are read together; beyond that, or for a record where
// the shared read cannot be exact (an array where a filter expects an object, a dotted key that
// may name a path), each pipe's Filters decides on its own, with the same answers.
type Group struct {
	pipes   []*Filters
	pats    []*Pattern // every pipe's patterns, compiled again for the group's trie
	always  uint64     // pipes without filters: every record matches
	slots   *slotTrie  // nil: each pipe decides on its own
	key     rawjson.Key
	members []Member
}

// MaxGroupPipes is the most pipes a Group decides (one bit each in a verdict).
const MaxGroupPipes = 64

// NewGroup returns the Group of pipes' filters; pipe i's verdict is bit i. A nil Filters
// matches every record, as a pipe without FilterCriteria does.
func NewGroup(pipes ...*Filters) (*Group, error) {
	if len(pipes) > MaxGroupPipes {
		return nil, fmt.Errorf("filter group of %d pipes: at most %d", len(pipes), MaxGroupPipes)
	}
	g := &Group{pipes: make([]*Filters, len(pipes)), key: rawjson.NewKey()}
	var groupOf []uint8
	for i, f := range pipes {
		if f == nil {
			f = &Filters{}
		}
		g.pipes[i] = f
		if len(f.srcs) == 0 {
			g.always |= 1 << i
		}
		for k, src := range f.srcs {
			var discard []Warning
			p, err := compileFilter(k, src, f.opts, &discard)
			if err != nil { // compiled once already: cannot fail again
				return nil, fmt.Errorf("filter group: pipe %d: %w", i, err)
			}
			g.pats, groupOf = append(g.pats, p), append(groupOf, uint8(i))
		}
	}
	if bits.OnesCount64(g.always) < len(pipes)-1 { // two pipes with filters, or more
		g.slots = buildSlots(g.pats, groupOf)
	}
	g.members = make([]Member, len(pipes))
	for i := range g.members {
		g.members[i] = Member{g: g, i: i}
	}
	return g, nil
}

// Decide returns the verdicts of every pipe of the group for the record doc holds, bit i for
// pipe i, and leaves them in doc's notes unless doc is frozen. A record the Doc already has
// verdicts for is not read again.
func (g *Group) Decide(doc *rawjson.Doc) uint64 {
	if v, ok := doc.Note(g.key); ok {
		return v
	}
	v := g.decide(doc)
	doc.SetNote(g.key, v)
	return v
}

// decide reads the record: through the shared trie when there is one, else pipe by pipe. A
// malformed record is decided pipe by pipe too: a single filter's walk stops at its answer, and
// may give one before the point where the record goes wrong.
func (g *Group) decide(doc *rawjson.Doc) uint64 {
	if g.slots != nil {
		r := newSlotRead(g.slots, g.pats, doc.Bytes())
		if st := r.read(); st == readOK || st == readDecided {
			r.remember(doc)
			return r.answer | g.always
		}
	}
	v := g.always
	for i, f := range g.pipes {
		if v&(1<<i) == 0 && f.Match(doc) {
			v |= 1 << i
		}
	}
	return v
}

// Member returns pipe i's view of the group: its Match answers from the group's verdicts.
func (g *Group) Member(i int) *Member { return &g.members[i] }

// Member is one pipe's filters within a Group.
type Member struct {
	g *Group
	i int
}

// Match reports whether the pipe's filters let the record through. The group's verdicts in
// doc's notes answer when they are there; otherwise a Doc that can still take notes is decided
// for the whole group (the next pipe finds its answer), and a frozen one for this pipe alone.
func (m *Member) Match(doc *rawjson.Doc) bool {
	if v, ok := doc.Note(m.g.key); ok {
		return v&(1<<m.i) != 0
	}
	if !doc.Frozen() {
		return m.g.Decide(doc)&(1<<m.i) != 0
	}
	return m.g.pipes[m.i].Match(doc)
}

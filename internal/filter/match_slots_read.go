package filter

import (
	"bytes"
	"math/bits"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// slotRead is one Filters.Match call's read of a record through the slot
// trie. A path is settled once its value can no longer change: its value was
// read (the first occurrence counts), or the object that would hold it was
// read to its end, or an ancestor is not an object. A filter is decided as
// soon as every path it names is settled, and reading stops once one filter
// matched or all failed, provided nothing in the unread rest of the record
// could have sent Match to the per-filter walks (a dotted key that may name
// a path, or a key with escapes).
type slotRead struct {
	t       *slotTrie
	pats    []*Pattern
	d       []byte
	sv      slotValues
	settled uint64 // the slots whose value is final
	seen    uint64 // the settled slots decideReady has looked at
	started bool   // decideReady has run: the filters that need no slot are done
	open    uint64 // filters not yet decided (bit k for pats[k]; buildSlots allows maxSlotFilters)
	decided bool   // the answer is known
	answer  uint64 // the groups that matched (bit g for group g); a Filters is group 0

	// fail are the simple filters an indexed field's final value fails; unindexed those whose
	// field's value the index cannot judge (see settleIndexed).
	fail, unindexed uint64
	// safeFrom is the first offset from which the rest of the record holds
	// nothing that could need the walks; -1 until first needed.
	safeFrom int
}

// readStatus says how reading ended.
type readStatus uint8

const (
	readOK       readStatus = iota // read to the end of the record object
	readBad                        // malformed JSON
	readFallback                   // the slots cannot describe the record exactly
	readDecided                    // stopped early: the answer is known
)

func newSlotRead(t *slotTrie, pats []*Pattern, d []byte) slotRead {
	return slotRead{t: t, pats: pats, d: d, open: uint64(1)<<len(pats) - 1, safeFrom: -1}
}

// read reads the record. After readOK or readDecided, r.answer is the
// filters' answer.
func (r *slotRead) read() readStatus {
	i := skipWS(r.d, 0)
	if i >= len(r.d) || r.d[i] != '{' {
		return readBad
	}
	_, st := r.readObject(i+1, 0)
	return st
}

func (r *slotRead) readObject(i int, at int32) (int, readStatus) {
	d := r.d
	pos := skipWS(d, i)
	if pos < len(d) && d[pos] == '}' {
		return r.closeObject(pos+1, at)
	}
	want, found := len(r.t.children[at]), 0
	for {
		key, val, ok := readKey(d, pos)
		if !ok {
			return 0, readBad
		}
		c := r.t.find(at, key)
		if c >= 0 && r.sv.kind[c] == slotAbsent {
			found++
		}
		end, st := r.readMember(key, val, at, c)
		if st != readOK {
			return end, st
		}
		if found == want {
			// every path below this object is read; later keys could only
			// repeat one, and the first occurrence counts
			return r.finishObject(end, at)
		}
		next, done, ok := nextMember(d, end, '}')
		if !ok {
			return next, readBad
		}
		if done {
			return r.closeObject(next, at)
		}
		pos = skipWS(d, next)
	}
}

// finishObject settles the object at trie node at, all of whose paths were
// found, and skips the rest of it unless the answer is known.
func (r *slotRead) finishObject(end int, at int32) (int, readStatus) {
	r.settled |= r.t.subtree[at]
	if r.settle(end) {
		return end, readDecided
	}
	return skipped(skipRestOfObject(r.d, end, 0))
}

// closeObject settles the object at trie node at, read to its end: paths
// not found below it are absent.
func (r *slotRead) closeObject(end int, at int32) (int, readStatus) {
	r.settled |= r.t.subtree[at] // at the record's end, every filter is decided
	if r.settle(end) {
		return end, readDecided
	}
	return end, readOK
}

// readMember notes the value of key (trie node c, or -1 when the trie does
// not name it) and descends into it when the trie goes deeper.
func (r *slotRead) readMember(key []byte, val int, at, c int32) (int, readStatus) {
	d := r.d
	if c < 0 {
		if hasDot(key) && r.t.namesChild(at, key) {
			return val, readFallback
		}
		return skipped(skipValue(d, val, 0))
	}
	if r.sv.kind[c] != slotAbsent || val >= len(d) {
		return skipped(skipValue(d, val, 0)) // a repeated key: the first one counts
	}
	kind := kindOf(d[val])
	r.sv.off[c], r.sv.kind[c] = int32(val), kind
	if len(r.t.children[c]) == 0 || kind == slotOther {
		r.settled |= r.t.subtree[c] // nothing below a leaf value
		end, st := r.readLeaf(c, val)
		if st == readOK && r.settle(end) {
			return end, readDecided
		}
		return end, st
	}
	if kind == slotArray {
		return val, readFallback
	}
	r.settled |= slotBit(c)
	return r.readObject(val+1, c)
}

// readLeaf skips the leaf value at d[val] of slot c, noting the end of a
// string without escapes, so that matching need not find it again.
func (r *slotRead) readLeaf(c int32, val int) (int, readStatus) {
	if r.d[val] != '"' {
		return skipped(skipValue(r.d, val, 0))
	}
	end, esc, ok := scanString(r.d, val)
	if ok && !esc {
		r.sv.kind[c], r.sv.end[c] = slotString, int32(end)
		return end, readOK
	}
	// a string scanString refuses may still be one skipString passes over
	return skipped(skipString(r.d, val))
}

func skipped(end int, ok bool) (int, readStatus) {
	if !ok {
		return end, readBad
	}
	return end, readOK
}

// settle decides the filters whose paths are all settled, and reports
// whether reading may stop at pos: the answer is known and the rest of the
// record cannot change it.
func (r *slotRead) settle(pos int) bool {
	if !r.decided {
		r.decideReady()
		if !r.decided {
			return false
		}
	}
	if r.safeFrom < 0 {
		r.safeFrom = r.t.safeFrom(r.d, pos)
	}
	return pos >= r.safeFrom
}

// decideReady evaluates the open filters whose paths are all settled. A
// filter that matches decides its group: the group's other filters close
// unread.
func (r *slotRead) decideReady() {
	var cand uint64
	if !r.started {
		r.started, cand = true, r.t.noNeeds
	}
	for d := r.settled &^ r.seen; d != 0; d &= d - 1 {
		c := int32(bits.TrailingZeros64(d))
		cand |= r.t.waiters[c]
		if r.t.simple != 0 && r.t.indexOf[c] >= 0 {
			r.settleIndexed(c)
		}
	}
	r.seen = r.settled
	// Only filters that need a slot settled since the last call can have become ready.
	cand &= r.open
	if cand == 0 {
		r.decided = r.open == 0
		return
	}
	if s := cand & r.t.simple &^ r.unindexed; s != 0 {
		r.decideIndexed(s)
		cand &= r.open
	}
	for open := cand; open != 0; open &= open - 1 {
		k := bits.TrailingZeros64(open)
		if r.open&(1<<k) == 0 || r.t.needs[k]&^r.settled != 0 {
			continue // closed by its group's match, or not ready
		}
		if r.t.eval(k, r.pats[k], r.d, &r.sv) {
			r.match(k)
			continue
		}
		r.open &^= 1 << k
	}
	r.decided = r.open == 0
}

// decideIndexed decides, by their bits, the simple filters among s whose fields are all final.
func (r *slotRead) decideIndexed(s uint64) {
	var unready uint64
	for u := r.t.frontier &^ r.settled; u != 0; u &= u - 1 {
		unready |= r.t.waiters[bits.TrailingZeros64(u)]
	}
	ready := s &^ unready
	for m := ready &^ r.fail; m != 0; m &= m - 1 {
		if k := bits.TrailingZeros64(m); r.open&(1<<k) != 0 {
			r.match(k)
		}
	}
	r.open &^= ready
}

// match notes that filter k matched: its group is decided, its other filters close unread.
func (r *slotRead) match(k int) {
	g := r.t.groupOf[k]
	r.answer |= 1 << g
	r.open &^= r.t.groups[g]
}

// safeFrom returns the offset after the last backslash, or the last dot that
// follows a quote and a name of the trie, at or after pos: either could mean
// a key on which the read would fall back to the walks (a key with escapes
// may decode to a dotted name). It returns pos when there is none. The test
// is by bytes, so a match inside a string value only costs the early stop.
func (t *slotTrie) safeFrom(d []byte, pos int) int {
	from := pos
	for k := pos; ; {
		j := bytes.IndexByte(d[k:], '\\')
		if j < 0 {
			break
		}
		k += j + 1
		from = k
	}
	if len(t.dotNames) == 0 {
		return from
	}
	for k := pos; ; {
		j := bytes.IndexByte(d[k:], '.')
		if j < 0 {
			break
		}
		k += j
		if t.namedDot(d, k) {
			from = max(from, k+1)
		}
		k++
	}
	return from
}

// namedDot reports whether the dot at d[k] follows `"name` for a name of the
// trie.
func (t *slotTrie) namedDot(d []byte, k int) bool {
	for _, name := range t.dotNames {
		s := k - len(name)
		if s >= 1 && d[s-1] == '"' && string(d[s:k]) == name {
			return true
		}
	}
	return false
}

// eval decides filter k, pattern p, from the slots.
func (t *slotTrie) eval(k int, p *Pattern, d []byte, sv *slotValues) bool {
	if t.flat[k] {
		return t.conds[k].eval(d, sv)
	}
	return p.root.evalSlots(d, sv)
}

// maxRemember bounds what one read leaves in a Doc's memo, which the
// template and parameters read after the filters need room in too.
const maxRemember = 4

// remember leaves in doc's memo, for the stages after the filters, where the
// read found the objects its filters step through (dynamodb, NewImage, ...),
// and which of them the record lacks (a REMOVE's NewImage): a template's or
// parameter's path under them starts there. Values are the first of
// duplicate keys and keys are compared decoded, as rawjson's walk finds them;
// a read that fell back to the walks leaves nothing.
func (r *slotRead) remember(doc *rawjson.Doc) {
	if doc.Frozen() {
		return
	}
	for _, c := range r.t.objects {
		var s rawjson.Span
		switch {
		case r.sv.kind[c] == slotObject:
			s = rawjson.Span{Start: r.sv.off[c]}
		case r.sv.kind[c] == slotAbsent && r.settled&slotBit(c) != 0:
			s = rawjson.Span{Start: -1}
		default:
			continue
		}
		if p := r.t.paths[c]; !doc.MayKnow(p, p.Len()-1) {
			doc.Remember(p, p.Len(), s)
		} else if _, known := doc.Lookup(p, p.Len()); !known {
			doc.Remember(p, p.Len(), s)
		}
	}
}

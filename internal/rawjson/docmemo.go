package rawjson

import (
	"sync/atomic"
	"unsafe"
)

// Bounds of a Doc's memo: a record's stages find a handful of values each, and a memo that is
// full only means that later finds are not remembered.
const (
	memoSize  = 8
	noteSize  = 4
	maxOffset = 1<<31 - 1 // spans are int32: a longer document is read without a memo
)

// Span is where a value is in a Doc: the bytes from Start to End. Start is -1 when the value is
// absent; End is 0 when it is not known yet (a position to walk on from).
type Span struct {
	Start, End int32
}

// Present reports whether the span is a value's (not the absence of one).
func (s Span) Present() bool { return s.Start >= 0 }

// absentSpan is the span of a value the document does not have.
var absentSpan = Span{Start: -1}

// Key names a note: each package that keeps notes about documents makes its own with NewKey.
type Key uint64

var lastKey atomic.Uint64

// NewKey returns a Key no other call returns.
func NewKey() Key { return Key(lastKey.Add(1)) }

// Doc is one JSON document, a record, read in place: its bytes, which never change while the
// Doc is in use, and a bounded memo of what readers found in them. Stages pass the Doc along
// instead of the bytes, so that what one stage found (where a path's value is, that it is absent,
// a note such as a filter's verdict) the next finds without reading again.
//
// A Doc is not safe for concurrent use while it is being written; Freeze makes it read-only, and
// a frozen Doc may be read by any number of goroutines (what it knew when frozen is still
// found; what readers find afterwards is not remembered). A source that hands one Doc to several
// pipes freezes it first.
type Doc struct {
	b      []byte
	frozen bool
	n      uint8 // memo entries
	nn     uint8 // notes
	bloom  uint64
	keys   [memoSize]*memoKey // the Paths' own keys: a Doc holds pointers, not copies
	spans  [memoSize]Span
	noteK  [noteSize]Key
	noteV  [noteSize]uint64
}

// New returns a Doc of b, with an empty memo.
func New(b []byte) *Doc {
	d := &Doc{}
	d.Reset(b)
	return d
}

// Reset makes d a Doc of b with an empty memo, writable again.
func (d *Doc) Reset(b []byte) {
	d.b, d.frozen, d.n, d.nn, d.bloom = b, len(b) > maxOffset, 0, 0, 0
}

// MoveTo makes to a Doc of b, a copy of d's bytes (to keep after d's are reused), with what d's
// memo and notes hold: the positions are the same. A b of another length makes to a Doc of b
// with an empty memo.
func (d *Doc) MoveTo(to *Doc, b []byte) {
	if len(b) != len(d.b) {
		to.Reset(b)
		return
	}
	*to = *d
	to.b = b
}

// Bytes returns the document. It must not be modified.
func (d *Doc) Bytes() []byte { return d.b }

// Len is the document's length in bytes.
func (d *Doc) Len() int { return len(d.b) }

// Text views the document's bytes from start to end as a string, without copying: a Doc's bytes
// never change, so the string stays valid for as long as it is used.
func (d *Doc) Text(start, end int) string {
	if end <= start {
		return ""
	}
	return unsafe.String(&d.b[start], end-start)
}

// Freeze makes d read-only: it may then be shared between goroutines. It cannot be undone
// (Reset starts a new document).
func (d *Doc) Freeze() { d.frozen = true }

// Frozen reports whether d is read-only.
func (d *Doc) Frozen() bool { return d.frozen }

// Lookup returns what the memo knows of the value of p's first n steps (n >= 1).
func (d *Doc) Lookup(p *Path, n int) (Span, bool) {
	if d.bloom&p.bloom[n-1] == 0 {
		return Span{}, false
	}
	k := &p.prefix[n-1]
	for i, dk := range d.keys[:d.n] {
		if dk == k || dk.hash == k.hash && dk.canon == k.canon {
			return d.spans[i], true
		}
	}
	return Span{}, false
}

// MayKnow reports whether the memo may know the value of a run of p's steps longer than from
// (at most p.Len()): when it is false, Deepest would find none. It is one test, for callers to
// make before Deepest on their hot paths.
func (d *Doc) MayKnow(p *Path, from int) bool { return d.bloom&p.tail[from] != 0 }

// Deepest returns the longest run of p's steps, longer than from, whose value the memo knows,
// and that value; 0 when it knows none. from is at most p.Len().
func (d *Doc) Deepest(p *Path, from int) (int, Span) {
	if d.bloom&p.tail[from] == 0 {
		return 0, Span{} // most often: one test says that the memo knows none of them
	}
	return d.deepest(p, from)
}

func (d *Doc) deepest(p *Path, from int) (int, Span) {
	for n := len(p.steps); n > from; n-- {
		if d.bloom&p.bloom[n-1] == 0 {
			continue
		}
		if s, ok := d.Lookup(p, n); ok {
			return n, s
		}
	}
	return 0, Span{}
}

// Remember notes the value of p's first n steps (n >= 1), which the memo does not know yet. It
// does nothing when d is frozen or its memo is full.
func (d *Doc) Remember(p *Path, n int, s Span) {
	if d.frozen || int(d.n) == memoSize {
		return
	}
	d.keys[d.n], d.spans[d.n] = &p.prefix[n-1], s
	d.bloom |= p.bloom[n-1]
	d.n++
}

// Note returns the note kept under k.
func (d *Doc) Note(k Key) (uint64, bool) {
	for i := range d.noteK[:d.nn] {
		if d.noteK[i] == k {
			return d.noteV[i], true
		}
	}
	return 0, false
}

// SetNote keeps v under k. It does nothing when d is frozen or holds as many notes as it can;
// a later note under the same Key replaces the earlier one.
func (d *Doc) SetNote(k Key, v uint64) {
	if d.frozen {
		return
	}
	for i := range d.noteK[:d.nn] {
		if d.noteK[i] == k {
			d.noteV[i] = v
			return
		}
	}
	if int(d.nn) < noteSize {
		d.noteK[d.nn], d.noteV[d.nn] = k, v
		d.nn++
	}
}

// Find returns where the value p selects starts and ends, starting from the deepest run of its
// steps the memo knows, and remembers what it found: the value (or that it is absent), and, for a
// path of three steps or more, the object two steps up (in a DynamoDB record, the image holding
// the attribute) when it had to walk to it.
func (d *Doc) Find(p *Path) (start, end int, st Status) {
	n, s := d.Deepest(p, 0)
	i := SkipSpace(d.b, 0)
	if n > 0 {
		if !s.Present() {
			return 0, 0, Absent
		}
		i = int(s.Start)
		if n == len(p.steps) && s.End > 0 {
			return i, int(s.End), Found
		}
	}
	for k := n; k < len(p.steps); k++ {
		var st Status
		if i, st = d.Descend(p, k, i); st != Found {
			if st == Absent {
				d.Remember(p, k+1, absentSpan)
			}
			return 0, 0, st
		}
		if k == len(p.steps)-3 && k >= n {
			d.Remember(p, k+1, Span{Start: int32(i)})
		}
	}
	if end = ValueEnd(d.b, i); end < 0 {
		return 0, 0, Malformed
	}
	if n < len(p.steps) {
		d.Remember(p, len(p.steps), Span{Start: int32(i), End: int32(end)})
	}
	return i, end, Found
}

// Descend applies step k of p to the value at b[i] and returns where the value it selects
// starts: a member of an object (then also where its key starts; else keyPos is -1), an element
// of an array (for an index, or a key of digits). hint is passed on to Member.
func (p *Path) Descend(b []byte, k, i, hint int) (val, keyPos int, st Status) {
	if i >= len(b) {
		return 0, -1, Malformed
	}
	s := &p.steps[k]
	switch {
	case b[i] == '{' && (s.Key != "" || s.Index < 0) && p.plain[k]:
		return member(b, i, s.Key, hint)
	case b[i] == '{' && (s.Key != "" || s.Index < 0):
		return memberEscaped(b, i, s.Key)
	case b[i] == '[' && p.digits[k] >= 0:
		val, st = Element(b, i, p.digits[k])
		return val, -1, st
	}
	return 0, -1, Absent
}

// Descend applies step k of p to the value at offset i of d (see Path.Descend).
func (d *Doc) Descend(p *Path, k, i int) (int, Status) {
	v, _, st := p.Descend(d.b, k, i, -1)
	return v, st
}

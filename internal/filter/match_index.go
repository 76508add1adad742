package filter

import "sync"

// When a pipe has several filters, each one walks the same record. The
// walks share a memo of the objects they read: for each object, the members
// read so far (key, value offset, value end) and where reading stopped. A
// later walk replays the recorded members and resumes reading after them, so
// the record is scanned about once instead of once per filter.

const (
	maxIndexedObjects = 8
	maxIndexedMembers = 16
)

type memberEntry struct {
	key      []byte
	val, end int
}

// objIndex is what is known about one object of the record.
type objIndex struct {
	start  int // offset just after the '{'
	n      int // recorded members
	frozen bool
	pos    int  // offset of the next unread key, while !closed
	closed bool // the whole object has been read
	end    int  // offset after the '}', once closed
	ents   [maxIndexedMembers]memberEntry
}

// indexSet holds the memo for one Filters.Match call.
type indexSet struct {
	objs [maxIndexedObjects]objIndex
	n    int
}

var indexPool = sync.Pool{New: func() any { return new(indexSet) }}

// object returns the memo for the object starting at i, creating it; nil
// when the set is full.
func (s *indexSet) object(d []byte, i int) (*objIndex, bool) {
	for k := range s.objs[:s.n] {
		if s.objs[k].start == i {
			return &s.objs[k], true
		}
	}
	if s.n == maxIndexedObjects {
		return nil, false
	}
	o := &s.objs[s.n]
	s.n++
	o.start, o.n, o.frozen, o.closed = i, 0, false, false
	o.pos = skipWS(d, i)
	if o.pos < len(d) && d[o.pos] == '}' {
		o.closed, o.end = true, o.pos+1
	}
	return o, true
}

// members iterates over the members of one object, through its memo when
// there is one.
type members struct {
	d      []byte
	obj    *objIndex // nil without a memo
	k      int       // next recorded member to replay
	pos    int
	closed bool
	end    int
	key    []byte // the member being read
	val    int
}

type memberStatus uint8

const (
	memberNext memberStatus = iota
	memberDone
	memberBad
)

// openMembers starts iterating the object whose '{' precedes d[i].
func openMembers(d []byte, i int, st *matchState) members {
	it := members{d: d}
	if st.idx != nil {
		if obj, ok := st.idx.object(d, i); ok {
			it.obj = obj
			it.pos, it.closed, it.end = obj.pos, obj.closed, obj.end
			return it
		}
	}
	it.pos = skipWS(d, i)
	if it.pos < len(d) && d[it.pos] == '}' {
		it.closed, it.end = true, it.pos+1
	}
	return it
}

// next returns the next member: its key, the offset of its value, and the
// value's end when known (-1 otherwise).
func (it *members) next() (key []byte, val, vend int, status memberStatus) {
	if it.obj != nil && it.k < it.obj.n {
		e := &it.obj.ents[it.k]
		return e.key, e.val, e.end, memberNext
	}
	if it.closed {
		return nil, 0, 0, memberDone
	}
	key, val, ok := readKey(it.d, it.pos)
	if !ok {
		return nil, 0, 0, memberBad
	}
	it.key, it.val = key, val
	return key, val, -1, memberNext
}

// advance moves past the member whose value ended at end, recording it in
// the memo. ok is false on malformed JSON.
func (it *members) advance(end int) bool {
	if it.obj != nil && it.k < it.obj.n {
		it.k++
		return true
	}
	next, done, ok := nextMember(it.d, end, '}')
	if !ok {
		return false
	}
	if done {
		it.closed, it.end = true, next
	} else {
		it.pos = skipWS(it.d, next)
	}
	it.record(end)
	return true
}

func (it *members) record(end int) {
	o := it.obj
	if o == nil || o.frozen || it.k != o.n {
		return
	}
	if o.n == maxIndexedMembers {
		o.frozen = true
		return
	}
	o.ents[o.n] = memberEntry{key: it.key, val: it.val, end: end}
	o.n++
	it.k = o.n
	o.pos, o.closed, o.end = it.pos, it.closed, it.end
}

// readKey reads `"key":` at d[i] and returns the key (decoded if it has
// escapes, which allocates) and the offset of the value.
func readKey(d []byte, i int) (key []byte, val int, ok bool) {
	if i >= len(d) || d[i] != '"' {
		return nil, i, false
	}
	kend, esc, ok := scanString(d, i)
	if !ok {
		return nil, kend, false
	}
	key = d[i+1 : kend-1]
	if esc {
		if key, ok = appendUnescaped(nil, key); !ok {
			return nil, kend, false
		}
	}
	i = skipWS(d, kend)
	if i >= len(d) || d[i] != ':' {
		return nil, i, false
	}
	return key, skipWS(d, i+1), true
}

// finish returns the end of an object decided before its last member: the
// memo may already know it; otherwise the rest is skipped.
func (it *members) finish(depth int, sat bool) (int, bool, bool) {
	if it.closed {
		return it.end, sat, true
	}
	if it.obj != nil && it.obj.closed {
		return it.obj.end, sat, true
	}
	end, ok := skipNested(it.d, it.pos, 1)
	return end, sat && ok, ok
}

package template

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
)

// status is the outcome of walking a path through a record.
type status uint8

const (
	hit    status = iota
	absent        // the path leads nowhere in this record
	bad           // the record is malformed where the walk went
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
	pos    [walkDepth]int // where the value selected by step n starts
	keyPos [walkDepth]int // where the key of the member step n selected starts, or -1
}

// resolve returns the raw JSON of the value p selects in record, without copying it when the
// path has no wildcard. A wildcard path returns a new JSON array of every match.
func (p *path) resolve(record []byte) ([]byte, status) {
	if p.wildcard {
		return p.collect(record)
	}
	return p.walkFrom(record, skipWS(record, 0), 0, nil, -1) // nothing to remember: no walk
}

// resolveFrom is resolve starting after the first shared steps, whose positions w holds from
// the previous path; it leaves the positions of this path's steps in w.
func (p *path) resolveFrom(record []byte, w *walk, shared int) ([]byte, status) {
	if p.wildcard || !p.cacheable() {
		w.n, w.exact = 0, 0
		if p.wildcard {
			return p.collect(record)
		}
		return p.walkFrom(record, skipWS(record, 0), 0, nil, -1)
	}
	k := min(shared, w.n)
	i := skipWS(record, 0)
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
// where to start looking for step k's member (see member), or -1.
func (p *path) walkFrom(b []byte, i, k int, w *walk, hint int) ([]byte, status) {
	for n := k; n < len(p.steps); n++ {
		var st status
		var keyPos int
		b, i, keyPos, st = descend(b, i, &p.steps[n], n == 0, hint)
		if st != hit {
			return nil, st
		}
		hint = -1
		if w != nil && n < walkDepth {
			w.pos[n], w.keyPos[n] = i, keyPos
			w.n = n + 1
		}
	}
	end := valueEnd(b, i)
	if end < 0 {
		return nil, bad
	}
	return b[i:end], hit
}

// sharedSteps returns how many leading steps a and b have in common.
func sharedSteps(a, b *path) int {
	n := min(len(a.prefix), len(b.prefix))
	for n > 0 && a.prefix[n-1] != b.prefix[n-1] {
		n--
	}
	return n
}

// descend applies one key or index step to the value at b[i] and returns where the selected
// value starts. At the top level it reads an SQS body holding JSON as that JSON (implicit body
// data parsing), which moves the walk into a decoded copy.
// It also returns where the selected member's key starts (-1 for an array element); hint is
// passed on to member.
func descend(b []byte, i int, s *step, top bool, hint int) ([]byte, int, int, status) {
	if i >= len(b) {
		return nil, 0, -1, bad
	}
	var pos, keyPos int
	var st status
	switch {
	case s.kind == stepKey && b[i] == '{':
		pos, keyPos, st = member(b, i, s.key, hint)
	case b[i] == '[' && s.index >= 0:
		pos, st = element(b, i, s.index)
		keyPos = -1
	default:
		return nil, 0, -1, absent
	}
	if st == hit && top && s.key == "body" && pos < len(b) && b[pos] == '"' {
		if body, ok := jsonBody(b, pos); ok {
			return body, skipWS(body, 0), -1, hit
		}
	}
	return b, pos, keyPos, st
}

// jsonBody decodes the string at b[i] and returns it when it holds a JSON object or array.
func jsonBody(b []byte, i int) ([]byte, bool) {
	end := stringEnd(b, i)
	if end < 0 {
		return nil, false
	}
	text := appendDecoded(nil, b[i:end])
	j := skipWS(text, 0)
	if j == len(text) || text[j] != '{' && text[j] != '[' || !json.Valid(text) {
		return nil, false
	}
	return text, true
}

// collect walks a wildcard path and returns a JSON array of every value it reaches. The steps
// before the first wildcard must exist (else absent); after it, elements lacking the rest of
// the path are skipped, and nested wildcards flatten into the one array.
func (p *path) collect(record []byte) ([]byte, status) {
	out := []byte{'['}
	st := collectFrom(record, skipWS(record, 0), p.steps, true, &out)
	if st != hit {
		return nil, st
	}
	return append(out, ']'), hit
}

// collectFrom walks steps from b[i], appending each value reached to out; top is true at the
// record's root.
func collectFrom(b []byte, i int, steps []step, top bool, out *[]byte) status {
	for n := range steps {
		if steps[n].kind == stepWildcard {
			return collectChildren(b, i, steps[n+1:], out)
		}
		var st status
		b, i, _, st = descend(b, i, &steps[n], top && n == 0, -1)
		if st != hit {
			return st
		}
	}
	end := valueEnd(b, i)
	if end < 0 {
		return bad
	}
	if len(*out) > 1 {
		*out = append(*out, ',')
	}
	*out = append(*out, b[i:end]...)
	return hit
}

// collectChildren applies the rest of a path to every element of an array, or every member
// value of an object, at b[i].
func collectChildren(b []byte, i int, rest []step, out *[]byte) status {
	if i >= len(b) || b[i] != '[' && b[i] != '{' {
		return absent
	}
	obj := b[i] == '{'
	i = skipWS(b, i+1)
	for i < len(b) && b[i] != ']' && b[i] != '}' {
		if obj {
			if i = skipKey(b, i); i < 0 {
				return bad
			}
		}
		if collectFrom(b, i, rest, false, out) == bad {
			return bad
		}
		if i = valueEnd(b, i); i < 0 {
			return bad
		}
		if i = skipWS(b, i); i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	if i >= len(b) {
		return bad
	}
	return hit
}

// skipKey skips `"key" :` at b[i] and returns where the member's value starts, or -1.
func skipKey(b []byte, i int) int {
	if b[i] != '"' {
		return -1
	}
	end := stringEnd(b, i)
	if end < 0 {
		return -1
	}
	i = skipWS(b, end)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipWS(b, i+1)
}

// member finds key in the object at b[i] and returns where its value and its key start. The
// first of duplicate keys wins. hint, when after i, is the key offset of a sibling the previous
// path selected: templates tend to name members in record order, so the search starts there
// and covers the members before it last.
func member(b []byte, i int, key string, hint int) (int, int, status) {
	first := skipWS(b, i+1)
	if first < len(b) && b[first] == '}' {
		return 0, -1, absent
	}
	if hint <= i {
		return members(b, first, key, -1)
	}
	pos, keyPos, st := members(b, hint, key, -1)
	if st != absent {
		return pos, keyPos, st
	}
	return members(b, first, key, hint)
}

// members scans the members from b[i] (a key) for key, up to the object's end or to the
// member at stop.
func members(b []byte, i int, key string, stop int) (int, int, status) {
	for i < len(b) && i != stop {
		if b[i] != '"' {
			return 0, -1, bad
		}
		keyPos := i
		end, match := keyEnd(b, i, key)
		if end < 0 {
			return 0, -1, bad
		}
		if i = skipWS(b, end); i >= len(b) || b[i] != ':' {
			return 0, -1, bad
		}
		i = skipWS(b, i+1)
		if match {
			return i, keyPos, hit
		}
		var st status
		if i, st = next(b, i, '}'); st != hit {
			return 0, -1, st
		}
	}
	if i == stop {
		return 0, -1, absent
	}
	return 0, -1, bad
}

// element finds the n-th element of the array at b[i] and returns where it starts.
func element(b []byte, i int, n int) (int, status) {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return 0, absent
	}
	for k := 0; i < len(b); k++ {
		if k == n {
			return i, hit
		}
		var st status
		if i, st = next(b, i, ']'); st != hit {
			return 0, st
		}
	}
	return 0, bad
}

// next skips the value at b[i] and the comma after it, returning where the next member or
// element starts; absent when the container closes with closer instead.
func next(b []byte, i int, closer byte) (int, status) {
	switch {
	case i < len(b) && b[i] == '"': // most values are strings: skip valueEnd's dispatch
		i = stringEnd(b, i)
	case i < len(b) && b[i] == '{':
		if e := typedStringEnd(b, i); e > 0 { // a DynamoDB attribute such as {"N":"71"}
			i = e
			break
		}
		i = containerEnd(b, i)
	default:
		i = valueEnd(b, i)
	}
	if i < 0 {
		return 0, bad
	}
	if i < len(b) && b[i] == ',' { // compact JSON: no space before the comma
		return skipWS(b, i+1), hit
	}
	if i = skipWS(b, i); i >= len(b) {
		return 0, bad
	}
	switch b[i] {
	case closer:
		return 0, absent
	case ',':
		return skipWS(b, i+1), hit
	}
	return 0, bad
}

// typedStringEnd returns the end of the object at b[i] when it is a one-letter key and a string,
// {"S":"..."} or {"N":"..."}, as DynamoDB writes most attribute values; else -1. It is
// containerEnd for that shape without its byte-by-byte loop.
func typedStringEnd(b []byte, i int) int {
	if i+6 > len(b) || b[i+1] != '"' || b[i+2] == '"' || b[i+2] == '\\' || b[i+3] != '"' || b[i+4] != ':' || b[i+5] != '"' {
		return -1
	}
	if e := stringEnd(b, i+5); e > 0 && e < len(b) && b[e] == '}' {
		return e + 1
	}
	return -1
}

// keyEnd returns the end of the key string at b[i] and whether it is key. The common match is
// found without scanning the key twice: a path name holds no quote or backslash, so the name's
// bytes followed by a quote can only be the whole key.
func keyEnd(b []byte, i int, key string) (int, bool) {
	if end := i + 1 + len(key); end < len(b) && b[end] == '"' && string(b[i+1:end]) == key {
		return end + 1, true
	}
	end := stringEnd(b, i)
	if end < 0 {
		return -1, false
	}
	return end, keyEquals(b[i+1:end-1], key)
}

// keyEquals compares a raw (still escaped) key with a path name. Escapes only shorten a key
// when decoded, and path names hold no character that needs one, so only a longer raw key
// with a backslash needs decoding.
func keyEquals(raw []byte, key string) bool {
	switch {
	case len(raw) < len(key):
		return false
	case len(raw) == len(key):
		return string(raw) == key
	case bytes.IndexByte(raw, '\\') < 0:
		return false
	}
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	return string(appendDecoded(nil, quoted)) == key
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the offset just after the closing quote of the string at b[i], or -1.
// It looks at eight bytes at a time for the first quote: when no backslash is just before it,
// no escape can have consumed it, so it ends the string; otherwise stringEndEscaped decides.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j+8 <= len(b); j += 8 {
		if m := byteMask(binary.LittleEndian.Uint64(b[j:]), '"'); m != 0 {
			if q := j + bits.TrailingZeros64(m)>>3; b[q-1] != '\\' {
				return q + 1
			}
			break
		}
	}
	return stringEndEscaped(b, i)
}

// stringEndEscaped is stringEnd following escapes: it looks at eight bytes at a time for a quote
// or a backslash.
func stringEndEscaped(b []byte, i int) int {
	j := i + 1
	for j < len(b) {
		for j+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[j:])
			if m := byteMask(w, '"') | byteMask(w, '\\'); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		if j >= len(b) {
			break
		}
		switch b[j] {
		case '"':
			return j + 1
		case '\\':
			j += 2
		default:
			j++
		}
	}
	return -1
}

// byteMask sets the high bit of the lowest byte of w equal to c (and possibly of bytes above
// it, which callers ignore by taking the lowest set bit).
func byteMask(w uint64, c byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := w ^ (ones * uint64(c))
	return (x - ones) &^ x & highs
}

// valueEnd returns the offset just after the value starting at b[i], or -1 if it is malformed.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		return containerEnd(b, i)
	case ',', '}', ']', ':':
		return -1
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}

// containerEnd returns the offset just after the object or array at b[i], or -1.
func containerEnd(b []byte, i int) int {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			e := stringEnd(b, j)
			if e < 0 {
				return -1
			}
			j = e - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}

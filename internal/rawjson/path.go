package rawjson

import (
	"hash/maphash"
	"strconv"
	"strings"
)

// Step is one selector of a Path: a member key, or an array index.
type Step struct {
	// Key is the member's name; for an index step it is "".
	Key string
	// Index is the element an index step selects; -1 for a key step.
	Index int
}

// KeyStep selects the member named key.
func KeyStep(key string) Step { return Step{Key: key, Index: -1} }

// IndexStep selects element n (from 0) of an array.
func IndexStep(n int) Step { return Step{Index: n} }

// Path is a compiled path from a document's root, as Pipes' JSONPath reads one: each step selects
// a member of an object (the first of duplicate keys) or an element of an array; a key made only
// of digits also selects that element when the value is an array ($.a.0 is $.a[0]). A Path is
// immutable and safe for concurrent use.
//
// Two Paths with the same steps are the same path for a Doc's memo, whichever package compiled
// them: a value one stage found is found by the next without searching again.
type Path struct {
	steps  []Step
	digits []int     // per step: the index a key of digits also selects, else -1
	plain  []bool    // per step: the key holds no backslash
	prefix []memoKey // per length n-1: the memo's key of the first n steps
	bloom  []uint64  // per length n-1: the bit of prefix[n-1] in a Doc's filter
	tail   []uint64  // per n: the bits of the prefixes longer than n
}

// memoKey identifies a run of steps from the root. canon spells the steps out unambiguously and
// is compared when hashes agree, so two different runs never share a memo entry.
type memoKey struct {
	hash  uint64
	canon string
}

// seed keys the memo's hashes; it only lives as long as the process, and so do memos.
var seed = maphash.MakeSeed()

// NewPath compiles steps into a Path.
func NewPath(steps ...Step) *Path {
	p := &Path{steps: append([]Step(nil), steps...)}
	var canon []byte
	for _, s := range p.steps {
		if s.Index >= 0 && s.Key == "" {
			canon = strconv.AppendInt(append(canon, '['), int64(s.Index), 10)
			canon = append(canon, ']')
		} else {
			canon = strconv.AppendInt(append(canon, '.'), int64(len(s.Key)), 10)
			canon = append(append(canon, ':'), s.Key...)
		}
		k := memoKey{canon: string(canon)}
		k.hash = maphash.String(seed, k.canon)
		p.prefix = append(p.prefix, k)
		p.bloom = append(p.bloom, 1<<(k.hash>>58))
		p.digits = append(p.digits, digitIndex(s))
		p.plain = append(p.plain, strings.IndexByte(s.Key, '\\') < 0)
	}
	p.tail = make([]uint64, len(p.steps)+1)
	for n := len(p.steps) - 1; n >= 0; n-- {
		p.tail[n] = p.tail[n+1] | p.bloom[n]
	}
	return p
}

// KeyPath is a Path of member keys.
func KeyPath(keys ...string) *Path {
	steps := make([]Step, len(keys))
	for i, k := range keys {
		steps[i] = KeyStep(k)
	}
	return NewPath(steps...)
}

// digitIndex is the element a key of digits selects in an array (at most 9 digits), or -1.
func digitIndex(s Step) int {
	if s.Key == "" {
		return s.Index
	}
	if len(s.Key) > 9 {
		return -1
	}
	n := 0
	for i := 0; i < len(s.Key); i++ {
		c := s.Key[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// Len is the number of steps.
func (p *Path) Len() int { return len(p.steps) }

// Step returns step n (from 0).
func (p *Path) Step(n int) Step { return p.steps[n] }

// Shared returns how many leading steps p and q have in common.
func (p *Path) Shared(q *Path) int {
	n := min(len(p.prefix), len(q.prefix))
	for n > 0 && p.prefix[n-1] != q.prefix[n-1] {
		n--
	}
	return n
}

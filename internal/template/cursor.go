package template

const (
	cursorPaths = 8 // paths a Cursor remembers: marked ones, then the template's
	cursorDepth = 6 // steps of each it remembers
)

// Cursor remembers, for one record, where the paths resolved in it led, so that a parameter
// resolved after the template (or after another parameter) starts from the deepest value they
// share instead of from the record's start: the cache-put pipe's key is the template's
// $.dynamodb.Keys.Location.S. Only positions a walk from the start would find are remembered,
// so a value is always the one Param.Resolve gives. A Cursor is not safe for concurrent use.
type Cursor struct {
	record []byte
	n      int
	paths  [cursorPaths]cursorPath
}

// cursorPath is where the first n steps of a path led.
type cursorPath struct {
	p   *path
	n   int
	pos [cursorDepth]int
}

// Reset empties the cursor and binds it to record.
func (c *Cursor) Reset(record []byte) {
	c.record, c.n = record, 0
}

// Mark tells the cursor where a walk from its record's start finds the values along p: pos[n]
// is where the value p's step n selects starts. Paths resolved afterwards start from the deepest
// of them they share. The caller vouches for the positions, for the record being valid JSON and
// for the objects along p having no duplicate keys (a reader that checked the record's shape, as
// replay does): otherwise values may differ from Render's. A literal, a path of more than 6
// steps or a wrong number of positions is ignored, as is a mark beyond the cursor's room.
func (c *Cursor) Mark(p Param, pos ...int) {
	if p.path == nil || p.path.wildcard || !p.path.cacheable() || len(pos) != len(p.path.steps) ||
		len(pos) == 0 || len(pos) > cursorDepth || c.n == cursorPaths {
		return
	}
	e := &c.paths[c.n]
	e.p, e.n = p.path, len(pos)
	copy(e.pos[:], pos)
	c.n++
}

// AppendParam is AppendResolve for the cursor's record. p is a Param; any other value with a
// Resolve(record []byte) (string, bool) method resolves through it, and anything else is not
// found.
func (c *Cursor) AppendParam(dst []byte, p any) ([]byte, bool) {
	switch p := p.(type) {
	case Param:
		if p.path == nil {
			return append(dst, p.text...), true
		}
		raw, st := c.resolve(p.path)
		if st != hit {
			return dst, false
		}
		if raw[0] == '"' {
			return appendDecoded(dst, raw), true
		}
		return appendCanonical(dst, raw, false), true
	case interface{ Resolve([]byte) (string, bool) }:
		v, ok := p.Resolve(c.record)
		return append(dst, v...), ok
	}
	return dst, false
}

// resolve is p.resolve(c.record) starting from the deepest remembered value p's path shares.
func (c *Cursor) resolve(p *path) ([]byte, status) {
	if p.wildcard || !p.cacheable() || len(p.steps) == 0 || len(p.steps) > cursorDepth {
		return p.resolve(c.record)
	}
	var w walk
	i := skipWS(c.record, 0)
	e, k := c.deepest(p)
	if k > 0 {
		copy(w.pos[:k], e.pos[:k])
		i = w.pos[k-1]
	}
	w.n = k
	raw, st := p.walkFrom(c.record, i, k, &w, -1)
	if st == hit {
		c.remember(p, &w, w.n)
	}
	return raw, st
}

// deepest returns the remembered path that shares the most leading steps with p, and how many.
func (c *Cursor) deepest(p *path) (*cursorPath, int) {
	var best *cursorPath
	k := 0
	for j := range c.paths[:c.n] {
		e := &c.paths[j]
		if n := min(sharedSteps(e.p, p), e.n); n > k {
			if best, k = e, n; k == len(p.steps) {
				break // none can share more
			}
		}
	}
	return best, k
}

// remember keeps the first exact positions of w, the walk of p, unless a remembered path
// already leads as far along the same steps.
func (c *Cursor) remember(p *path, w *walk, exact int) {
	exact = min(exact, w.n, cursorDepth)
	if exact == 0 || c.n == cursorPaths {
		return
	}
	for j := range c.paths[:c.n] {
		if e := &c.paths[j]; e.n >= exact && sharedSteps(e.p, p) >= exact {
			return
		}
	}
	e := &c.paths[c.n]
	e.p, e.n = p, exact
	copy(e.pos[:exact], w.pos[:exact])
	c.n++
}

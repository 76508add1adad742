package template

import (
	"encoding/json"
	"fmt"
	"slices"
)

var noVars Vars

// Render appends the body the template makes of record to dst and returns it. record is the
// raw Pipes-shaped record JSON; vars may be nil (empty names and ARNs, ingestion time now). It
// blocks on nothing. A path absent from the record renders as the template's Missing option
// says; with MissingFail it returns an error wrapping ErrMissingPath. A record that is not JSON
// where a path walks gives an error wrapping ErrRecord. On error dst is returned unextended.
func (t *Template) Render(dst, record []byte, vars *Vars) ([]byte, error) {
	return t.render(dst, record, vars, nil)
}

// RenderCursor is Render of the cursor's record, which leaves in c where the template's paths
// led, for the parameters resolved after it (Cursor.AppendParam).
func (t *Template) RenderCursor(dst []byte, c *Cursor, vars *Vars) ([]byte, error) {
	return t.render(dst, c.record, vars, c)
}

// render is Render remembering the walk in c when it is not nil.
func (t *Template) render(dst, record []byte, vars *Vars, c *Cursor) ([]byte, error) {
	if vars == nil {
		vars = &noVars
	}
	start := len(dst)
	if cap(dst)-len(dst) < t.sizeHint {
		dst = slices.Grow(dst, t.sizeHint)
	}
	var w walk
	for i := range t.segs {
		s := &t.segs[i]
		if !s.isPH {
			dst = append(dst, s.lit...)
			continue
		}
		var err error
		if s.path != nil {
			dst, err = t.renderPath(dst, record, s, &w, c)
			if c != nil && err == nil {
				c.remember(s.path, &w, w.exact)
			}
		} else {
			dst, err = renderVar(dst, record, vars, s)
		}
		if err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

// renderPath writes the value a path placeholder selects.
func (t *Template) renderPath(dst, record []byte, s *segment, w *walk, c *Cursor) ([]byte, error) {
	raw, st := resolvePath(record, s, w, c)
	switch st {
	case bad:
		return dst, fmt.Errorf("resolve %s: %w", s.path.text, ErrRecord)
	case absent:
		return t.renderMissing(dst, s)
	}
	if s.ctx == ctxString && (raw[0] == '{' || raw[0] == '[') && !t.opts.StripObjectQuotes {
		return dst, fmt.Errorf("resolve %s: %w", s.path.text, ErrObjectInString)
	}
	return appendValue(dst, raw, s.ctx), nil
}

// resolvePath resolves a placeholder's path: from the deepest value c knows (a mark, or an
// earlier path's walk) when that is deeper than the steps the path shares with the previous
// placeholder's, else on from the previous placeholder's walk (resolveFrom). c may be nil.
func resolvePath(record []byte, s *segment, w *walk, c *Cursor) ([]byte, status) {
	p := s.path
	if c == nil || c.n == 0 || p.wildcard || !p.cacheable() {
		return p.resolveFrom(record, w, s.shared)
	}
	e, k := c.deepest(p)
	if k <= min(s.shared, w.n) {
		return p.resolveFrom(record, w, s.shared)
	}
	copy(w.pos[:k], e.pos[:k])
	for n := range min(k, walkDepth) {
		w.keyPos[n] = -1 // no sibling hints: these positions come from elsewhere
	}
	w.n = k
	raw, st := p.walkFrom(record, w.pos[k-1], k, w, -1)
	w.exact = w.n // the cursor's positions are exact, and so is a walk on without a hint
	return raw, st
}

// renderMissing writes what an absent path stands for.
func (t *Template) renderMissing(dst []byte, s *segment) ([]byte, error) {
	switch {
	case t.opts.Missing == MissingFail:
		return dst, fmt.Errorf("resolve %s: %w", s.path.text, ErrMissingPath)
	case s.ctx != ctxValue:
		return dst, nil
	case t.opts.Missing == MissingNull:
		return append(dst, "null"...), nil
	}
	return append(dst, '"', '"'), nil
}

// appendValue writes the raw JSON value as its context requires: as JSON in a value position;
// as text elsewhere (a string's characters, escaped inside a JSON string literal; a scalar's
// JSON text; an object or array with its string quotes dropped).
func appendValue(dst, raw []byte, ctx context) []byte {
	switch {
	case ctx == ctxValue && raw[0] == '"': // one string token: no need to look for its end
		return appendStringToken(dst, raw, true)
	case ctx == ctxValue:
		return appendCanonical(dst, raw, false)
	case raw[0] == '"' && ctx == ctxString:
		return appendStringToken(dst, raw, false)
	case raw[0] == '"':
		return appendDecoded(dst, raw)
	case raw[0] == '{' || raw[0] == '[':
		return appendCanonical(dst, raw, true)
	}
	return append(dst, raw...)
}

// renderVar writes a reserved variable.
func renderVar(dst, record []byte, vars *Vars, s *segment) ([]byte, error) {
	switch s.v {
	case varIngestionTime:
		if s.ctx == ctxValue {
			return append(vars.appendTime(append(dst, '"')), '"'), nil
		}
		return vars.appendTime(dst), nil
	case varEvent, varEventJSON:
		return renderEvent(dst, record, s)
	}
	return appendString(dst, vars.str(s.v), s.ctx), nil
}

// appendString writes a string variable as its context requires.
func appendString(dst []byte, v string, ctx context) []byte {
	switch ctx {
	case ctxValue:
		return appendQuoted(dst, v)
	case ctxString:
		return appendEscaped(dst, v)
	}
	return append(dst, v...)
}

// renderEvent writes <aws.pipes.event.json> (the record as JSON, only in a value position) or
// <aws.pipes.event> (the record's JSON text as a string: quoted and escaped as a JSON value,
// escaped inside a string literal, as is in text).
func renderEvent(dst, record []byte, s *segment) ([]byte, error) {
	if !json.Valid(record) {
		return dst, fmt.Errorf("render <aws.pipes.event>: %w", ErrRecord)
	}
	if s.v == varEventJSON {
		return appendEventJSON(dst, record), nil
	}
	if s.ctx == ctxText {
		return appendCanonical(dst, record, false), nil
	}
	text := string(appendCanonical(nil, record, false))
	return appendString(dst, text, s.ctx), nil
}

// appendEventJSON writes the record as JSON with an SQS body that holds JSON decoded into that
// JSON, as the docs define <aws.pipes.event.json> ("encoded fields ... are decoded").
func appendEventJSON(dst, record []byte) []byte {
	i := skipWS(record, 0)
	if i == len(record) || record[i] != '{' {
		return appendCanonical(dst, record, false)
	}
	pos, _, st := member(record, i, "body", -1)
	if st != hit || record[pos] != '"' {
		return appendCanonical(dst, record, false)
	}
	body, ok := jsonBody(record, pos)
	if !ok {
		return appendCanonical(dst, record, false)
	}
	dst = appendCanonical(dst, record[:pos], false)
	dst = appendCanonical(dst, body, false)
	return appendCanonical(dst, record[stringEnd(record, pos):], false)
}

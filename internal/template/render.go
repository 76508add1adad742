package template

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pipesim/pipesim/internal/rawjson"
)

var noVars Vars

// Render appends the body the template makes of the record doc holds to dst and returns it.
// vars may be nil (empty names and ARNs, ingestion time now). It blocks on nothing. Paths are
// resolved through doc: a value the memo knows (found by a filter, a source, an earlier stage) is
// not searched for, and a value found from the record's start is left in the memo for the stages
// after (the target's $.path parameters). A path absent from the record renders as the
// template's Missing option says; with MissingFail it returns an error wrapping ErrMissingPath.
// A record that is not JSON where a path walks gives an error wrapping ErrRecord. On error dst is
// returned unextended.
func (t *Template) Render(dst []byte, doc *rawjson.Doc, vars *Vars) ([]byte, error) {
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
			dst, err = t.renderPath(dst, doc, s, &w)
		} else {
			dst, err = renderVar(dst, doc.Bytes(), vars, s)
		}
		if err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

// renderPath writes the value a path placeholder selects.
func (t *Template) renderPath(dst []byte, doc *rawjson.Doc, s *segment, w *walk) ([]byte, error) {
	raw, st := resolvePath(doc, s, w)
	switch st {
	case rawjson.Malformed:
		return dst, fmt.Errorf("resolve %s: %w", s.path.text, ErrRecord)
	case rawjson.Absent:
		return t.renderMissing(dst, s)
	}
	if s.ctx == ctxString && (raw[0] == '{' || raw[0] == '[') && !t.opts.StripObjectQuotes {
		return dst, fmt.Errorf("resolve %s: %w", s.path.text, ErrObjectInString)
	}
	return appendValue(dst, raw, s.ctx), nil
}

// resolvePath resolves a placeholder's path: from the deepest value the Doc's memo knows when
// that is deeper than the steps the path shares with the previous placeholder's, else on from
// the previous placeholder's walk (resolveFrom).
func resolvePath(doc *rawjson.Doc, s *segment, w *walk) ([]byte, rawjson.Status) {
	p := s.path
	if !p.memo || len(p.steps) == 0 {
		return p.resolveFrom(doc.Bytes(), w, s.shared)
	}
	k := min(s.shared, w.n)
	if doc.MayKnow(p.doc, k) {
		if n, span := doc.Deepest(p.doc, k); n > 0 {
			return fromMemo(doc, p, w, n, span)
		}
	}
	raw, st := p.resolveFrom(doc.Bytes(), w, s.shared)
	if w.exact == w.n && st != rawjson.Malformed && len(p.steps) <= walkDepth {
		remember(doc, p, w, k, raw, st)
	}
	return raw, st
}

// remember leaves in the memo what a walk from the record's start (not from a sibling's hint,
// which may find a later duplicate key) found: the value, with the object two steps up (a
// DynamoDB record's image) when the walk went through it, or where the path ends.
func remember(doc *rawjson.Doc, p *path, w *walk, from int, raw []byte, st rawjson.Status) {
	last := len(p.steps)
	if st == rawjson.Absent {
		doc.Remember(p.doc, w.n+1, rawjson.Span{Start: -1})
		return
	}
	if g := last - 2; g > from && g > 0 {
		doc.Remember(p.doc, g, rawjson.Span{Start: int32(w.pos[g-1])})
	}
	start := w.pos[last-1]
	doc.Remember(p.doc, last, rawjson.Span{Start: int32(start), End: int32(start + len(raw))})
}

// fromMemo resolves p from the value of its first n steps, which the memo gives as span, and
// leaves the value in the memo.
func fromMemo(doc *rawjson.Doc, p *path, w *walk, n int, span rawjson.Span) ([]byte, rawjson.Status) {
	record := doc.Bytes()
	w.n, w.exact = 0, 0
	if !span.Present() {
		return nil, rawjson.Absent
	}
	if n == len(p.steps) && span.End > 0 {
		w.n = 0 // the walk's positions are not known: the next path starts afresh
		return record[span.Start:span.End], rawjson.Found
	}
	for j := range min(n, walkDepth) {
		w.pos[j], w.keyPos[j] = -1, -1 // known only at step n: the memo keeps one position
	}
	if n <= walkDepth {
		w.pos[n-1] = int(span.Start)
	}
	w.n = min(n, walkDepth)
	raw, st := p.walkFrom(record, int(span.Start), n, w, -1)
	w.exact = w.n // the memo's positions are exact, and so is a walk on without a hint
	if st != rawjson.Malformed && len(p.steps) <= walkDepth {
		remember(doc, p, w, len(p.steps), raw, st)
	}
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
	i := rawjson.SkipSpace(record, 0)
	if i == len(record) || record[i] != '{' {
		return appendCanonical(dst, record, false)
	}
	pos, _, st := rawjson.Member(record, i, "body", -1)
	if st != rawjson.Found || record[pos] != '"' {
		return appendCanonical(dst, record, false)
	}
	body, ok := jsonBody(record, pos)
	if !ok {
		return appendCanonical(dst, record, false)
	}
	dst = appendCanonical(dst, record[:pos], false)
	dst = appendCanonical(dst, body, false)
	return appendCanonical(dst, record[rawjson.StringEnd(record, pos):], false)
}

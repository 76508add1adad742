package filter

import (
	"fmt"
	"unicode/utf8"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// pkind is the kind of a parsed pattern value.
type pkind uint8

const (
	pObject pkind = iota
	pArray
	pString
	pNumber
	pTrue
	pFalse
	pNull
)

// pval is one value of a parsed pattern document. Objects keep their members
// in order, a repeated key included: Event Ruler reads a pattern as a stream,
// so what a repeated key means depends on what lies between the two (see
// compile_or.go). Numbers keep their exact spelling in str.
type pval struct {
	kind  pkind
	str   string // string value, number text, or literal text
	keys  []string
	vals  []*pval // object values, parallel to keys
	items []*pval // array items
}

// parser is a small JSON reader whose error texts follow Jackson's, the
// parser behind AWS's InvalidEventPatternException messages.
type parser struct {
	src   []byte
	pos   int
	depth int
}

const maxPatternDepth = 100

// parsePattern parses a whole pattern document. It returns a compileError
// with a line and column on malformed JSON.
func parsePattern(src string) (*pval, error) {
	p := &parser{src: []byte(src)}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.unexpected("expected end of the pattern")
	}
	return v, nil
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// where gives Jackson's "line: L, column: C" for the current position.
func (p *parser) where() string {
	line, col := 1, 1
	for _, c := range p.src[:min(p.pos, len(p.src))] {
		if c == '\n' {
			line, col = line+1, 1
			continue
		}
		col++
	}
	return fmt.Sprintf("line: %d, column: %d", line, col)
}

func (p *parser) fail(format string, args ...any) error {
	return &compileError{reason: fmt.Sprintf(format, args...) + " at [" + p.where() + "]"}
}

func (p *parser) eof(what string) error {
	return p.fail("Unexpected end-of-input: %s", what)
}

func (p *parser) unexpected(expecting string) error {
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	return p.fail("Unexpected character ('%c' (code %d)): %s", r, r, expecting)
}

func (p *parser) value() (*pval, error) {
	if p.pos >= len(p.src) {
		return nil, p.eof("expected a JSON value")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		return &pval{kind: pString, str: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
		return p.literal()
	}
	return nil, p.unexpected("expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
}

func (p *parser) literal() (*pval, error) {
	start := p.pos
	for p.pos < len(p.src) && isWordByte(p.src[p.pos]) {
		p.pos++
	}
	word := string(p.src[start:p.pos])
	switch word {
	case "true":
		return &pval{kind: pTrue, str: word}, nil
	case "false":
		return &pval{kind: pFalse, str: word}, nil
	case "null":
		return &pval{kind: pNull, str: word}, nil
	}
	p.pos = start
	return nil, p.fail("Unrecognized token '%s': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", word)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c >= 0x80
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxPatternDepth {
		return p.fail("Document nesting depth exceeds the maximum allowed (%d)", maxPatternDepth)
	}
	return nil
}

func (p *parser) object() (*pval, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	v := &pval{kind: pObject}
	p.pos++ // '{'
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		if err := p.member(v); err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.eof("expected close marker for Object")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			return v, nil
		default:
			return nil, p.unexpected("was expecting comma to separate Object entries")
		}
	}
}

// member reads one "key": value pair into v; a repeated key is kept.
func (p *parser) member(v *pval) error {
	if p.pos >= len(p.src) {
		return p.eof("expected close marker for Object")
	}
	if p.src[p.pos] != '"' {
		return p.unexpected("was expecting double-quote to start field name")
	}
	key, err := p.str()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.pos >= len(p.src) {
		return p.eof("expected close marker for Object")
	}
	if p.src[p.pos] != ':' {
		return p.unexpected("was expecting a colon to separate field name and value")
	}
	p.pos++
	p.skipSpace()
	val, err := p.value()
	if err != nil {
		return err
	}
	v.keys = append(v.keys, key)
	v.vals = append(v.vals, val)
	return nil
}

func (p *parser) array() (*pval, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	v := &pval{kind: pArray}
	p.pos++ // '['
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		item, err := p.value()
		if err != nil {
			return nil, err
		}
		v.items = append(v.items, item)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.eof("expected close marker for Array")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			return v, nil
		default:
			return nil, p.unexpected("was expecting comma to separate Array entries")
		}
	}
}

// str reads a JSON string at p.pos (an opening quote) and returns its value.
func (p *parser) str() (string, error) {
	end, esc, ok := scanString(p.src, p.pos)
	if !ok {
		if e := rawjson.StringEnd(p.src, p.pos); e > 0 && !rawControl(p.src[p.pos+1:e-1]) {
			p.pos = e // the string ends, holds no control character: an escape is wrong
			return "", p.fail("Unrecognized character escape in string")
		}
		return "", p.badString()
	}
	raw := p.src[p.pos+1 : end-1]
	p.pos = end
	if !esc {
		if !utf8.Valid(raw) {
			return "", p.fail("Invalid UTF-8 in string")
		}
		return string(raw), nil
	}
	out, ok := appendUnescaped(nil, raw)
	if !ok {
		return "", p.fail("Unrecognized character escape in string")
	}
	return string(out), nil
}

// badString explains why the string at p.pos does not parse.
func (p *parser) badString() error {
	for i := p.pos + 1; i < len(p.src); i++ {
		if p.src[i] < 0x20 {
			p.pos = i
			return p.fail("Illegal unquoted character ((CTRL-CHAR, code %d)): has to be escaped using backslash to be included in string value", p.src[i])
		}
		if p.src[i] == '\\' {
			i++
		}
	}
	p.pos = len(p.src)
	return p.eof("was expecting closing quote for a string value")
}

func (p *parser) number() (*pval, error) {
	end, ok := scanNumber(p.src, p.pos)
	if !ok {
		if leadingZero(p.src[p.pos:]) {
			return nil, p.fail("Invalid numeric value: Leading zeroes not allowed") // Jackson's words
		}
		return nil, p.fail("Invalid numeric value: %q", string(p.src[p.pos:numberishEnd(p.src, p.pos)]))
	}
	text := string(p.src[p.pos:end])
	p.pos = end
	return &pval{kind: pNumber, str: text}, nil
}

// rawControl reports whether string content holds a control character that is not escaped.
func rawControl(content []byte) bool {
	for i := 0; i < len(content); i++ {
		switch c := content[i]; {
		case c == '\\':
			i++
		case c < 0x20:
			return true
		}
	}
	return false
}

// leadingZero reports whether b starts with a number whose integer part has a leading zero
// (01, -00).
func leadingZero(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	return len(b) > 1 && b[0] == '0' && b[1] >= '0' && b[1] <= '9'
}

// numberishEnd is the end of the run of bytes a number could be made of, from i (at least one
// byte): the text an invalid number's error shows.
func numberishEnd(b []byte, i int) int {
	j := i + 1
	for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
		j++
	}
	return min(j, len(b))
}

package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxTemplateChars is the InputTemplate length limit of the Pipes API model.
const maxTemplateChars = 8192

// context is where a placeholder sits, which decides how its value is written.
type context uint8

const (
	ctxText   context = iota // anywhere in a template that is not JSON-shaped: raw text
	ctxValue                 // a JSON value position: the value as JSON
	ctxString                // inside a JSON string literal: raw text, escaped for the string
)

// segment is a run of literal template text or one placeholder.
type segment struct {
	lit    string
	isPH   bool
	ctx    context
	path   *path // nil for a reserved variable
	v      varKind
	where  int // byte offset of the placeholder's '<'
	shared int // leading steps shared with the previous path placeholder
}

// Template is a compiled InputTemplate. It is immutable and safe for concurrent use.
type Template struct {
	text     string
	segs     []segment
	isJSON   bool
	opts     Options
	sizeHint int // room Render makes in dst up front, so a body usually costs one allocation
}

// Compile validates an InputTemplate and compiles it for Render. It rejects an empty text (an
// empty InputTemplate means "no template"), more than 8192 characters, unterminated or
// malformed placeholders, unknown variables, bad path syntax, placeholders used as object
// keys and <aws.pipes.event.json> anywhere but a JSON value position. The error is an *Error.
func Compile(text string, opts Options) (*Template, error) {
	if text == "" {
		return nil, errorAt(text, 0, "empty template: an empty InputTemplate means no template (the record is sent as it is)")
	}
	if n := utf8.RuneCountInString(text); n > maxTemplateChars {
		return nil, errorAt(text, runeOffset(text, maxTemplateChars), "template is %d characters; the limit is %d", n, maxTemplateChars)
	}
	c := &compiler{text: text, t: &Template{text: text, opts: opts}}
	var err error
	if jsonShaped(text) {
		err = c.lexJSON()
	} else {
		err = c.lexText()
	}
	if err != nil {
		return nil, err
	}
	c.flush(len(text))
	c.t.shareSteps()
	return c.t, nil
}

// placeholderHint is the room Render reserves for each placeholder's value.
const placeholderHint = 32

// shareSteps records, for each path placeholder, how many leading steps it shares with the
// path placeholder rendered before it, and sizes the output hint.
func (t *Template) shareSteps() {
	var prev *path
	for i := range t.segs {
		t.sizeHint += len(t.segs[i].lit) + placeholderHint
		if p := t.segs[i].path; p != nil {
			if prev != nil {
				t.segs[i].shared = sharedSteps(prev, p)
			}
			prev = p
		}
	}
}

// IsJSON reports whether the template is a JSON object or array once its placeholders are
// filled: then a rendering with every path present is valid JSON.
func (t *Template) IsJSON() bool { return t.isJSON }

// String returns the template as written.
func (t *Template) String() string { return t.text }

// jsonShaped reports whether the first non-space character opens an object or array: such a
// template is read as JSON, with placeholders in value positions rendering as JSON values.
func jsonShaped(text string) bool {
	s := strings.TrimLeft(text, " \t\r\n")
	return s != "" && (s[0] == '{' || s[0] == '[')
}

// runeOffset returns the byte offset of the n-th character (from 0) of s.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// compiler holds the state of one Compile call.
type compiler struct {
	text     string
	t        *Template
	litStart int
	json     jsonState
}

// flush ends the literal run at end.
func (c *compiler) flush(end int) {
	if end > c.litStart {
		c.t.segs = append(c.t.segs, segment{lit: c.text[c.litStart:end]})
	}
}

// add records a placeholder spanning [start, end).
func (c *compiler) add(ph segment, start, end int) {
	c.flush(start)
	c.t.segs = append(c.t.segs, ph)
	c.litStart = end
}

// lexText finds the placeholders of a template that is not JSON-shaped.
func (c *compiler) lexText() error {
	for i := 0; i < len(c.text); {
		k := strings.IndexByte(c.text[i:], '<')
		if k < 0 {
			break
		}
		pos := i + k
		end, ph, err := c.placeholder(pos, ctxText)
		if err != nil {
			return err
		}
		if end == 0 {
			i = pos + 1
			continue
		}
		c.add(ph, pos, end)
		i = end
	}
	return nil
}

// placeholder reads the placeholder at c.text[pos] == '<'. It returns end 0 when the '<' is
// literal text: a placeholder starts with <$ or <name> where name is a dotted identifier.
func (c *compiler) placeholder(pos int, ctx context) (int, segment, error) {
	next := pos + 1
	if next >= len(c.text) {
		return 0, segment{}, nil
	}
	if c.text[next] == '$' {
		return c.pathPlaceholder(pos, ctx)
	}
	if isIdentStart(c.text[next]) {
		return c.varPlaceholder(pos, ctx)
	}
	return 0, segment{}, nil
}

func (c *compiler) pathPlaceholder(pos int, ctx context) (int, segment, error) {
	start := pos + 1
	j := start
	for j < len(c.text) && isPathByte(c.text[j]) {
		j++
	}
	if j == len(c.text) {
		return 0, segment{}, errorAt(c.text, pos, "unterminated placeholder %q: missing >", c.text[pos:j])
	}
	if c.text[j] != '>' {
		return 0, segment{}, errorAt(c.text, j, "placeholder %q is not closed: %q is neither a path character (letters, digits, _ - / . [n] [*]) nor the closing >", c.text[pos:j], c.text[j])
	}
	p, perr := parsePath(c.text[start:j])
	if perr != nil {
		return 0, segment{}, errorAt(c.text, start+perr.offset, "%s", perr.reason)
	}
	return j + 1, segment{isPH: true, ctx: ctx, path: p, where: pos}, nil
}

func (c *compiler) varPlaceholder(pos int, ctx context) (int, segment, error) {
	j := pos + 1
	for j < len(c.text) && isIdentByte(c.text[j]) {
		j++
	}
	name := c.text[pos+1 : j]
	if j == len(c.text) || c.text[j] != '>' {
		if strings.HasPrefix(name, "aws.") {
			return 0, segment{}, errorAt(c.text, pos, "unterminated placeholder <%s: missing >", name)
		}
		return 0, segment{}, nil
	}
	v, ok := reserved[name]
	if !ok {
		return 0, segment{}, errorAt(c.text, pos, "unknown placeholder <%s>: a Pipes template takes <$.path> or one of %s", name, reservedList())
	}
	if v == varEventJSON && ctx != ctxValue {
		return 0, segment{}, errorAt(c.text, pos, "<aws.pipes.event.json> can only be a JSON value, since it is not escaped (use <aws.pipes.event> in text)")
	}
	return j + 1, segment{isPH: true, ctx: ctx, v: v, where: pos}, nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// reservedList names the reserved variables for error messages, in documentation order.
func reservedList() string {
	return "<aws.pipes.pipe-arn>, <aws.pipes.pipe-name>, <aws.pipes.source-arn>, <aws.pipes.enrichment-arn>, " +
		"<aws.pipes.target-arn>, <aws.pipes.event.ingestion-time>, <aws.pipes.event>, <aws.pipes.event.json>"
}

// lexJSON walks a JSON-shaped template token by token, tracking string literals (which decide
// each placeholder's context) and the structure (which finds placeholders used as keys and
// whether the template is valid JSON). Once the structure breaks, only string tracking goes on.
func (c *compiler) lexJSON() error {
	for i := 0; i < len(c.text); {
		var err error
		switch ch := c.text[i]; {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			i++
		case ch == '"':
			i, err = c.lexString(i)
		case ch == '<':
			i, err = c.lexValuePlaceholder(i)
		case strings.IndexByte("{}[]:,", ch) >= 0:
			c.json.punct(ch)
			i++
		default:
			i = c.lexScalar(i)
		}
		if err != nil {
			return err
		}
	}
	c.t.isJSON = c.json.complete()
	return nil
}

// lexString reads the string literal at c.text[i] with its placeholders.
func (c *compiler) lexString(i int) (int, error) {
	isKey := c.json.string()
	j := i + 1
	for j < len(c.text) {
		switch ch := c.text[j]; {
		case ch == '\\':
			j = c.escape(j)
			continue
		case ch == '"':
			return j + 1, nil
		case ch < 0x20:
			c.json.broken = true
		case ch == '<':
			end, ph, err := c.placeholder(j, ctxString)
			if err != nil {
				return 0, err
			}
			if end > 0 {
				if isKey {
					return 0, errorAt(c.text, j, "placeholder %s used in an object key: placeholders can only be values", c.text[j:end])
				}
				c.add(ph, j, end)
				j = end
				continue
			}
		}
		j++
	}
	c.json.broken = true // unterminated string
	return len(c.text), nil
}

// escape skips the escape sequence at c.text[j] (a backslash), marking the JSON broken when it
// is not one JSON allows.
func (c *compiler) escape(j int) int {
	if j+1 >= len(c.text) {
		c.json.broken = true
		return len(c.text)
	}
	switch c.text[j+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return j + 2
	case 'u':
		if _, ok := hex4([]byte(c.text), j+2); ok {
			return j + 6
		}
	}
	c.json.broken = true
	return j + 2
}

// lexValuePlaceholder reads a '<' outside any string literal.
func (c *compiler) lexValuePlaceholder(i int) (int, error) {
	end, ph, err := c.placeholder(i, ctxValue)
	if err != nil {
		return 0, err
	}
	if end == 0 {
		c.json.broken = true
		return i + 1, nil
	}
	if c.json.wantsKey() {
		return 0, errorAt(c.text, i, "placeholder %s used as an object key: placeholders can only be values", c.text[i:end])
	}
	c.json.value()
	c.add(ph, i, end)
	return end, nil
}

// lexScalar reads a bare token (number, true, false, null, or junk that breaks the JSON).
func (c *compiler) lexScalar(i int) int {
	j := i
	for j < len(c.text) && strings.IndexByte(" \t\r\n{}[]:,\"<", c.text[j]) < 0 {
		j++
	}
	if tok := c.text[i:j]; json.Valid([]byte(tok)) {
		c.json.value()
	} else {
		c.json.broken = true
	}
	return j
}

// jsonState is the structural state of a JSON-shaped template being lexed.
type jsonState struct {
	stack  []byte
	expect expect
	broken bool
}

type expect uint8

const (
	expValue      expect = iota // a value
	expValueOrEnd               // after '[': a value or ']'
	expKeyOrEnd                 // after '{': a key or '}'
	expKey                      // after ',' in an object
	expColon
	expCommaOrEnd
	expDone
)

func (s *jsonState) wantsKey() bool {
	return !s.broken && (s.expect == expKey || s.expect == expKeyOrEnd)
}

func (s *jsonState) wantsValue() bool {
	return s.expect == expValue || s.expect == expValueOrEnd
}

// value records a value token.
func (s *jsonState) value() {
	if s.broken || !s.wantsValue() {
		s.broken = true
		return
	}
	s.afterValue()
}

func (s *jsonState) afterValue() {
	if len(s.stack) == 0 {
		s.expect = expDone
	} else {
		s.expect = expCommaOrEnd
	}
}

// string records a string token and reports whether it is an object key.
func (s *jsonState) string() bool {
	if s.wantsKey() {
		s.expect = expColon
		return true
	}
	s.value()
	return false
}

// punct records one of {}[]:,.
func (s *jsonState) punct(ch byte) {
	if s.broken {
		return
	}
	switch ch {
	case '{', '[':
		s.open(ch)
	case '}', ']':
		s.close(ch)
	case ':':
		s.expectThen(expColon, expValue)
	case ',':
		s.comma()
	}
}

func (s *jsonState) open(ch byte) {
	if !s.wantsValue() {
		s.broken = true
		return
	}
	s.stack = append(s.stack, ch)
	s.expect = expValueOrEnd
	if ch == '{' {
		s.expect = expKeyOrEnd
	}
}

func (s *jsonState) close(ch byte) {
	n := len(s.stack)
	open := byte('{')
	if ch == ']' {
		open = '['
	}
	okState := s.expect == expCommaOrEnd || ch == '}' && s.expect == expKeyOrEnd || ch == ']' && s.expect == expValueOrEnd
	if n == 0 || s.stack[n-1] != open || !okState {
		s.broken = true
		return
	}
	s.stack = s.stack[:n-1]
	s.afterValue()
}

func (s *jsonState) comma() {
	n := len(s.stack)
	if s.expect != expCommaOrEnd || n == 0 {
		s.broken = true
		return
	}
	s.expect = expValue
	if s.stack[n-1] == '{' {
		s.expect = expKey
	}
}

func (s *jsonState) expectThen(want, then expect) {
	if s.expect != want {
		s.broken = true
		return
	}
	s.expect = then
}

// complete reports whether the template was one whole, valid JSON value.
func (s *jsonState) complete() bool {
	return !s.broken && s.expect == expDone
}

// describe is used by tests and the command to say how a template was read.
func (t *Template) describe() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "json=%v", t.isJSON)
	for _, s := range t.segs {
		if !s.isPH {
			continue
		}
		name := "var"
		if s.path != nil {
			name = s.path.text
		}
		fmt.Fprintf(&b, " %s@%d:%d", name, s.where, s.ctx)
	}
	return b.String()
}

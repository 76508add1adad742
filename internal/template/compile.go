package template

import (
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
		t.sizeHint += len(t.segs[i].lit)
		if t.segs[i].isPH {
			t.sizeHint += placeholderHint
		}
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

// UsesIngestionTime reports whether the template has <aws.pipes.event.ingestion-time>, so that a
// caller reads the clock for Vars.IngestionTime only when it is rendered.
func (t *Template) UsesIngestionTime() bool {
	for i := range t.segs {
		if t.segs[i].isPH && t.segs[i].path == nil && t.segs[i].v == varIngestionTime {
			return true
		}
	}
	return false
}

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

package template

import (
	"encoding/json"
	"strings"
)

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
		if j+6 <= len(c.text) && isHex(c.text[j+2:j+6]) {
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

// isHex reports whether s is only hex digits.
func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

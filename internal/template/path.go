package template

import (
	"fmt"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// stepKind is what one step of a path selects.
type stepKind uint8

const (
	stepKey      stepKind = iota // .name (or .3, which also indexes an array)
	stepIndex                    // [3]
	stepWildcard                 // [*]
)

// step is one selector of a path.
type step struct {
	kind  stepKind
	key   string
	index int // stepIndex; for a stepKey made of digits, the index it means on an array, else -1
}

// path is a compiled Pipes JSON path: $ followed by .name segments, each with optional [n] or
// [*] selectors. It is the syntax AWS's model accepts for dynamic parameters,
// \$(\.[\w/_-]+(\[(\d+|\*)\])*)*, and what the docs list for templates.
type path struct {
	text     string
	steps    []step
	wildcard bool
	// doc is the path as rawjson walks it, for a path without a wildcard.
	doc *rawjson.Path
	// memo is true when the walk stays in the record (see cacheable): what a filter, another
	// template or a parameter found of the path is then in the Doc's memo, and what this one
	// finds goes there.
	memo bool
}

// docPath makes p.doc.
func (p *path) docPath() {
	if p.wildcard {
		return
	}
	p.memo = p.cacheable()
	steps := make([]rawjson.Step, len(p.steps))
	for i, s := range p.steps {
		if s.kind == stepIndex {
			steps[i] = rawjson.IndexStep(s.index)
		} else {
			steps[i] = rawjson.KeyStep(s.key)
		}
	}
	p.doc = rawjson.NewPath(steps...)
}

// pathError is a syntax error at a byte offset inside a path.
type pathError struct {
	offset int
	reason string
}

// parsePath compiles a path. The error's offset is relative to the start of s.
func parsePath(s string) (*path, *pathError) {
	if s == "" || s[0] != '$' {
		return nil, &pathError{0, fmt.Sprintf("path %q must start with $", s)}
	}
	p := &path{text: s}
	i := 1
	for i < len(s) {
		if s[i] != '.' {
			return nil, &pathError{i, fmt.Sprintf("path %q: want . before a name at %q", s, s[i:])}
		}
		next, err := p.parseSegment(s, i+1)
		if err != nil {
			return nil, err
		}
		i = next
	}
	p.docPath()
	return p, nil
}

// parseSegment reads name([n]|[*])* starting at i and returns the offset after it.
func (p *path) parseSegment(s string, i int) (int, *pathError) {
	start := i
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	if i == start {
		return 0, &pathError{i, fmt.Sprintf("path %q: empty name after . (allowed: letters, digits, _ - /)", s)}
	}
	p.steps = append(p.steps, step{kind: stepKey, key: s[start:i], index: digits(s[start:i])})
	for i < len(s) && s[i] == '[' {
		next, err := p.parseBracket(s, i)
		if err != nil {
			return 0, err
		}
		i = next
	}
	if i < len(s) && s[i] != '.' {
		return 0, &pathError{i, fmt.Sprintf("path %q: unexpected %q (allowed: letters, digits, _ - / . [n] [*])", s, s[i])}
	}
	return i, nil
}

// parseBracket reads [n] or [*] at i and returns the offset after it.
func (p *path) parseBracket(s string, i int) (int, *pathError) {
	end := i + 1
	for end < len(s) && s[end] != ']' {
		end++
	}
	if end == len(s) {
		return 0, &pathError{i, fmt.Sprintf("path %q: unterminated [", s)}
	}
	inner := s[i+1 : end]
	switch {
	case inner == "*":
		p.steps = append(p.steps, step{kind: stepWildcard, index: -1})
		p.wildcard = true
	case digits(inner) >= 0:
		p.steps = append(p.steps, step{kind: stepIndex, index: digits(inner)})
	default:
		return 0, &pathError{i + 1, fmt.Sprintf("path %q: [%s] is neither an index nor * (filters and quoted names are not supported)", s, inner)}
	}
	return end + 1, nil
}

// isNameByte reports whether c may appear in a path name: [A-Za-z0-9_/-].
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '/'
}

// isPathByte reports whether c may appear anywhere in a path's text.
func isPathByte(c byte) bool {
	return isNameByte(c) || c == '$' || c == '.' || c == '[' || c == ']' || c == '*'
}

// digits returns s as a non-negative int when it is only ASCII digits (at most 9), else -1.
func digits(s string) int {
	if s == "" || len(s) > 9 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

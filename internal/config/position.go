package config

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// fileIndex finds where a pipes file writes things: an object's field, the object and field a
// line belongs to, and a place inside a string value. Messages use it to give lines and columns
// of the pipes file. It reads the file's own YAML tree, so a line is where the user wrote it (a
// value shared through a YAML anchor is where the anchor is).
type fileIndex struct {
	data  []byte
	root  *yaml.Node          // the document's mapping; nil when the file is not one
	known map[string][]string // the fields of the types decoded into, when not a pipes file's
}

// lists are the pipes file's lists of objects: their key, and the field that names an object.
var lists = map[string]struct{ key, name string }{
	KindPipe:        {"Pipes", "Name"},
	KindTable:       {"Tables", "TableName"},
	KindQueue:       {"Queues", "QueueName"},
	KindConnection:  {"Connections", "Name"},
	KindDestination: {"ApiDestinations", "Name"},
}

// indexFile parses data for positions; a file that does not parse gives an index that finds
// nothing.
func indexFile(data []byte) *fileIndex {
	ix := &fileIndex{data: data}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) == nil && doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		ix.root = doc.Content[0]
	}
	return ix
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// value is the value of key in a mapping node, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// object is the node of the object of kind named name, or nil.
func (ix *fileIndex) object(kind, name string) *yaml.Node {
	l, ok := lists[kind]
	list := deref(value(ix.root, l.key))
	if !ok || list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	for _, item := range list.Content {
		if n := deref(value(item, l.name)); n != nil && n.Value == name {
			return deref(item)
		}
	}
	return nil
}

// field is the node of an object's field ("SourceParameters.FilterCriteria.Filters[1].Pattern";
// map keys are steps too), or the deepest node of the path the file has: a field left out is
// reported where its object is. nil when the object is not found.
func (ix *fileIndex) field(kind, name, field string) *yaml.Node {
	n := ix.object(kind, name)
	if n == nil || field == "" {
		return n
	}
	for _, step := range splitField(field) {
		var next *yaml.Node
		if i, err := strconv.Atoi(step); err == nil && deref(n).Kind == yaml.SequenceNode {
			if c := deref(n).Content; i >= 0 && i < len(c) {
				next = c[i]
			}
		} else {
			next = value(n, step)
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// splitField splits a field path into its keys and indexes: "Filters[1].Pattern" gives
// Filters, 1, Pattern. A map key may hold dots only as the last step (a query parameter's name).
func splitField(field string) []string {
	var out []string
	for _, part := range strings.Split(field, ".") {
		for {
			open := strings.IndexByte(part, '[')
			if open < 0 || !strings.HasSuffix(part, "]") {
				break
			}
			if open > 0 {
				out = append(out, part[:open])
			}
			close := strings.IndexByte(part[open:], ']') + open
			out = append(out, part[open+1:close])
			part = part[close+1:]
		}
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// at finds the node a yaml message is about: the one on line whose value (or key) is text, and
// says which object and field of the file it is: kind and name of the object ("" for a
// top-level field) and the field's path. ok is false when no node fits.
func (ix *fileIndex) at(line int, text string) (kind, name, field string, ok bool) {
	return ix.atKind(line, text, 0)
}

// atKind is at for a value that is not a scalar (text ""), of the given node kind.
func (ix *fileIndex) atKind(line int, text string, want yaml.Kind) (kind, name, field string, ok bool) {
	if ix.root == nil {
		return "", "", "", false
	}
	var found []string // the deepest node that fits: a flow mapping's field rather than the list it is in
	fits := func(k, v *yaml.Node) bool {
		return k != nil && k.Line == line && k.Value == text ||
			v.Kind == yaml.ScalarNode && v.Line == line && v.Value == text ||
			text == "" && v.Kind == want && v.Line == line
	}
	var walk func(n *yaml.Node, path []string)
	walk = func(n *yaml.Node, path []string) {
		switch n.Kind { // aliases are not followed: a node is where its anchor is
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := append(path[:len(path):len(path)], k.Value)
				if fits(k, v) && len(p) > len(found) {
					found = p
				}
				walk(v, p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := append(path[:len(path):len(path)], strconv.Itoa(i))
				if fits(nil, c) && len(p) > len(found) {
					found = p
				}
				walk(c, p)
			}
		}
	}
	walk(ix.root, nil)
	if found == nil {
		if ix.root.Line == line && text == "" && want == yaml.MappingNode {
			return "", "", "", true
		}
		return "", "", "", false
	}
	kind, name, rest := ix.owner(found)
	return kind, name, joinField(rest), true
}

// owner splits a path from the root into the object it is in and the field within it.
func (ix *fileIndex) owner(path []string) (kind, name string, rest []string) {
	if len(path) >= 2 {
		for k, l := range lists {
			if path[0] != l.key {
				continue
			}
			list := deref(value(ix.root, l.key))
			i, err := strconv.Atoi(path[1])
			if err != nil || list == nil || i >= len(list.Content) {
				break
			}
			if n := deref(value(list.Content[i], l.name)); n != nil && n.Value != "" {
				return k, n.Value, path[2:]
			}
			return k, "#" + path[1], path[2:]
		}
	}
	return "", "", path
}

// joinField writes a path as messages write fields: keys joined by dots, indexes in brackets.
func joinField(path []string) string {
	var b strings.Builder
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// lineStart is the byte offset of line (from 1) in the file.
func (ix *fileIndex) lineStart(line int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(ix.data[off:], '\n')
		if i < 0 {
			return len(ix.data)
		}
		off += i + 1
	}
	return off
}

// offsetOf is the byte offset of a node's first character.
func (ix *fileIndex) offsetOf(n *yaml.Node) int {
	off := ix.lineStart(n.Line)
	for col := 1; col < n.Column && off < len(ix.data) && ix.data[off] != '\n'; col++ {
		_, size := utf8.DecodeRune(ix.data[off:])
		off += size
	}
	return off
}

// position is the line and column (from 1, in characters) of a byte offset.
func (ix *fileIndex) position(off int) (line, col int) {
	line, col = 1, 1
	for _, r := range string(ix.data[:min(off, len(ix.data))]) {
		if r == '\n' {
			line, col = line+1, 1
			continue
		}
		col++
	}
	return line, col
}

// inString is the file position of the byte at offset off of a string value's decoded text: a
// template error's place in the pipes file. Double-quoted strings are walked escape by escape,
// block scalars line by line; other styles count from the value's start. ok is false when the
// node is not a string scalar.
func (ix *fileIndex) inString(n *yaml.Node, off int) (line, col int, ok bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return 0, 0, false
	}
	start := ix.offsetOf(n)
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		line, col = ix.position(ix.doubleQuoted(start+1, off))
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		line, col = ix.block(n, off)
	case n.Style&yaml.SingleQuotedStyle != 0:
		line, col = ix.position(ix.singleQuoted(start+1, off))
	default:
		line, col = ix.position(start + off)
	}
	return line, col, true
}

// doubleQuoted walks a double-quoted string's source from i until off bytes of its value are
// behind, and returns where that is in the file.
func (ix *fileIndex) doubleQuoted(i, off int) int {
	d := ix.data
	for decoded := 0; i < len(d) && d[i] != '"'; {
		if decoded >= off {
			return i
		}
		switch {
		case d[i] == '\\' && i+1 < len(d):
			n, size := escapeSize(d[i+1:])
			decoded += n
			i += 1 + size
		case d[i] == '\n': // a line break folds to a space; the next line's indentation is not content
			decoded++
			for i++; i < len(d) && (d[i] == ' ' || d[i] == '\t'); i++ {
			}
		default:
			decoded++
			i++
		}
	}
	return i
}

// escapeSize is what the escape after a backslash decodes to (bytes) and its source length.
func escapeSize(s []byte) (decoded, size int) {
	hex := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[0]]
	if hex == 0 || len(s) < 1+hex {
		return 1, 1
	}
	v, err := strconv.ParseUint(string(s[1:1+hex]), 16, 32)
	if err != nil {
		return 1, 1
	}
	return utf8.RuneLen(rune(v)), 1 + hex
}

// singleQuoted is doubleQuoted for a single-quoted string, whose only escape is a doubled quote.
func (ix *fileIndex) singleQuoted(i, off int) int {
	d := ix.data
	for decoded := 0; i < len(d); decoded++ {
		if decoded >= off {
			return i
		}
		if d[i] == '\'' {
			if i+1 < len(d) && d[i+1] == '\'' {
				i += 2
				continue
			}
			return i
		}
		i++
	}
	return i
}

// block maps an offset of a literal or folded block's value to its line and column: the value's
// lines are the block's lines without their indentation.
func (ix *fileIndex) block(n *yaml.Node, off int) (line, col int) {
	value := n.Value[:min(off, len(n.Value))]
	k := strings.Count(value, "\n")
	if n.Style&yaml.FoldedStyle != 0 {
		k = 0 // folding joined lines: count the source lines walked instead, roughly
	}
	line = n.Line + 1 + k
	indent := 0 // the block's indentation: its first line's
	for src := ix.data[ix.lineStart(n.Line+1):]; indent < len(src) && src[indent] == ' '; {
		indent++
	}
	lastLine := value[strings.LastIndexByte(value, '\n')+1:]
	return line, indent + utf8.RuneCountInString(lastLine) + 1
}

// scalarsOn lists the values of the scalars (keys included) on a line, in file order.
func scalarsOn(n *yaml.Node, line int) []string {
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Line == line {
			out = append(out, n.Value)
		}
		if n.Kind != yaml.AliasNode {
			for _, c := range n.Content {
				walk(c)
			}
		}
	}
	walk(n)
	return out
}

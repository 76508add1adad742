package template

import (
	"strings"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// Param is one HttpParameters value: a literal, or a `$.path` resolved against the
// untransformed record.
type Param struct {
	text string
	path *path
}

// CompileParam compiles one HttpParameters value (a path parameter, header or query-string
// value). A value that is "$", or starts with "$." or "$[", is a path and must be valid path
// syntax; a $.path after other text is rejected, because AWS would send it literally (a dynamic
// value must be the whole value). The error is an *Error; it quotes only the path part of the
// value, since values may be secrets.
func CompileParam(value string) (Param, error) {
	if value == "$" || strings.HasPrefix(value, "$.") || strings.HasPrefix(value, "$[") {
		p, perr := parsePath(value)
		if perr != nil {
			return Param{}, errorAt(value, perr.offset, "%s", perr.reason)
		}
		return Param{text: value, path: p}, nil
	}
	if k := embeddedPath(value); k >= 0 {
		return Param{}, errorAt(value, k, "%q follows other text: a dynamic value must be the whole value, not part of one", pathAt(value, k))
	}
	return Param{text: value}, nil
}

// embeddedPath returns where a $.name starts after the first character of s, or -1.
func embeddedPath(s string) int {
	for i := 1; i+2 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '.' && isNameByte(s[i+2]) {
			return i
		}
	}
	return -1
}

// pathAt returns the path-shaped text starting at s[k].
func pathAt(s string, k int) string {
	j := k
	for j < len(s) && isPathByte(s[j]) {
		j++
	}
	return s[k:j]
}

// IsPath reports whether the value is a $.path.
func (p Param) IsPath() bool { return p.path != nil }

// String returns the value as written.
func (p Param) String() string { return p.text }

// Resolve returns the value for the record doc holds. A literal is (value, true). A path gives a
// string value's characters and any other value's JSON text (compact); a path absent from the
// record, or a record that is not JSON where the path walks, gives ("", false). The path is
// resolved through doc (see Template.Render).
func (p Param) Resolve(doc *rawjson.Doc) (value string, found bool) {
	if p.path == nil {
		return p.text, true
	}
	var buf [64]byte // most values fit: the string is then the only allocation
	b, ok := p.Append(buf[:0], doc)
	return string(b), ok
}

// Append is Resolve appending the value to dst: it allocates only when dst must grow (or for a
// [*] path, which builds its array). When the value is not found, dst is returned as it was.
func (p Param) Append(dst []byte, doc *rawjson.Doc) ([]byte, bool) {
	if p.path == nil {
		return append(dst, p.text...), true
	}
	raw, st := p.path.resolve(doc)
	if st != rawjson.Found {
		return dst, false
	}
	if raw[0] == '"' {
		return appendDecoded(dst, raw), true
	}
	return appendCanonical(dst, raw, false), true
}

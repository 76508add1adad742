package rawjson

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"
	"unsafe"
)

// Mode says how a string is written as JSON. Every writer escapes '"', '\\' and the control
// characters, and writes '<', '>', '&', '/' and valid non-ASCII characters as they are (unlike
// encoding/json, which writes \u003c for '<': a search for a value's plain text would miss it,
// which is how a secret once slipped past redaction). The modes differ where the writers they
// replaced differed, each on purpose: their outputs are compared byte for byte elsewhere (golden
// files, the dry run), so a mode is never changed, only chosen.
type Mode uint8

const (
	// Output is what pipesim itself writes that can carry a request's values: the dry run's
	// lines, execution logs, and the connection's body parameters merged into a request body.
	// \n \r \t are written short, other control characters as \u00xx (lowercase hex), invalid
	// UTF-8 as \ufffd. Every place that may show a secret writes it this one way, so a secret is
	// redacted by construction wherever it appears.
	Output Mode = iota
	// Record is a DynamoDB stream record's strings as Pipes delivers them, written by AWS's Java
	// serializer: as Output, with \b and \f short as well.
	Record
	// Template is an input template's output: strings re-encoded as a Java service writes them
	// (Jackson's defaults): \b \t \n \f \r short, other control characters as \u00XX (uppercase
	// hex), and bytes that are not UTF-8 copied as they are (a record's bytes pass through).
	Template
)

// modeRule is how one Mode writes the bytes that are not plain.
type modeRule struct {
	short     [256]byte // the letter of a byte's two-character escape, 0 for none
	hex       string    // digits of \u00XX escapes
	rawBadUTF bool      // copy a byte that is not UTF-8 instead of writing \ufffd
}

var modeRules = [...]modeRule{
	Output:   {short: [256]byte{'"': '"', '\\': '\\', '\n': 'n', '\r': 'r', '\t': 't'}, hex: "0123456789abcdef"},
	Record:   {short: [256]byte{'"': '"', '\\': '\\', '\n': 'n', '\r': 'r', '\t': 't', '\b': 'b', '\f': 'f'}, hex: "0123456789abcdef"},
	Template: {short: [256]byte{'"': '"', '\\': '\\', '\n': 'n', '\r': 'r', '\t': 't', '\b': 'b', '\f': 'f'}, hex: "0123456789ABCDEF", rawBadUTF: true},
}

// AppendString appends s as a JSON string (quoted) written in mode m.
func AppendString(dst []byte, s string, m Mode) []byte {
	return append(AppendEscaped(append(dst, '"'), s, m), '"')
}

// AppendBytes is AppendString for a string held in b.
func AppendBytes(dst, b []byte, m Mode) []byte {
	return AppendString(dst, bytesView(b), m)
}

// bytesView views b as a string for the length of a call that only reads it.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// AppendEscaped appends s escaped for the inside of a JSON string, without quotes, in mode m.
// Strings are mostly short runs of plain bytes between the bytes that need care, so it copies a
// word at a time (storing all 8 bytes and keeping those before the first that needs care)
// rather than calling memmove for each run.
func AppendEscaped(dst []byte, s string, m Mode) []byte {
	r := &modeRules[m]
	i := 0
	for i+8 <= len(s) {
		if cap(dst)-len(dst) < 8 {
			dst = slices.Grow(dst, len(s)-i+16)
		}
		w := wordString(s, i)
		k := 8
		if mask := writeMask(w); mask != 0 {
			k = firstByte(mask)
		}
		n := len(dst)
		binary.LittleEndian.PutUint64(dst[n:n+8], w)
		dst, i = dst[:n+k], i+k
		if k == 8 {
			continue
		}
		if e := r.short[s[i]]; e != 0 { // the common specials, without a call
			dst, i = append(dst, '\\', e), i+1
			continue
		}
		dst, i = r.special(dst, s, i)
	}
	for i < len(s) {
		if c := s[i]; c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\' {
			dst, i = append(dst, c), i+1
		} else {
			dst, i = r.special(dst, s, i)
		}
	}
	return dst
}

// special writes s[i], a byte that is not plain: the UTF-8 sequence it starts, or its escape. It
// returns the index after what it wrote.
func (r *modeRule) special(dst []byte, s string, i int) ([]byte, int) {
	c := s[i]
	if c >= utf8.RuneSelf {
		ru, size := utf8.DecodeRuneInString(s[i:])
		if ru != utf8.RuneError || size != 1 {
			return append(dst, s[i:i+size]...), i + size
		}
		if r.rawBadUTF {
			return append(dst, c), i + 1
		}
		return append(dst, `\ufffd`...), i + 1
	}
	return r.control(dst, c), i + 1
}

// control writes the escape of c, an ASCII byte that is not plain.
func (r *modeRule) control(dst []byte, c byte) []byte {
	if e := r.short[c]; e != 0 {
		return append(dst, '\\', e)
	}
	return append(dst, '\\', 'u', '0', '0', r.hex[c>>4], r.hex[c&0xf])
}

// appendRune writes r escaped as m escapes it.
func (r *modeRule) appendRune(dst []byte, ru rune) []byte {
	if ru < 0x20 || ru == '"' || ru == '\\' {
		return r.control(dst, byte(ru))
	}
	return utf8.AppendRune(dst, ru)
}

// AppendToken appends the JSON string token tok (its quotes included) re-encoded in mode m, with
// or without its quotes: escapes are decoded and written again as m writes them. A token that
// has no escape and no control character is copied as it is (in modes other than Template, only
// when it is valid UTF-8).
func AppendToken(dst, tok []byte, quotes bool, m Mode) []byte {
	content := StringContent(tok)
	if plainToken(content) && (m == Template || utf8.Valid(content)) {
		if quotes && len(content) == len(tok)-2 {
			return append(dst, tok...)
		}
		if quotes {
			return append(append(append(dst, '"'), content...), '"')
		}
		return append(dst, content...)
	}
	if quotes {
		dst = append(dst, '"')
	}
	dst = modeRules[m].reescape(dst, content)
	if quotes {
		dst = append(dst, '"')
	}
	return dst
}

// plainToken reports whether string content holds no backslash and no control character.
func plainToken(content []byte) bool {
	for _, c := range content {
		if c < 0x20 || c == '\\' {
			return false
		}
	}
	return true
}

// reescape decodes escaped string content and writes it again.
func (r *modeRule) reescape(dst, content []byte) []byte {
	for i := 0; i < len(content); {
		if content[i] == '\\' {
			ru, n, _ := decodeEscape(content, i)
			dst = r.appendRune(dst, ru)
			i += n
			continue
		}
		ru, n := utf8.DecodeRune(content[i:])
		switch {
		case ru == utf8.RuneError && n == 1 && r.rawBadUTF:
			dst = append(dst, content[i])
		case ru == utf8.RuneError && n == 1:
			dst = append(dst, `\ufffd`...)
		default:
			dst = r.appendRune(dst, ru)
		}
		i += n
	}
	return dst
}

package replay

import (
	"bytes"
	"time"

	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
)

// A record captured from Pipes (pipesim capture, the benchmark generator, a record copied from a
// pipe's log) is already in the shape ParseRecord writes: compact, keys in Pipes' order, nothing
// to fill in. Its normalised form is the line itself, so shapedRecord checks it in one pass and
// keeps its bytes instead of splitting and rewriting it. Anything else (whitespace, another key
// order, a missing field, escapes where the record reads a value) goes the general way, which
// writes the same bytes for a shaped line, only slower: the fast path is an optimisation, never
// a second set of rules.

// The values the check of a shaped line passes over, which it leaves in the record's Doc for the
// stages: filters on eventName, templates and parameters under dynamodb's images. Every key of a
// shaped line appears once, so a value it does not have (an INSERT's OldImage) is known absent.
var (
	seedEventName = rawjson.KeyPath("eventName")
	seedDynamoDB  = rawjson.KeyPath("dynamodb")
	seedKeys      = rawjson.KeyPath("dynamodb", "Keys")
	seedNewImage  = rawjson.KeyPath("dynamodb", "NewImage")
	seedOldImage  = rawjson.KeyPath("dynamodb", "OldImage")
)

// shaped is what the check of a shaped line found.
type shaped struct {
	rec stream.Record
	// idAt and seqAt are where EventID and SequenceNumber start in the line: the record's strings
	// are views of its Doc's bytes, made again when the bytes move (Item.own).
	idAt, seqAt int
}

// shapedRecord returns the record raw holds when raw, but for trailing whitespace, is exactly
// what ParseRecord would write for it; ok is false otherwise, and says nothing about whether raw
// is a record. doc is made a Doc of raw (trailing whitespace dropped), its memo seeded with the
// values the check passed over, and becomes the record's: the record and its strings are views
// of raw, which the caller copies (Item.own) when raw is to be reused. ShardID is left empty.
func shapedRecord(raw []byte, doc *rawjson.Doc) (s shaped, ok bool) {
	c := cursor{b: trimRightSpace(raw), ok: true}
	var sp spans
	c.lit(`{"eventID":`)
	s.idAt = c.i + 1
	c.plainString()
	c.lit(`,"eventName":`)
	sp.eventName.Start = c.pos()
	name := c.eventName()
	sp.eventName.End = c.pos()
	c.lit(`,"eventVersion":`)
	c.string()
	c.lit(`,"eventSource":`)
	c.string()
	c.lit(`,"awsRegion":`)
	c.string()
	c.lit(`,"dynamodb":`)
	sp.dynamodb.Start = c.pos()
	var created time.Time
	var size int64
	created, s.seqAt, size = c.dynamodb(&sp)
	sp.dynamodb.End = c.pos()
	if c.ok && c.peek(`,"userIdentity":`) {
		c.lit(`,"userIdentity":{"principalId":`)
		c.string()
		c.lit(`,"type":`)
		c.string()
		c.lit(`}`)
	}
	c.lit(`,"eventSourceARN":`)
	c.string()
	c.lit(`}`)
	if !c.ok || c.i != len(c.b) {
		return shaped{}, false
	}
	doc.Reset(c.b)
	sp.seed(doc)
	s.rec = stream.Record{EventName: name, ApproximateCreationDateTime: created, SizeBytes: size, Doc: doc}
	s.views()
	return s, true
}

// views sets the record's EventID and SequenceNumber to views of its Doc's bytes.
func (s *shaped) views() {
	d := s.rec.Doc
	s.rec.EventID = d.Text(s.idAt, rawjson.StringEnd(d.Bytes(), s.idAt-1)-1)
	s.rec.SequenceNumber = d.Text(s.seqAt, rawjson.StringEnd(d.Bytes(), s.seqAt-1)-1)
}

// spans are where the seeded values are; an image's Start is 0 when the line has none.
type spans struct {
	eventName, dynamodb, keys, newImage, oldImage rawjson.Span
}

// seed leaves the spans in doc's memo.
func (sp *spans) seed(doc *rawjson.Doc) {
	doc.Remember(seedEventName, 1, sp.eventName)
	doc.Remember(seedDynamoDB, 1, sp.dynamodb)
	doc.Remember(seedKeys, 2, sp.keys)
	for _, img := range [...]struct {
		p *rawjson.Path
		s rawjson.Span
	}{{seedNewImage, sp.newImage}, {seedOldImage, sp.oldImage}} {
		if img.s.Start == 0 {
			img.s = rawjson.Span{Start: -1} // a shaped line has each key once: absent
		}
		doc.Remember(img.p, 2, img.s)
	}
}

// dynamodb reads the dynamodb object: creation time, images, sequence number (where it starts),
// size, view type.
func (c *cursor) dynamodb(sp *spans) (created time.Time, seqAt int, size int64) {
	c.lit(`{`)
	if c.ok && c.peek(`"ApproximateCreationDateTime":`) {
		c.lit(`"ApproximateCreationDateTime":`)
		// The general path writes whole seconds from a float: "-0" would come out as "0".
		if c.i < len(c.b) && c.b[c.i] == '-' {
			c.ok = false
		}
		secs, ok := c.integer(11)
		if !ok || secs >= 1e11 {
			c.ok = false
		}
		created = time.Unix(secs, 0).UTC()
		c.lit(`,`)
	}
	c.lit(`"Keys":`)
	c.image(&sp.keys)
	if c.ok && c.peek(`,"NewImage":`) {
		c.lit(`,"NewImage":`)
		c.image(&sp.newImage)
	}
	if c.ok && c.peek(`,"OldImage":`) {
		c.lit(`,"OldImage":`)
		c.image(&sp.oldImage)
	}
	c.lit(`,"SequenceNumber":`)
	seqAt = c.i + 1
	c.plainString()
	if c.ok && c.peek(`,"SizeBytes":`) {
		c.lit(`,"SizeBytes":`)
		var ok bool
		if size, ok = c.integer(18); !ok {
			c.ok = false
		}
	}
	if c.ok && c.peek(`,"StreamViewType":`) {
		c.lit(`,"StreamViewType":`)
		c.string()
	}
	c.lit(`}`)
	return created, seqAt, size
}

// cursor walks a candidate line; the first mismatch clears ok, after which every method does
// nothing, so a caller checks ok once at the end.
type cursor struct {
	b  []byte
	i  int
	ok bool
}

// pos is the cursor's offset for a Span; 0 once the line is known not to be shaped (a Doc that
// long is not remembered in anyway).
func (c *cursor) pos() int32 {
	if !c.ok || c.i >= 1<<31 {
		c.ok = false
		return 0
	}
	return int32(c.i)
}

func (c *cursor) peek(s string) bool {
	return bytes.HasPrefix(c.b[c.i:], []byte(s))
}

func (c *cursor) lit(s string) {
	if c.ok && c.peek(s) {
		c.i += len(s)
		return
	}
	c.ok = false
}

// string skips a valid JSON string and returns its content, escapes as written.
func (c *cursor) string() []byte {
	if !c.ok || c.i >= len(c.b) || c.b[c.i] != '"' {
		c.ok = false
		return nil
	}
	end, _, ok := rawjson.ScanString(c.b, c.i)
	if !ok {
		c.ok = false
		return nil
	}
	s := c.b[c.i+1 : end-1]
	c.i = end
	return s
}

// plainString is a non-empty string whose content has no escapes: the general path decodes
// escapes, so a value with one is left to it.
func (c *cursor) plainString() {
	if s := c.string(); len(s) == 0 || bytes.IndexByte(s, '\\') >= 0 {
		c.ok = false
	}
}

func (c *cursor) eventName() string {
	s := c.string()
	for _, name := range [...]string{"INSERT", "MODIFY", "REMOVE"} {
		if string(s) == name {
			return name
		}
	}
	c.ok = false
	return ""
}

// integer reads an integer of at most maxDigits digits, as JSON writes it (no leading zero).
func (c *cursor) integer(maxDigits int) (int64, bool) {
	if !c.ok {
		return 0, false
	}
	neg := c.i < len(c.b) && c.b[c.i] == '-'
	start := c.i
	if neg {
		start++
	}
	end := start
	var n int64
	for end < len(c.b) && c.b[end] >= '0' && c.b[end] <= '9' {
		n = n*10 + int64(c.b[end]-'0')
		end++
	}
	digits := end - start
	if digits == 0 || digits > maxDigits || (digits > 1 && c.b[start] == '0') || isNumberByte(c.b, end) {
		return 0, false
	}
	c.i = end
	if neg {
		n = -n
	}
	return n, true
}

// isNumberByte reports whether b[i] would continue a number (a fraction or an exponent).
func isNumberByte(b []byte, i int) bool {
	return i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')
}

// image reads an object of typed attribute values, {"name":{"S":"x"},...}, compact, and notes
// its span.
func (c *cursor) image(s *rawjson.Span) {
	if !c.ok {
		return
	}
	start := c.pos()
	if c.i = imageEnd(c.b, c.i); c.i < 0 {
		c.i, c.ok = 0, false
	}
	*s = rawjson.Span{Start: start, End: c.pos()}
}

func trimRightSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

package replay

import (
	"bytes"
	"math"
	"strings"
	"time"
	"unsafe"

	"github.com/pipesim/pipesim/internal/stream"
)

// A record captured from Pipes (pipesim capture, the benchmark generator, a record copied from a
// pipe's log) is already in the shape ParseRecord writes: compact, keys in Pipes' order, nothing
// to fill in. Its normalised form is the line itself, so shapedRecord checks it in one pass and
// keeps its bytes instead of splitting and rewriting it. Anything else (whitespace, another key
// order, a missing field, escapes where the record reads a value) goes the general way, which
// writes the same bytes for a shaped line, only slower: the fast path is an optimisation, never
// a second set of rules.

// shapedRecord returns the record raw holds when raw, but for trailing whitespace, is exactly
// what ParseRecord would write for it; ok is false otherwise, and says nothing about whether raw
// is a record. rec.JSON is a view of raw, and EventID and SequenceNumber are views of it: the
// caller copies them (ownRecord, or rebase onto its own copy). ShardID is left empty.
func shapedRecord(raw []byte) (rec stream.Record, ok bool) {
	c := cursor{b: trimRightSpace(raw), ok: true}
	c.lit(`{"eventID":`)
	rec.EventID = c.plainString()
	c.lit(`,"eventName":`)
	rec.Marks.EventName = c.mark()
	rec.EventName = c.eventName()
	c.lit(`,"eventVersion":`)
	c.string()
	c.lit(`,"eventSource":`)
	c.string()
	c.lit(`,"awsRegion":`)
	c.string()
	c.lit(`,"dynamodb":`)
	rec.Marks.DynamoDB = c.mark()
	rec.ApproximateCreationDateTime, rec.SequenceNumber, rec.SizeBytes = c.dynamodb(&rec.Marks)
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
	if !c.ok || c.i != len(c.b) || rec.EventID == "" {
		return stream.Record{}, false
	}
	rec.JSON = c.b
	return rec, true
}

// dynamodb reads the dynamodb object: creation time, images, sequence number, size, view type.
func (c *cursor) dynamodb(marks *stream.Marks) (created time.Time, seq string, size int64) {
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
	marks.Keys = c.mark()
	c.image()
	if c.ok && c.peek(`,"NewImage":`) {
		c.lit(`,"NewImage":`)
		marks.NewImage = c.mark()
		c.image()
	}
	if c.ok && c.peek(`,"OldImage":`) {
		c.lit(`,"OldImage":`)
		marks.OldImage = c.mark()
		c.image()
	}
	c.lit(`,"SequenceNumber":`)
	seq = c.plainString()
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
	if seq == "" {
		c.ok = false
	}
	return created, seq, size
}

// cursor walks a candidate line; the first mismatch clears ok, after which every method does
// nothing, so a caller checks ok once at the end.
type cursor struct {
	b  []byte
	i  int
	ok bool
}

// mark is where the value about to be read starts, for stream.Marks; 0 once the line is known
// not to be shaped (or longer than an int32 counts).
func (c *cursor) mark() int32 {
	if !c.ok || c.i > math.MaxInt32 {
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
	if !c.ok {
		return nil
	}
	end := stringEnd(unsafeString(c.b), c.i)
	if end < 0 {
		c.ok = false
		return nil
	}
	s := c.b[c.i+1 : end-1]
	c.i = end
	return s
}

// plainString is a string whose content has no escapes, as a view of the line: the general path
// decodes escapes, so a value with one is left to it.
func (c *cursor) plainString() string {
	s := c.string()
	if bytes.IndexByte(s, '\\') >= 0 {
		c.ok = false
		return ""
	}
	return unsafeString(s)
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

// image reads an object of typed attribute values, {"name":{"S":"x"},...}, compact.
func (c *cursor) image() {
	if !c.ok {
		return
	}
	if c.i = imageEnd(unsafeString(c.b), c.i); c.i < 0 {
		c.i, c.ok = 0, false
	}
}

// eat consumes ch, which must come next.
func (c *cursor) eat(ch byte) {
	if !c.try(ch) {
		c.ok = false
	}
}

// try consumes ch if it comes next.
func (c *cursor) try(ch byte) bool {
	if c.ok && c.i < len(c.b) && c.b[c.i] == ch {
		c.i++
		return true
	}
	return false
}

func trimRightSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// ownRecord copies what rec views of the input: its JSON and its strings, each on its own so
// that nothing changes with the JSON.
func ownRecord(rec stream.Record) stream.Record {
	rec.JSON = bytes.Clone(rec.JSON)
	rec.EventID, rec.SequenceNumber = strings.Clone(rec.EventID), strings.Clone(rec.SequenceNumber)
	return rec
}

// rebase points rec at to, a copy of rec.JSON: JSON itself, and EventID and SequenceNumber when
// they are views of the old JSON (a shaped record's are; the general path's are copies).
func rebase(rec stream.Record, to []byte) stream.Record {
	from := rec.JSON
	rec.JSON = to
	rec.EventID = rebaseString(rec.EventID, from, to)
	rec.SequenceNumber = rebaseString(rec.SequenceNumber, from, to)
	return rec
}

func rebaseString(s string, from, to []byte) string {
	if len(s) == 0 || len(from) == 0 {
		return s
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(from)))
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	if p < lo || p+uintptr(len(s)) > lo+uintptr(len(from)) {
		return s
	}
	off := int(p - lo)
	return unsafeString(to[off : off+len(s)])
}

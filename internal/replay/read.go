package replay

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/tidwall/gjson"

	"github.com/pipesim/pipesim/internal/bounded"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
)

// Form is the shape of an input.
type Form int

const (
	// FormAuto detects the form from the input's first line.
	FormAuto Form = iota
	// FormJSONLines is one JSON value per line: a record, or a {"Records": [...]} wrapper.
	FormJSONLines
	// FormArray is one JSON array of records.
	FormArray
	// FormDocument is one or more JSON objects spread over lines: `aws dynamodbstreams
	// get-records` output, a Lambda-style {"Records": [...]} event, or pretty-printed records.
	FormDocument
)

var formNames = [...]string{FormAuto: "auto", FormJSONLines: "jsonl", FormArray: "array", FormDocument: "document"}

func (f Form) String() string {
	if f < 0 || int(f) >= len(formNames) {
		return fmt.Sprintf("Form(%d)", int(f))
	}
	return formNames[f]
}

// ParseForm reads a Form from its name: auto (also ""), jsonl, array or document.
func ParseForm(s string) (Form, error) {
	if s == "" {
		return FormAuto, nil
	}
	for f, name := range formNames {
		if s == name {
			return Form(f), nil
		}
	}
	return FormAuto, fmt.Errorf("input form %q: want auto, jsonl, array or document", s)
}

// Item is one record read, or one piece of input that is not a record.
type Item struct {
	Line   int // 1-based line where the record starts
	Record stream.Record
	Err    error // non-nil: the input at Line is not a record, and Record is empty

	// idAt and seqAt are where Record's EventID and SequenceNumber start in its Doc's bytes when
	// they are views of them (a shaped line); 0 otherwise.
	idAt, seqAt int
}

// own moves the record into b, a copy of its Doc's bytes, and to: the record's Doc becomes to
// (with what its memo knew), and its strings views of b.
func (it *Item) own(b []byte, to *rawjson.Doc) {
	it.Record.Doc.MoveTo(to, b)
	it.Record.Doc = to
	if it.idAt > 0 {
		s := shaped{rec: it.Record, idAt: it.idAt, seqAt: it.seqAt}
		s.views()
		it.Record = s.rec
	}
}

// DefaultMaxRecordSize is the longest record Reader reads, in bytes of input: about 1 MiB.
// DynamoDB's item limit is 400 KB (409,600 bytes) and a NEW_AND_OLD_IMAGES record holds the item
// twice; in JSON a binary attribute takes 4/3 of its size (base64), so two full images of binary
// take 1,092,266 bytes, and the keys (at most 3 KB), the record's metadata and the JSON around
// the attributes fit in the 16 KiB on top: 1,108,650 bytes. Items of very many tiny attributes
// are longer as JSON than as items (`"a":{"N":"1"},` is 14 bytes for 3 bytes of item size):
// MaxRecordSize (--max-record-size) raises the limit for them.
const DefaultMaxRecordSize = 2*ddbItemLimit*4/3 + 16<<10

// ddbItemLimit is DynamoDB's largest item, 400 KB, attribute names and values included.
const ddbItemLimit = 400 << 10

// Reader reads records from an input.
type Reader struct {
	Form      Form
	Normalize Normalize
	// MaxRecordSize bounds a record's input: a longer line (or array element, or document object)
	// is reported as bad input (ErrRecordTooLarge) as soon as it is known to be too long, and
	// skipped without being held, so memory stays bounded whatever the input. 0 means
	// DefaultMaxRecordSize. A one-line {"Records": [...]} wrapper counts as one record here.
	MaxRecordSize int
	// Reuse builds every record in one buffer or leaves it in the input buffer, and hands it over
	// in one Doc: Item.Record.Doc, and EventID and SequenceNumber when they are views of it, are
	// then valid only until fn returns. It saves allocations per record for callers that copy
	// what they keep (Item.own).
	Reuse bool

	scratch *[]byte
	doc     *rawjson.Doc
}

// bufferSize is the read buffer; a longer line is still read whole.
const bufferSize = 64 << 10

// Read reads every record of r in order and calls fn with each, and with each piece of input
// that is not a record (Item.Err set, with its line). fn's error stops reading and is returned.
// Read blocks on r. It returns the form it read, and an error wrapping ErrSyntax when an array or
// document is broken in a way that hides where the next record starts.
func (rd Reader) Read(r io.Reader, fn func(Item) error) (Form, error) {
	br := bufio.NewReaderSize(r, bufferSize)
	if rd.Reuse {
		rd.scratch, rd.doc = new([]byte), new(rawjson.Doc)
	}
	if rd.MaxRecordSize <= 0 {
		rd.MaxRecordSize = DefaultMaxRecordSize
	}
	form := rd.Form
	if form == FormAuto {
		form = detect(br)
	}
	var err error
	switch form {
	case FormArray:
		err = rd.readArray(&scanner{br: br, line: 1, limit: rd.MaxRecordSize}, fn)
	case FormDocument:
		err = rd.readDocument(&scanner{br: br, line: 1, limit: rd.MaxRecordSize}, fn)
	default:
		form = FormJSONLines
		err = rd.readLines(br, fn)
	}
	return form, err
}

// detect peeks at the input: '[' starts an array; a first line that is "{" alone (as the AWS CLI
// and jq print) starts a document; anything else is JSON Lines.
func detect(br *bufio.Reader) Form {
	head, _ := br.Peek(bufferSize)
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(head) == 0 {
		return FormJSONLines
	}
	if head[0] == '[' {
		return FormArray
	}
	line := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line = head[:i]
	}
	line = bytes.TrimSpace(line)
	if line[0] == '{' && !gjson.ValidBytes(line) && (len(line) == 1 || !bytes.HasSuffix(line, []byte("}"))) {
		return FormDocument
	}
	return FormJSONLines
}

// readLines reads JSON Lines: a blank line is skipped, a bad line reported and skipped.
func (rd Reader) readLines(br *bufio.Reader, fn func(Item) error) error {
	var long []byte
	for line := 1; ; line++ {
		b, err := br.ReadSlice('\n')
		tooLong := false
		if errors.Is(err, bufio.ErrBufferFull) {
			var rest bool
			b, rest, err = readLong(br, b, &long, rd.MaxRecordSize)
			if tooLong = b == nil; tooLong && rest {
				// Reported before the rest is skipped: the rest may never end (/dev/zero).
				if ferr := fn(Item{Line: line, Err: rd.tooLarge()}); ferr != nil {
					return ferr
				}
				tooLong, err = false, skipLine(br)
			}
		} else if len(b) > rd.MaxRecordSize && len(bytes.TrimRight(b, "\r\n")) > rd.MaxRecordSize {
			b, tooLong = nil, true
		}
		if tooLong {
			if ferr := fn(Item{Line: line, Err: rd.tooLarge()}); ferr != nil {
				return ferr
			}
		}
		if len(bytes.TrimSpace(b)) > 0 {
			if ferr := rd.value(line, b, fn); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read line %d: %w", line+1, err)
		}
	}
}

// readLong reads the rest of a line longer than the read buffer, whose first part is b, into
// *long, and returns it. A line longer than limit is not kept: line is then nil, and rest true
// when the rest of the line is still to be read (skipped), false when it was read to its end.
func readLong(br *bufio.Reader, b []byte, long *[]byte, limit int) (line []byte, rest bool, err error) {
	buf := append((*long)[:0], b...)
	err = bufio.ErrBufferFull
	for errors.Is(err, bufio.ErrBufferFull) {
		if len(buf) > limit {
			*long = buf[:0]
			return nil, true, nil
		}
		b, err = br.ReadSlice('\n')
		buf = append(buf, b...)
	}
	*long = buf[:0]
	if len(bytes.TrimRight(buf, "\r\n")) > limit {
		return nil, false, err
	}
	return buf, false, err
}

// skipLine reads up to the end of the line, holding at most the read buffer. It returns nil at
// a newline, io.EOF at the end of the input.
func skipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

func (rd Reader) tooLarge() error {
	return fmt.Errorf("%w: longer than %s", ErrRecordTooLarge, bounded.Size(int64(rd.MaxRecordSize)))
}

// value hands fn the record raw is, or each record of a {"Records": [...]} wrapper.
func (rd Reader) value(line int, raw []byte, fn func(Item) error) error {
	doc := rd.doc
	if doc == nil {
		raw, doc = bytes.Clone(raw), new(rawjson.Doc) // the record keeps views of its bytes
	}
	if s, ok := shapedRecord(raw, doc); ok {
		return fn(Item{Line: line, Record: s.rec, idAt: s.idAt, seqAt: s.seqAt})
	}
	if !gjson.ValidBytes(raw) {
		return fn(Item{Line: line, Err: ErrNotJSON})
	}
	f, err := splitRecord(gjson.Parse(string(raw)), raw)
	if err != nil {
		return fn(Item{Line: line, Err: err})
	}
	if f.records.IsArray() && !f.eventName.Exists() {
		return rd.wrapped(line, f.records, fn)
	}
	rec, err := f.build(rd.Normalize, rd.scratch, rd.doc)
	return fn(Item{Line: line, Record: rec, Err: err})
}

func (rd Reader) wrapped(line int, records gjson.Result, fn func(Item) error) error {
	var err error
	i := 0
	records.ForEach(func(_, v gjson.Result) bool {
		var rec stream.Record
		f, perr := splitRecord(v, nil)
		if perr == nil {
			rec, perr = f.build(rd.Normalize, rd.scratch, rd.doc)
		}
		if perr != nil {
			//lint:ignore ST1005 the message starts with the field it is about, spelt as the user wrote it
			perr = fmt.Errorf("Records[%d]: %w", i, perr)
		}
		i++
		err = fn(Item{Line: line, Record: rec, Err: perr})
		return err == nil
	})
	return err
}

// readArray reads one JSON array of records (or of {"Records": [...]} wrappers).
func (rd Reader) readArray(s *scanner, fn func(Item) error) error {
	c, err := s.skipSpace()
	if err != nil || c != '[' {
		return s.syntax("want '[' to start the array")
	}
	if err := rd.elements(s, fn); err != nil {
		return err
	}
	if c, err := s.skipSpace(); err != io.EOF {
		_ = c
		return s.syntax("unexpected data after the array")
	}
	return nil
}

// elements reads the elements of an array whose '[' was read, up to its ']'.
func (rd Reader) elements(s *scanner, fn func(Item) error) error {
	var buf []byte
	for first := true; ; first = false {
		c, err := s.skipSpace()
		if err != nil {
			return s.syntax("unexpected end of input in the array")
		}
		if c == ']' && first {
			return nil
		}
		line := s.line
		s.over = false
		if buf, err = s.value(c, buf[:0]); err != nil {
			return err
		}
		if s.over {
			s.over = false
			err = fn(Item{Line: line, Err: rd.tooLarge()})
		} else {
			err = rd.value(line, buf, fn)
		}
		if err != nil {
			return err
		}
		if c, err = s.skipSpace(); err != nil {
			return s.syntax("unexpected end of input in the array")
		}
		if c != ',' && c != ']' {
			return s.syntax("want ',' or ']' after an array element")
		}
		if c == ']' {
			return nil
		}
	}
}

// readDocument reads a sequence of JSON objects; an object with a "Records" array is a wrapper
// whose records are read one at a time, so a large get-records dump is never held whole.
func (rd Reader) readDocument(s *scanner, fn func(Item) error) error {
	for {
		c, err := s.skipSpace()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if c != '{' {
			return s.syntax("want '{' to start an object")
		}
		if err := rd.object(s, fn); err != nil {
			return err
		}
	}
}

// object reads one top-level object whose '{' was read. Its members other than a wrapper's
// Records are held, up to the record size limit.
func (rd Reader) object(s *scanner, fn func(Item) error) error {
	line, wrapper := s.line, false
	buf := []byte{'{'}
	s.over = false
	for first := true; ; first = false {
		c, err := s.skipSpace()
		if err != nil {
			return s.syntax("unexpected end of input in an object")
		}
		if c == '}' && first {
			break
		}
		if c != '"' {
			return s.syntax("want a quoted key")
		}
		keyStart := len(buf)
		if buf, err = s.value(c, buf); err != nil {
			return err
		}
		key := string(buf[keyStart:])
		if c, err = s.skipSpace(); err != nil || c != ':' {
			return s.syntax("want ':' after key " + key)
		}
		buf = append(buf, ':')
		if c, err = s.skipSpace(); err != nil {
			return s.syntax("unexpected end of input in an object")
		}
		if key == `"Records"` && c == '[' {
			wrapper = true
			buf = append(buf, '[', ']')
			if err := rd.elements(s, fn); err != nil {
				return err
			}
		} else if buf, err = s.value(c, buf); err != nil {
			return err
		}
		if c, err = s.skipSpace(); err != nil || (c != ',' && c != '}') {
			return s.syntax("want ',' or '}' after an object member")
		}
		if c == '}' {
			break
		}
		buf = append(buf, ',')
	}
	if wrapper { // its other members are dropped, whatever their size
		s.over = false
		return nil
	}
	if s.over || len(buf) >= s.limit {
		s.over = false
		return fn(Item{Line: line, Err: rd.tooLarge()})
	}
	return rd.value(line, append(buf, '}'), fn)
}

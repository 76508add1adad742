package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
)

var (
	// ErrNotJSON: the input is not valid JSON.
	ErrNotJSON = errors.New("not JSON")
	// ErrNotRecord: the input is JSON but not a DynamoDB stream record.
	ErrNotRecord = errors.New("not a DynamoDB stream record")
	// ErrSyntax: the structure of an array or document input is broken; reading cannot go on.
	ErrSyntax = errors.New("malformed input")
	// ErrRecordTooLarge: a record (a line of JSON Lines, an element of an array, an object of a
	// document) is longer than Reader.MaxRecordSize; it is skipped without being held.
	ErrRecordTooLarge = errors.New("record too large")
)

// Defaults of fields a captured record may leave out.
const (
	defaultEventVersion = "1.1"
	defaultEventSource  = "aws:dynamodb"
)

// Normalize says how fields absent from a record are filled in.
type Normalize struct {
	// StreamARN is the eventSourceARN of records that carry none (get-records output).
	StreamARN string
	// Region is the awsRegion of records that carry none.
	Region string
}

// fields are the parts of a record, raw JSON as captured.
type fields struct {
	eventID, eventName, eventVersion, eventSource, awsRegion, eventSourceARN gjson.Result
	dynamodb, userIdentity, records                                          gjson.Result
	src                                                                      []byte // the input the Results were read from
}

type ddbFields struct {
	created, keys, newImage, oldImage, seq, size, viewType gjson.Result
}

// ParseRecord normalises one captured record to the Pipes shape: top-level keys in the order
// real records carry them, userIdentity in camelCase, ApproximateCreationDateTime as whole epoch
// seconds, eventSourceARN and awsRegion filled from n when missing, whitespace removed. Unknown
// keys are dropped. The error wraps ErrNotJSON or ErrNotRecord and names the bad field.
// Record.ShardID is left empty.
func ParseRecord(raw []byte, n Normalize) (stream.Record, error) {
	if !gjson.ValidBytes(raw) {
		return stream.Record{}, ErrNotJSON
	}
	f, err := splitRecord(gjson.Parse(string(raw)), raw)
	if err != nil {
		return stream.Record{}, err
	}
	return f.build(n, nil, nil)
}

func splitRecord(r gjson.Result, src []byte) (fields, error) {
	f := fields{src: src}
	if !r.IsObject() {
		return f, fmt.Errorf("%w: want a JSON object, got %s", ErrNotRecord, kind(r))
	}
	r.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "eventID":
			f.eventID = v
		case "eventName":
			f.eventName = v
		case "eventVersion":
			f.eventVersion = v
		case "eventSource":
			f.eventSource = v
		case "awsRegion":
			f.awsRegion = v
		case "eventSourceARN":
			f.eventSourceARN = v
		case "dynamodb":
			f.dynamodb = v
		case "userIdentity":
			f.userIdentity = v
		case "Records":
			f.records = v
		}
		return true
	})
	return f, nil
}

func kind(r gjson.Result) string {
	switch {
	case r.IsArray():
		return "an array"
	case r.Type == gjson.String:
		return "a string"
	case r.Type == gjson.Number:
		return "a number"
	case r.Type == gjson.Null:
		return "null"
	}
	return "a boolean"
}

// build writes the normalised record into *scratch when given, and makes doc its Doc (the record
// is then only valid until the next build), else into a new buffer and a new Doc.
func (f *fields) build(n Normalize, scratch *[]byte, doc *rawjson.Doc) (stream.Record, error) {
	if err := f.check(); err != nil {
		return stream.Record{}, err
	}
	d, err := splitDynamoDB(f.dynamodb, f.src)
	if err != nil {
		return stream.Record{}, err
	}
	// The strings are copied out of the Results, which hold the whole input.
	rec := stream.Record{EventID: strings.Clone(f.eventID.Str), EventName: eventNames[f.eventName.Str],
		SequenceNumber: strings.Clone(d.seq.Str)}
	if rec.ApproximateCreationDateTime, err = creationTime(d.created); err != nil {
		return stream.Record{}, err
	}
	rec.SizeBytes = d.size.Int()
	var b []byte
	if scratch != nil {
		b = (*scratch)[:0]
		defer func() { *scratch = b }()
	} else {
		b = make([]byte, 0, len(f.dynamodb.Raw)+len(f.eventSourceARN.Raw)+len(n.StreamARN)+256)
	}
	b = append(b, `{"eventID":`...)
	b = append(b, f.eventID.Raw...)
	b = append(b, `,"eventName":`...)
	b = append(b, f.eventName.Raw...)
	b = appendField(b, `,"eventVersion":`, f.eventVersion, defaultEventVersion)
	b = appendField(b, `,"eventSource":`, f.eventSource, defaultEventSource)
	b = appendField(b, `,"awsRegion":`, f.awsRegion, regionOf(n, f.eventSourceARN))
	b = append(b, `,"dynamodb":`...)
	b = d.append(b, rec.ApproximateCreationDateTime)
	if b, err = appendIdentity(b, f.userIdentity); err != nil {
		return stream.Record{}, err
	}
	b = appendField(b, `,"eventSourceARN":`, f.eventSourceARN, n.StreamARN)
	b = append(b, '}')
	if doc == nil {
		doc = new(rawjson.Doc)
	}
	doc.Reset(b)
	rec.Doc = doc
	return rec, nil
}

// eventNames interns the three event names.
var eventNames = map[string]string{"INSERT": "INSERT", "MODIFY": "MODIFY", "REMOVE": "REMOVE"}

// check validates the top-level fields every record must carry.
func (f *fields) check() error {
	switch {
	case !f.eventID.Exists():
		return fmt.Errorf("%w: missing eventID", ErrNotRecord)
	case f.eventID.Type != gjson.String || f.eventID.Str == "":
		return fmt.Errorf("%w: eventID %s: want a non-empty string", ErrNotRecord, f.eventID.Raw)
	case !f.eventName.Exists():
		return fmt.Errorf("%w: missing eventName", ErrNotRecord)
	case f.eventName.Type != gjson.String || (f.eventName.Str != "INSERT" && f.eventName.Str != "MODIFY" && f.eventName.Str != "REMOVE"):
		return fmt.Errorf("%w: eventName %s: want INSERT, MODIFY or REMOVE", ErrNotRecord, f.eventName.Raw)
	case !f.dynamodb.IsObject():
		return fmt.Errorf("%w: missing dynamodb object", ErrNotRecord)
	}
	for _, s := range []struct {
		name string
		v    gjson.Result
	}{{"eventVersion", f.eventVersion}, {"eventSource", f.eventSource}, {"awsRegion", f.awsRegion}, {"eventSourceARN", f.eventSourceARN}} {
		if s.v.Exists() && s.v.Type != gjson.String {
			return fmt.Errorf("%w: %s %s: want a string", ErrNotRecord, s.name, s.v.Raw)
		}
	}
	return nil
}

func splitDynamoDB(r gjson.Result, src []byte) (ddbFields, error) {
	var d ddbFields
	r.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "ApproximateCreationDateTime":
			d.created = v
		case "Keys":
			d.keys = v
		case "NewImage":
			d.newImage = v
		case "OldImage":
			d.oldImage = v
		case "SequenceNumber":
			d.seq = v
		case "SizeBytes":
			d.size = v
		case "StreamViewType":
			d.viewType = v
		}
		return true
	})
	switch {
	case d.seq.Type != gjson.String || d.seq.Str == "":
		return d, fmt.Errorf("%w: dynamodb.SequenceNumber: want a non-empty string", ErrNotRecord)
	case d.size.Exists() && d.size.Type != gjson.Number:
		return d, fmt.Errorf("%w: dynamodb.SizeBytes %s: want a number", ErrNotRecord, d.size.Raw)
	case d.viewType.Exists() && d.viewType.Type != gjson.String:
		return d, fmt.Errorf("%w: dynamodb.StreamViewType %s: want a string", ErrNotRecord, d.viewType.Raw)
	case !d.keys.Exists():
		return d, fmt.Errorf("%w: missing dynamodb.Keys", ErrNotRecord)
	}
	for _, img := range []struct {
		name string
		v    gjson.Result
	}{{"Keys", d.keys}, {"NewImage", d.newImage}, {"OldImage", d.oldImage}} {
		if err := checkImage(img.name, img.v, src); err != nil {
			return d, err
		}
	}
	return d, nil
}

// attributeTypes are the keys of a DynamoDB AttributeValue.
var attributeTypes = map[string]bool{"S": true, "N": true, "B": true, "SS": true, "NS": true, "BS": true, "M": true, "L": true, "NULL": true, "BOOL": true}

// checkImage checks that an image is a map of typed attribute values ({"S": "x"}); nested M and L
// values are taken as they are.
func checkImage(name string, img gjson.Result, src []byte) error {
	if !img.Exists() || imageOK(rawBytes(src, img)) {
		return nil
	}
	if !img.IsObject() {
		return fmt.Errorf("%w: dynamodb.%s: want an object of attribute values", ErrNotRecord, name)
	}
	var err error
	img.ForEach(func(k, v gjson.Result) bool {
		if err = checkAttribute(v); err != nil {
			err = fmt.Errorf("%w: dynamodb.%s.%s: %v", ErrNotRecord, name, k.Str, err)
		}
		return err == nil
	})
	return err
}

func checkAttribute(v gjson.Result) error {
	if !v.IsObject() {
		return fmt.Errorf("want a typed attribute value such as {\"S\": \"text\"}, got %s", kind(v))
	}
	n, unknown := 0, false
	var bad string
	v.ForEach(func(k, _ gjson.Result) bool {
		n++
		if !attributeTypes[k.Str] && !unknown {
			bad, unknown = k.Str, true
		}
		return true
	})
	if unknown {
		return fmt.Errorf("unknown attribute type %q: want S, N, B, SS, NS, BS, M, L, NULL or BOOL", bad)
	}
	if n != 1 {
		return fmt.Errorf("want exactly one type key, got %d", n)
	}
	return nil
}

// append writes the dynamodb object, keys in the order real records carry them.
func (d *ddbFields) append(b []byte, created time.Time) []byte {
	b = append(b, '{')
	if d.created.Exists() {
		b = append(b, `"ApproximateCreationDateTime":`...)
		b = strconv.AppendInt(b, created.Unix(), 10)
		b = append(b, ',')
	}
	for _, img := range []struct {
		key string
		v   gjson.Result
	}{{`"Keys":`, d.keys}, {`"NewImage":`, d.newImage}, {`"OldImage":`, d.oldImage}} {
		if img.v.Exists() {
			b = append(b, img.key...)
			b = appendCompact(b, img.v.Raw)
			b = append(b, ',')
		}
	}
	b = append(b, `"SequenceNumber":`...)
	b = append(b, d.seq.Raw...)
	if d.size.Exists() {
		b = append(b, `,"SizeBytes":`...)
		b = append(b, d.size.Raw...)
	}
	if d.viewType.Exists() {
		b = append(b, `,"StreamViewType":`...)
		b = append(b, d.viewType.Raw...)
	}
	return append(b, '}')
}

// appendCompact appends raw JSON without insignificant whitespace.
func appendCompact(b []byte, raw string) []byte {
	if !hasSpace(raw) {
		return append(b, raw...)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(raw)); err != nil {
		return append(b, raw...) // cannot happen: the record was validated
	}
	return append(b, buf.Bytes()...)
}

// hasSpace reports whether raw JSON has whitespace outside its strings.
func hasSpace(raw string) bool {
	in := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\n' || c == '\r' || c == '\t'):
			return true
		}
	}
	return false
}

func appendField(b []byte, key string, v gjson.Result, def string) []byte {
	if v.Exists() {
		return append(append(b, key...), v.Raw...)
	}
	if def == "" {
		return b
	}
	return appendJSONString(append(b, key...), def)
}

// appendJSONString writes a value pipesim fills in (a default, a region, a stream ARN) as AWS
// writes a record's strings.
func appendJSONString(b []byte, s string) []byte {
	return rawjson.AppendString(b, s, rawjson.Record)
}

// regionOf is n.Region, else the region of the record's stream ARN.
func regionOf(n Normalize, arn gjson.Result) string {
	if n.Region != "" {
		return n.Region
	}
	s := arn.Str
	if s == "" {
		s = n.StreamARN
	}
	parts := bytes.SplitN([]byte(s), []byte(":"), 5)
	if len(parts) == 5 {
		return string(parts[3])
	}
	return ""
}

// appendIdentity writes userIdentity with the camelCase keys Pipes uses, whichever case the
// capture has (GetRecords says PrincipalId and Type).
func appendIdentity(b []byte, id gjson.Result) ([]byte, error) {
	if !id.Exists() || id.Type == gjson.Null {
		return b, nil
	}
	if !id.IsObject() {
		return nil, fmt.Errorf("%w: userIdentity: want an object", ErrNotRecord)
	}
	principal, typ := id.Get("principalId"), id.Get("type")
	if !principal.Exists() {
		principal = id.Get("PrincipalId")
	}
	if !typ.Exists() {
		typ = id.Get("Type")
	}
	if principal.Type != gjson.String || typ.Type != gjson.String {
		return nil, fmt.Errorf("%w: userIdentity: want string principalId and type", ErrNotRecord)
	}
	b = append(b, `,"userIdentity":{"principalId":`...)
	b = append(b, principal.Raw...)
	b = append(b, `,"type":`...)
	b = append(b, typ.Raw...)
	return append(b, '}'), nil
}

// timeLayouts are the date forms captures carry: the AWS CLI's ISO 8601 (with microseconds and
// +00:00), RFC 3339, and the same without a zone (taken as UTC).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"}

// creationTime reads ApproximateCreationDateTime: epoch seconds (integer or fractional, as
// Pipes and the CLI's default print it) or an ISO 8601 string. Absent gives the zero time.
func creationTime(v gjson.Result) (time.Time, error) {
	switch v.Type {
	case gjson.Null:
		if !v.Exists() {
			return time.Time{}, nil
		}
	case gjson.Number:
		if s := v.Float(); s >= 0 && s < 1e11 && !math.IsNaN(s) {
			return time.Unix(int64(s), 0).UTC(), nil
		}
	case gjson.String:
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, v.Str); err == nil {
				return t.UTC().Truncate(time.Second), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%w: dynamodb.ApproximateCreationDateTime %s: want epoch seconds or an ISO 8601 date", ErrNotRecord, v.Raw)
}

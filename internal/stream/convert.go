package stream

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// Defaults for fields a GetRecords record may leave out; DynamoDB Local and
// AWS both send them, so these only matter for hand-made records.
const (
	defaultEventVersion = "1.1"
	defaultEventSource  = "aws:dynamodb"
)

// ConvertRecord turns a GetRecords record into the record a pipe delivers:
// eventID, eventName, eventVersion, eventSource, awsRegion, dynamodb
// {ApproximateCreationDateTime as epoch seconds, Keys, NewImage, OldImage,
// SequenceNumber, SizeBytes, StreamViewType}, userIdentity (TTL deletes
// only, camelCase keys) and eventSourceARN = streamARN, in that order.
// region replaces the record's awsRegion unless empty. Record.ShardID is
// left for the caller. It returns an error naming the record and the field
// when a required field is missing or an attribute value has no known type.
func ConvertRecord(r types.Record, streamARN, region string) (Record, error) {
	out, err := recordHeader(r)
	if err != nil {
		return Record{}, err
	}
	if region == "" {
		region = aws.ToString(r.AwsRegion)
	}
	b := make([]byte, 0, 512)
	b = append(b, `{"eventID":`...)
	b = appendString(b, out.EventID)
	b = append(b, `,"eventName":`...)
	b = appendString(b, out.EventName)
	b = append(b, `,"eventVersion":`...)
	b = appendString(b, orDefault(aws.ToString(r.EventVersion), defaultEventVersion))
	b = append(b, `,"eventSource":`...)
	b = appendString(b, orDefault(aws.ToString(r.EventSource), defaultEventSource))
	b = append(b, `,"awsRegion":`...)
	b = appendString(b, region)
	b = append(b, `,"dynamodb":`...)
	if b, err = appendStreamRecord(b, r.Dynamodb); err != nil {
		return Record{}, fmt.Errorf("convert record %s: %w", out.SequenceNumber, err)
	}
	if id := r.UserIdentity; id != nil {
		b = append(b, `,"userIdentity":{"principalId":`...)
		b = appendString(b, aws.ToString(id.PrincipalId))
		b = append(b, `,"type":`...)
		b = appendString(b, aws.ToString(id.Type))
		b = append(b, '}')
	}
	b = append(b, `,"eventSourceARN":`...)
	b = appendString(b, streamARN)
	out.Doc = rawjson.New(append(b, '}'))
	return out, nil
}

// recordHeader checks the fields every record must carry and fills the
// Record's typed fields.
func recordHeader(r types.Record) (Record, error) {
	d := r.Dynamodb
	if d == nil || aws.ToString(d.SequenceNumber) == "" {
		return Record{}, fmt.Errorf("convert record %q: missing dynamodb.SequenceNumber", aws.ToString(r.EventID))
	}
	seq := aws.ToString(d.SequenceNumber)
	out := Record{
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		SequenceNumber: seq,
		SizeBytes:      aws.ToInt64(d.SizeBytes),
	}
	if d.ApproximateCreationDateTime != nil {
		out.ApproximateCreationDateTime = d.ApproximateCreationDateTime.UTC()
	}
	switch {
	case out.EventID == "":
		return Record{}, fmt.Errorf("convert record %s: missing eventID", seq)
	case out.EventName != string(types.OperationTypeInsert) && out.EventName != string(types.OperationTypeModify) &&
		out.EventName != string(types.OperationTypeRemove):
		return Record{}, fmt.Errorf("convert record %s: eventName %q: want INSERT, MODIFY or REMOVE", seq, out.EventName)
	}
	return out, nil
}

// appendStreamRecord writes the dynamodb object, keys in the order real
// records carry them (alphabetical).
func appendStreamRecord(b []byte, d *types.StreamRecord) ([]byte, error) {
	b = append(b, '{')
	first := true
	sep := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	if d.ApproximateCreationDateTime != nil {
		sep("ApproximateCreationDateTime")
		b = strconv.AppendInt(b, epochSeconds(*d.ApproximateCreationDateTime), 10)
	}
	images := []struct {
		name string
		m    map[string]types.AttributeValue
	}{{"Keys", d.Keys}, {"NewImage", d.NewImage}, {"OldImage", d.OldImage}}
	for _, img := range images {
		if img.m == nil {
			continue
		}
		sep(img.name)
		var err error
		if b, err = appendMap(b, img.m); err != nil {
			return nil, fmt.Errorf("%s%w", img.name, err)
		}
	}
	sep("SequenceNumber")
	b = appendString(b, aws.ToString(d.SequenceNumber))
	if d.SizeBytes != nil {
		sep("SizeBytes")
		b = strconv.AppendInt(b, *d.SizeBytes, 10)
	}
	if d.StreamViewType != "" {
		sep("StreamViewType")
		b = appendString(b, string(d.StreamViewType))
	}
	return append(b, '}'), nil
}

// epochSeconds rounds t down to whole seconds, as AWS does.
func epochSeconds(t time.Time) int64 {
	return t.Unix()
}

// appendMap writes a map of attribute values with its keys sorted, so the
// output is deterministic. Errors name the attribute path from here down.
func appendMap(b []byte, m map[string]types.AttributeValue) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendAttr(b, m[k]); err != nil {
			return nil, fmt.Errorf(".%s%w", k, err)
		}
	}
	return append(b, '}'), nil
}

// appendAttr writes one attribute value in DynamoDB-typed JSON: binary as
// base64, numbers as strings.
func appendAttr(b []byte, av types.AttributeValue) ([]byte, error) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return append(appendString(append(b, `{"S":`...), v.Value), '}'), nil
	case *types.AttributeValueMemberN:
		return append(appendString(append(b, `{"N":`...), v.Value), '}'), nil
	case *types.AttributeValueMemberB:
		return append(appendBase64(append(b, `{"B":`...), v.Value), '}'), nil
	case *types.AttributeValueMemberBOOL:
		return append(strconv.AppendBool(append(b, `{"BOOL":`...), v.Value), '}'), nil
	case *types.AttributeValueMemberNULL:
		return append(strconv.AppendBool(append(b, `{"NULL":`...), v.Value), '}'), nil
	case *types.AttributeValueMemberSS:
		return appendStrings(append(b, `{"SS":`...), v.Value), nil
	case *types.AttributeValueMemberNS:
		return appendStrings(append(b, `{"NS":`...), v.Value), nil
	case *types.AttributeValueMemberBS:
		return appendBinaries(append(b, `{"BS":`...), v.Value), nil
	case *types.AttributeValueMemberM:
		return appendMapAttr(b, v.Value)
	case *types.AttributeValueMemberL:
		return appendList(b, v.Value)
	default:
		return nil, fmt.Errorf(": attribute value of unknown type %T", av)
	}
}

func appendMapAttr(b []byte, m map[string]types.AttributeValue) ([]byte, error) {
	b, err := appendMap(append(b, `{"M":`...), m)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendList(b []byte, l []types.AttributeValue) ([]byte, error) {
	b = append(b, `{"L":[`...)
	for i, av := range l {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendAttr(b, av); err != nil {
			return nil, fmt.Errorf("[%d]%w", i, err)
		}
	}
	return append(b, ']', '}'), nil
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']', '}')
}

func appendBinaries(b []byte, bs [][]byte) []byte {
	b = append(b, '[')
	for i, v := range bs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendBase64(b, v)
	}
	return append(b, ']', '}')
}

// appendBase64 writes v as a base64 JSON string.
func appendBase64(b, v []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v)
	return append(b, '"')
}

// appendString writes s as a JSON string the way AWS's Java serializer does (rawjson.Record):
// quotes, backslashes and control characters escaped, everything else (including <, >, & and
// non-ASCII) as is; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	return rawjson.AppendString(b, s, rawjson.Record)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

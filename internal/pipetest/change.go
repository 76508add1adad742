package pipetest

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"go.yaml.in/yaml/v3"

	"github.com/pipesim/pipesim/internal/replay"
	"github.com/pipesim/pipesim/internal/stream"
)

// DefaultTime is the ApproximateCreationDateTime of a change that gives none.
var DefaultTime = time.Date(2024, 7, 30, 17, 24, 52, 0, time.UTC)

// Change is a DynamoDB change written plainly: images in ordinary YAML/JSON, which become typed
// attribute values (strings S, numbers N as written, booleans BOOL, null NULL, lists L, maps M).
type Change struct {
	EventName      string `yaml:"eventName"`
	Keys           Node   `yaml:"Keys"`
	NewImage       Node   `yaml:"NewImage"`
	OldImage       Node   `yaml:"OldImage"`
	Time           string `yaml:"time"` // RFC 3339; default DefaultTime
	TTL            bool   `yaml:"ttl"`  // a REMOVE by TTL: userIdentity says the DynamoDB service
	StreamViewType string `yaml:"streamViewType"`
	SequenceNumber string `yaml:"sequenceNumber"`
	EventID        string `yaml:"eventID"`
}

// Record converts the change to the stream record Pipes would deliver. seq numbers the change
// within its file; streamARN and region fill eventSourceARN and awsRegion.
func (c *Change) Record(name string, seq int, streamARN, region string) (stream.Record, error) {
	if c.EventName != "INSERT" && c.EventName != "MODIFY" && c.EventName != "REMOVE" {
		return stream.Record{}, fmt.Errorf("change.eventName %q: want INSERT, MODIFY or REMOVE", c.EventName)
	}
	if err := c.checkImages(); err != nil {
		return stream.Record{}, err
	}
	d, err := c.streamRecord(name, seq)
	if err != nil {
		return stream.Record{}, err
	}
	r := types.Record{EventID: aws.String(c.eventID(name)), EventName: types.OperationType(c.EventName), Dynamodb: d}
	if c.TTL {
		r.UserIdentity = &types.Identity{PrincipalId: aws.String("dynamodb.amazonaws.com"), Type: aws.String("Service")}
	}
	return stream.ConvertRecord(r, streamARN, region)
}

func (c *Change) checkImages() error {
	switch {
	case c.Keys.Kind != yaml.MappingNode:
		return fmt.Errorf("change.Keys: want a mapping of key attributes")
	case c.EventName == "INSERT" && c.OldImage.Kind != 0:
		return fmt.Errorf("change.OldImage: an INSERT has none")
	case c.EventName == "REMOVE" && c.NewImage.Kind != 0:
		return fmt.Errorf("change.NewImage: a REMOVE has none")
	case c.TTL && c.EventName != "REMOVE":
		return fmt.Errorf("change.ttl: only a REMOVE can be a TTL deletion")
	}
	return nil
}

func (c *Change) streamRecord(name string, seq int) (*types.StreamRecord, error) {
	created := DefaultTime
	if c.Time != "" {
		t, err := time.Parse(time.RFC3339, c.Time)
		if err != nil {
			return nil, fmt.Errorf("change.time %q: want RFC 3339, such as 2024-07-30T17:24:52Z", c.Time)
		}
		created = t
	}
	view := c.StreamViewType
	if view == "" {
		view = "NEW_AND_OLD_IMAGES"
	}
	d := &types.StreamRecord{ApproximateCreationDateTime: aws.Time(created), StreamViewType: types.StreamViewType(view),
		SequenceNumber: aws.String(c.SequenceNumber)}
	if c.SequenceNumber == "" {
		d.SequenceNumber = aws.String(fmt.Sprintf("%021d", (seq+1)*100))
	}
	var err error
	images := []struct {
		field string
		node  *yaml.Node
		dst   *map[string]types.AttributeValue
	}{{"Keys", &c.Keys.Node, &d.Keys}, {"NewImage", &c.NewImage.Node, &d.NewImage}, {"OldImage", &c.OldImage.Node, &d.OldImage}}
	size := 0
	for _, img := range images {
		if img.node.Kind == 0 {
			continue
		}
		if *img.dst, err = imageOf(img.node); err != nil {
			return nil, fmt.Errorf("change.%s%w", img.field, err)
		}
		size += imageSize(*img.dst)
	}
	d.SizeBytes = aws.Int64(int64(size))
	return d, nil
}

// eventID is the change's eventID, or 32 hex digits derived from the case name, stable from run to
// run.
func (c *Change) eventID(name string) string {
	if c.EventID != "" {
		return c.EventID
	}
	sum := md5.Sum([]byte(name))
	return hex.EncodeToString(sum[:])
}

func imageOf(n *yaml.Node) (map[string]types.AttributeValue, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf(": want a mapping of attributes")
	}
	m := make(map[string]types.AttributeValue, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		av, err := attributeOf(n.Content[i+1])
		if err != nil {
			return nil, fmt.Errorf(".%s%w", k, err)
		}
		m[k] = av
	}
	return m, nil
}

// attributeOf types one plain value. Numbers keep the text they were written with.
func attributeOf(n *yaml.Node) (types.AttributeValue, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return attributeOf(n.Alias)
	case yaml.MappingNode:
		m, err := imageOf(n)
		return &types.AttributeValueMemberM{Value: m}, err
	case yaml.SequenceNode:
		l := make([]types.AttributeValue, len(n.Content))
		for i, e := range n.Content {
			av, err := attributeOf(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]%w", i, err)
			}
			l[i] = av
		}
		return &types.AttributeValueMemberL{Value: l}, nil
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		if !json.Valid([]byte(n.Value)) {
			return nil, fmt.Errorf(": number %q: write it as a decimal number", n.Value)
		}
		return &types.AttributeValueMemberN{Value: n.Value}, nil
	case "!!bool":
		var b bool
		err := n.Decode(&b)
		return &types.AttributeValueMemberBOOL{Value: b}, err
	case "!!null":
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case "!!str":
		return &types.AttributeValueMemberS{Value: n.Value}, nil
	}
	return nil, fmt.Errorf(": value %q of type %s cannot be a DynamoDB attribute", n.Value, n.ShortTag())
}

// imageSize approximates DynamoDB's item size: attribute names plus values. AWS does not document
// how SizeBytes is counted for a stream record; this is inferred.
func imageSize(m map[string]types.AttributeValue) int {
	n := 0
	for k, v := range m {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return (len(v.Value)+1)/2 + 1
	case *types.AttributeValueMemberM:
		return imageSize(v.Value) + 3
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += valueSize(e) + 1
		}
		return n
	}
	return 1
}

// recordOf reads a case's record: a YAML mapping, or a string of JSON.
func recordOf(n *Node, norm replay.Normalize) (stream.Record, error) {
	var raw []byte
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		raw = []byte(n.Value)
	} else {
		var v any
		if err := n.Decode(&v); err != nil {
			return stream.Record{}, fmt.Errorf("record: %w", err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return stream.Record{}, fmt.Errorf("record: %w", err)
		}
		raw = b
	}
	rec, err := replay.ParseRecord(raw, norm)
	if err != nil {
		return stream.Record{}, fmt.Errorf("record: %w", err)
	}
	return rec, nil
}

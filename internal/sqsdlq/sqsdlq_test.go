package sqsdlq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/sqsdlq/sqsdlqtest"
)

func TestSendReceiveAgainstGoaws(t *testing.T) {
	endpoint := sqsdlqtest.Endpoint(t)
	ctx := context.Background()
	q, err := New(ctx, Options{Endpoint: endpoint, Region: "us-east-1", Protocol: ProtocolQuery})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"context":{"condition":"RetryAttemptsExhausted"},"note":"a & b = c; ünïcode"}`
	if err := q.Send(ctx, &config.Queue{Name: "roundtrip-dlq"}, []byte(body)); err != nil {
		t.Fatal(err)
	}
	msgs, err := q.Receive(ctx, "roundtrip-dlq", 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Body != body || msgs[0].ID == "" {
		t.Errorf("Receive = %+v; want one message with body %s", msgs, body)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{{Endpoint: "not a url"}, {Endpoint: "ftp://h"}, {Endpoint: "http://h", Protocol: "soap"}} {
		if _, err := New(context.Background(), o); err == nil {
			t.Errorf("New(%+v): no error", o)
		}
	}
}

func TestAddQueryField(t *testing.T) {
	form := url.Values{}
	addQueryField(form, "QueueUrl", "http://h/q")
	addQueryField(form, "MaxNumberOfMessages", float64(10))
	addQueryField(form, "AttributeNames", []any{"All", "SentTimestamp"})
	addQueryField(form, "Attributes", map[string]any{"VisibilityTimeout": "30", "DelaySeconds": "0"})
	want := url.Values{
		"QueueUrl": {"http://h/q"}, "MaxNumberOfMessages": {"10"},
		"AttributeName.1": {"All"}, "AttributeName.2": {"SentTimestamp"},
		"Attribute.1.Name": {"DelaySeconds"}, "Attribute.1.Value": {"0"},
		"Attribute.2.Name": {"VisibilityTimeout"}, "Attribute.2.Value": {"30"},
	}
	if d := cmp.Diff(want, form); d != "" {
		t.Errorf("form (-want +got):\n%s", d)
	}
}

func TestTranslateAnswer(t *testing.T) {
	for _, tc := range []struct{ xml, want string }{
		{`<CreateQueueResponse><CreateQueueResult><QueueUrl>http://h/000000000000/q</QueueUrl></CreateQueueResult></CreateQueueResponse>`,
			`{"QueueUrl":"http://h/000000000000/q"}`},
		{`<SendMessageResponse><SendMessageResult><MD5OfMessageBody>abc</MD5OfMessageBody><MessageId>m1</MessageId></SendMessageResult></SendMessageResponse>`,
			`{"MessageId":"m1","MD5OfMessageBody":"abc"}`},
		{`<ReceiveMessageResponse><ReceiveMessageResult><Message><MessageId>m1</MessageId><ReceiptHandle>r</ReceiptHandle><MD5OfBody>x</MD5OfBody><Body>{&quot;a&quot;:1}</Body></Message></ReceiveMessageResult></ReceiveMessageResponse>`,
			`{"Messages":[{"MessageId":"m1","ReceiptHandle":"r","MD5OfBody":"x","Body":"{\"a\":1}"}]}`},
		{`<ReceiveMessageResponse><ReceiveMessageResult></ReceiveMessageResult></ReceiveMessageResponse>`, `{"Messages":null}`},
		{`<ErrorResponse><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>gone</Message></Error></ErrorResponse>`,
			`{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"}`},
		{`<DeleteMessageResponse></DeleteMessageResponse>`, `{}`},
		{``, `{}`},
	} {
		if got := string(translateAnswer([]byte(tc.xml))); got != tc.want {
			t.Errorf("translateAnswer(%s) = %s; want %s", tc.xml, got, tc.want)
		}
	}
}

func FuzzTranslateAnswer(f *testing.F) {
	f.Add([]byte(`<SendMessageResponse><SendMessageResult><MessageId>m1</MessageId></SendMessageResult></SendMessageResponse>`))
	f.Add([]byte(`<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := translateAnswer(raw)
		if !json.Valid(out) {
			t.Errorf("translateAnswer(%q) = %q: not JSON", raw, out)
		}
	})
}

func TestPeekAndDelete(t *testing.T) {
	endpoint := sqsdlqtest.Endpoint(t)
	ctx := context.Background()
	q, err := New(ctx, Options{Endpoint: endpoint, Region: "us-east-1", Protocol: ProtocolQuery})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, &config.Queue{Name: "peek-dlq"}, []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	msgs, err := q.Peek(ctx, "peek-dlq", 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Peek = %v, %v; want 1 message", msgs, err)
	}
	if err := q.Delete(ctx, "peek-dlq", msgs[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // past the peek's one-second visibility timeout
	if left, err := q.Peek(ctx, "peek-dlq", 10); err != nil || len(left) != 0 {
		t.Errorf("Peek after Delete = %v, %v; want none", left, err)
	}
}

// TestPurgeAndMissingQueue: Purge empties a queue; reading, deleting from or purging a queue that
// does not exist is an error wrapping ErrNoQueue, and does not create it.
func TestPurgeAndMissingQueue(t *testing.T) {
	endpoint := sqsdlqtest.Endpoint(t)
	ctx := context.Background()
	q, err := New(ctx, Options{Endpoint: endpoint, Region: "us-east-1", Protocol: ProtocolQuery})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := q.Send(ctx, &config.Queue{Name: "purge-dlq"}, []byte(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Purge(ctx, "purge-dlq"); err != nil {
		t.Fatal(err)
	}
	if left, err := q.Peek(ctx, "purge-dlq", 10); err != nil || len(left) != 0 {
		t.Errorf("Peek after Purge = %v, %v; want none", left, err)
	}
	other, err := New(ctx, Options{Endpoint: endpoint, Region: "us-east-1", Protocol: ProtocolQuery})
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"Peek":   func() error { _, err := other.Peek(ctx, "never-created-dlq", 10); return err },
		"Purge":  func() error { return other.Purge(ctx, "never-created-dlq") },
		"Delete": func() error { return other.Delete(ctx, "never-created-dlq", "handle") },
	} {
		if err := call(); !errors.Is(err, ErrNoQueue) || !strings.Contains(err.Error(), "never-created-dlq") {
			t.Errorf("%s of a queue that does not exist = %v; want ErrNoQueue naming it", name, err)
		}
	}
}

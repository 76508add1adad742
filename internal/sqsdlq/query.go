package sqsdlq

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/pipesim/pipesim/internal/bounded"
)

// The SDK serializes SQS calls in the AWS JSON 1.0 protocol. For a server that speaks only the
// query protocol, queryRequest rewrites each serialized request into its query form, and
// queryResponse rewrites the XML answer into the JSON the SDK's deserializers read. Only what
// the dead-letter queue uses is covered: CreateQueue, GetQueueUrl, SendMessage, ReceiveMessage,
// DeleteMessage, PurgeQueue.

const targetPrefix = "AmazonSQS."

func addQueryProtocol(stack *middleware.Stack) error {
	// Build runs after serialization; Before puts the rewrite ahead of content-length and signing.
	if err := stack.Build.Add(middleware.BuildMiddlewareFunc("pipesimQueryRequest", queryRequest), middleware.Before); err != nil {
		return err
	}
	// After puts it next to the transport: it sees the raw answer before the deserializer.
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("pipesimQueryResponse", queryResponse), middleware.After)
}

func queryRequest(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return next.HandleBuild(ctx, in)
	}
	action, ok := strings.CutPrefix(req.Header.Get("X-Amz-Target"), targetPrefix)
	if !ok {
		return next.HandleBuild(ctx, in)
	}
	var fields map[string]any
	if s := req.GetStream(); s != nil {
		if err := json.NewDecoder(s).Decode(&fields); err != nil && err != io.EOF {
			return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("query protocol: read %s request: %w", action, err)
		}
	}
	form := url.Values{"Action": {action}, "Version": {"2012-11-05"}}
	for k, v := range fields {
		addQueryField(form, k, v)
	}
	body := form.Encode()
	req.Header.Del("X-Amz-Target")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r, err := req.SetStream(strings.NewReader(body)); err == nil {
		req = r
	}
	in.Request = req
	return next.HandleBuild(ctx, in)
}

// addQueryField flattens one JSON field: scalars as Name=value, string lists as Name.N, maps
// (queue attributes) as Attribute.N.Name / Attribute.N.Value.
func addQueryField(form url.Values, key string, v any) {
	switch v := v.(type) {
	case []any:
		single := strings.TrimSuffix(key, "s")
		for i, e := range v {
			form.Set(fmt.Sprintf("%s.%d", single, i+1), fmt.Sprint(e))
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			form.Set(fmt.Sprintf("Attribute.%d.Name", i+1), k)
			form.Set(fmt.Sprintf("Attribute.%d.Value", i+1), fmt.Sprint(v[k]))
		}
	case float64:
		form.Set(key, strconv.FormatFloat(v, 'f', -1, 64))
	default:
		form.Set(key, fmt.Sprint(v))
	}
}

// queryAnswer is the union of the XML answers the adapter translates.
type queryAnswer struct {
	XMLName  xml.Name
	QueueURL string         `xml:"CreateQueueResult>QueueUrl"`
	FoundURL string         `xml:"GetQueueUrlResult>QueueUrl"`
	Sent     *sentXML       `xml:"SendMessageResult"`
	Messages []messageXML   `xml:"ReceiveMessageResult>Message"`
	Error    *queryErrorXML `xml:"Error"`
}

type sentXML struct {
	MessageID        string `xml:"MessageId" json:"MessageId"`
	MD5OfMessageBody string `xml:"MD5OfMessageBody" json:"MD5OfMessageBody"`
}

type messageXML struct {
	MessageID     string `xml:"MessageId" json:"MessageId"`
	ReceiptHandle string `xml:"ReceiptHandle" json:"ReceiptHandle"`
	MD5OfBody     string `xml:"MD5OfBody" json:"MD5OfBody"`
	Body          string `xml:"Body" json:"Body"`
}

type queryErrorXML struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func queryResponse(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok {
		return out, md, nil
	}
	raw, err := bounded.ReadAll(resp.Body, "SQS answer", bounded.Answer)
	resp.Body.Close()
	if err != nil {
		return out, md, fmt.Errorf("query protocol: read answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(translateAnswer(raw)))
	resp.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp.ContentLength = -1
	return out, md, nil
}

// translateAnswer turns a query-protocol XML answer into its JSON 1.0 form; an error becomes the
// JSON error shape ({"__type", "message"}) the SDK maps to its error types.
func translateAnswer(raw []byte) []byte {
	var a queryAnswer
	if len(bytes.TrimSpace(raw)) == 0 || xml.Unmarshal(raw, &a) != nil {
		return []byte("{}")
	}
	var v any = map[string]any{}
	switch {
	case a.Error != nil:
		v = map[string]string{"__type": "com.amazonaws.sqs#" + errorType(a.Error.Code), "message": a.Error.Message}
	case a.QueueURL != "":
		v = map[string]string{"QueueUrl": a.QueueURL}
	case a.FoundURL != "":
		v = map[string]string{"QueueUrl": a.FoundURL}
	case a.Sent != nil:
		v = a.Sent
	case a.XMLName.Local == "ReceiveMessageResponse":
		v = map[string][]messageXML{"Messages": a.Messages}
	}
	b, _ := json.Marshal(v)
	return b
}

// errorType maps query error codes to the JSON protocol's shape names.
func errorType(code string) string {
	switch code {
	case "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist":
		return "QueueDoesNotExist"
	}
	return code
}

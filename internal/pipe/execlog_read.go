package pipe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// LogEntry is one record of an execution log as ExecLog writes it: the Pipes log schema.
type LogEntry struct {
	ResourceARN string    `json:"resourceArn"`
	Timestamp   int64     `json:"timestamp"`
	ExecutionID string    `json:"executionId"`
	MessageType string    `json:"messageType"`
	LogLevel    string    `json:"logLevel"`
	Payload     *string   `json:"payload"`
	AWSRequest  *string   `json:"awsRequest"`
	AWSResponse *string   `json:"awsResponse"`
	Error       *logError `json:"error"`
}

// ParseLogEntry reads one line of an execution log.
func ParseLogEntry(line []byte) (LogEntry, error) {
	var e LogEntry
	if err := json.Unmarshal(line, &e); err != nil {
		return LogEntry{}, fmt.Errorf("not an execution log record: %w", err)
	}
	if e.ExecutionID == "" || e.MessageType == "" {
		return LogEntry{}, fmt.Errorf("not an execution log record: no executionId or messageType")
	}
	return e, nil
}

// Pipe is the name of the pipe the entry is about, from its ARN.
func (e LogEntry) Pipe() string {
	_, name, ok := strings.Cut(e.ResourceARN, ":pipe/")
	if !ok {
		return e.ResourceARN
	}
	return name
}

// Time is when the step happened.
func (e LogEntry) Time() time.Time { return time.UnixMilli(e.Timestamp) }

// Format renders the entry as one readable line, times in loc: the time, the pipe, the
// execution's short ID, the step, and what the step carries (the records, the request, the
// response, the error) as plain text rather than JSON inside JSON. verbose prints the batch's
// records whole instead of their eventNames and keys.
func (e LogEntry) Format(loc *time.Location, verbose bool) string {
	id := e.ExecutionID
	if len(id) > 8 {
		id = id[:8]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s", e.Time().In(loc).Format("2006-01-02 15:04:05.000"), e.Pipe(), id, e.MessageType)
	var parts []string
	if e.Payload != nil {
		parts = append(parts, payloadText(e.MessageType, *e.Payload, verbose))
	}
	if e.AWSRequest != nil && (e.MessageType == "TargetInvocationStarted" || e.AWSResponse == nil) {
		parts = append(parts, requestText(*e.AWSRequest))
	}
	if e.AWSResponse != nil {
		parts = append(parts, responseText(*e.AWSResponse))
	}
	if e.Error != nil && e.AWSResponse == nil {
		parts = append(parts, "error: "+e.Error.Message)
	}
	if len(parts) > 0 {
		b.WriteString(": " + strings.Join(parts, "; "))
	}
	return b.String()
}

// payloadText is the batch an execution started with (its records' eventNames and keys), or the
// body a transformation made.
func payloadText(step, payload string, verbose bool) string {
	if step != "ExecutionStarted" {
		return "body " + oneLine(payload)
	}
	if verbose {
		return oneLine(payload)
	}
	recs := gjson.Parse(payload).Array()
	var out []string
	for _, r := range recs {
		out = append(out, r.Get("eventName").String()+" "+compact(r.Get("dynamodb.Keys").Raw))
	}
	n := "1 record"
	if len(recs) != 1 {
		n = strconv.Itoa(len(recs)) + " records"
	}
	return n + ": " + strings.Join(out, ", ")
}

// requestText is awsRequest as "PUT url body {...}".
func requestText(raw string) string {
	r := gjson.Parse(raw)
	s := r.Get("method").String() + " " + r.Get("url").String()
	if body := r.Get("body").String(); body != "" {
		s += " body " + oneLine(body)
	}
	return s
}

// responseText is awsResponse as "204 No Content" and its body.
func responseText(raw string) string {
	r := gjson.Parse(raw)
	status := int(r.Get("statusCode").Int())
	s := strconv.Itoa(status) + " " + http.StatusText(status)
	if body := r.Get("body").String(); body != "" {
		s += " body " + oneLine(body)
	}
	return s
}

// oneLine is a body on one line: compact JSON, or the text with its line breaks escaped.
func oneLine(s string) string {
	if c := compact(s); c != s || json.Valid([]byte(s)) {
		return c
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

func compact(s string) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return s
	}
	return buf.String()
}

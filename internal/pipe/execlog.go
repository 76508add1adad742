package pipe

import (
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
)

// Log levels, in the order LogConfiguration.Level includes them.
const (
	levelError = "ERROR"
	levelInfo  = "INFO"
	levelTrace = "TRACE"
)

var levelRank = map[string]int{"OFF": 0, levelError: 1, levelInfo: 2, levelTrace: 3}

// ExecLog writes a pipe's execution log records in the Pipes schema as JSON lines. It is safe for
// concurrent use. A nil *ExecLog logs nothing.
type ExecLog struct {
	mu     sync.Mutex
	w      io.Writer
	arn    string
	level  int
	data   bool // IncludeExecutionData ALL
	now    func() time.Time
	onFail func(error)
	next   *ExecLog // Tee: the next log that hears every step
}

// NewExecLog writes records for the pipe with ARN arn at or below level (OFF, ERROR, INFO,
// TRACE) to w. With data, payload, awsRequest and awsResponse are included. onFail, if set, hears
// of write failures; logging never stops a pipe.
func NewExecLog(w io.Writer, arn, level string, data bool, onFail func(error)) *ExecLog {
	return &ExecLog{w: w, arn: arn, level: levelRank[level], data: data, now: time.Now, onFail: onFail}
}

// logRecord is one record of the Pipes log schema, written by appendJSON in the field order of
// real records; a nil pointer or an empty string of the error is left out.
type logRecord struct {
	ResourceARN string
	Timestamp   int64
	ExecutionID string
	MessageType string
	LogLevel    string
	Payload     *string
	AWSRequest  *string
	AWSResponse *string
	Error       *logError
}

type logError struct {
	Message        string
	HTTPStatusCode int
	AWSService     string
	RequestID      string
	ExceptionType  string
	ResourceARN    string
}

// execLogger logs the steps of one execution.
type execLogger struct {
	l  *ExecLog
	id string
}

// start returns the logger of one execution; nil (which logs nothing) when l is nil, so a pipe
// without a log allocates nothing per execution.
func (l *ExecLog) start(executionID ExecutionID) *execLogger {
	if l == nil {
		return nil
	}
	return &execLogger{l: l, id: executionID.String()}
}

type stepOption func(*logRecord, bool)

func withPayload(p []byte) stepOption {
	return func(r *logRecord, data bool) {
		if data {
			s := string(p)
			r.Payload = &s
		}
	}
}

func withRequest(req *httpdest.Request) stepOption {
	return func(r *logRecord, data bool) {
		if data && req != nil {
			s := requestJSON(req)
			r.AWSRequest = &s
		}
	}
}

func withResponse(res httpdest.Result) stepOption {
	return func(r *logRecord, data bool) {
		if data && res.Status != 0 {
			s := responseJSON(res)
			r.AWSResponse = &s
		}
	}
}

func withError(e logError) stepOption {
	return func(r *logRecord, _ bool) { r.Error = &e }
}

// Tee returns a log that writes every step to each of logs (nil ones are skipped), each at its
// own level and with its own execution data: pipesim's execution history beside the log the
// pipe's LogConfiguration asks for. It returns nil when every log is nil. A log is in one Tee at
// most.
func Tee(logs ...*ExecLog) *ExecLog {
	var head *ExecLog
	for i := len(logs) - 1; i >= 0; i-- {
		if logs[i] != nil {
			logs[i].next = head
			head = logs[i]
		}
	}
	return head
}

// step writes one record to each log whose level includes it.
func (x *execLogger) step(messageType, level string, opts ...stepOption) {
	if x == nil {
		return
	}
	for l := x.l; l != nil; l = l.next {
		l.step(x.id, messageType, level, opts)
	}
}

// step writes one record if the log's level includes it.
func (l *ExecLog) step(id, messageType, level string, opts []stepOption) {
	if levelRank[level] > l.level {
		return
	}
	rec := logRecord{ResourceARN: l.arn, Timestamp: l.now().UnixMilli(), ExecutionID: id, MessageType: messageType, LogLevel: level}
	for _, o := range opts {
		o(&rec, l.data)
	}
	line := rec.appendJSON(nil)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(append(line, '\n')); err != nil && l.onFail != nil {
		l.onFail(err)
	}
}

// requestJSON is awsRequest: the HTTP request sent to the endpoint, secrets redacted (pipesim
// never writes an API key to a log, where AWS "makes no attempt to redact"). The URL, headers and
// body are the request's redacted forms, built with it: nothing is searched for here.
func requestJSON(req *httpdest.Request) string {
	b := append([]byte(`{"method":`), rawjson.AppendString(nil, req.Method, rawjson.Output)...)
	b = rawjson.AppendString(append(b, `,"url":`...), req.RedactedURL(), rawjson.Output)
	b = appendHeaderJSON(append(b, `,"headers":`...), req.RedactedHeader())
	b = rawjson.AppendBytes(append(b, `,"body":`...), req.RedactedBody(), rawjson.Output)
	return string(append(b, '}'))
}

func responseJSON(res httpdest.Result) string {
	b := strconv.AppendInt([]byte(`{"statusCode":`), int64(res.Status), 10)
	b = appendHeaderJSON(append(b, `,"headers":`...), res.Header)
	b = rawjson.AppendBytes(append(b, `,"body":`...), res.Body, rawjson.Output)
	return string(append(b, '}'))
}

// appendHeaderJSON writes h as a JSON object of arrays, names in order (null when h is nil).
func appendHeaderJSON(b []byte, h http.Header) []byte {
	if h == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(h)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(rawjson.AppendString(b, k, rawjson.Output), ':', '[')
		for j, v := range h[k] {
			if j > 0 {
				b = append(b, ',')
			}
			b = rawjson.AppendString(b, v, rawjson.Output)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendJSON writes the record as one JSON object, its fields in the order real records have,
// strings through the writer every output shares.
func (r *logRecord) appendJSON(b []byte) []byte {
	b = rawjson.AppendString(append(b, `{"resourceArn":`...), r.ResourceARN, rawjson.Output)
	b = strconv.AppendInt(append(b, `,"timestamp":`...), r.Timestamp, 10)
	b = rawjson.AppendString(append(b, `,"executionId":`...), r.ExecutionID, rawjson.Output)
	b = rawjson.AppendString(append(b, `,"messageType":`...), r.MessageType, rawjson.Output)
	b = rawjson.AppendString(append(b, `,"logLevel":`...), r.LogLevel, rawjson.Output)
	for _, f := range [...]struct {
		name string
		v    *string
	}{{"payload", r.Payload}, {"awsRequest", r.AWSRequest}, {"awsResponse", r.AWSResponse}} {
		if f.v != nil {
			b = rawjson.AppendString(append(append(append(b, `,"`...), f.name...), `":`...), *f.v, rawjson.Output)
		}
	}
	if r.Error != nil {
		b = r.Error.appendJSON(append(b, `,"error":`...))
	}
	return append(b, '}')
}

// appendJSON writes the error object; empty fields but the message are left out.
func (e *logError) appendJSON(b []byte) []byte {
	b = rawjson.AppendString(append(b, `{"message":`...), e.Message, rawjson.Output)
	if e.HTTPStatusCode != 0 {
		b = strconv.AppendInt(append(b, `,"httpStatusCode":`...), int64(e.HTTPStatusCode), 10)
	}
	for _, f := range [...]struct{ name, v string }{
		{"awsService", e.AWSService}, {"requestId", e.RequestID}, {"exceptionType", e.ExceptionType}, {"resourceArn", e.ResourceARN},
	} {
		if f.v != "" {
			b = rawjson.AppendString(append(append(append(b, `,"`...), f.name...), `":`...), f.v, rawjson.Output)
		}
	}
	return append(b, '}')
}

// batchPayload is the batch as the pipe received it: a JSON array of records.
func batchPayload(batch stream.Batch) []byte {
	out := []byte{'['}
	for i, rec := range batch.Records {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, rec.Doc.Bytes()...)
	}
	return append(out, ']')
}

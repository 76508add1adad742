package pipe

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/pipesim/pipesim/internal/httpdest"
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
}

// NewExecLog writes records for the pipe with ARN arn at or below level (OFF, ERROR, INFO,
// TRACE) to w. With data, payload, awsRequest and awsResponse are included. onFail, if set, hears
// of write failures; logging never stops a pipe.
func NewExecLog(w io.Writer, arn, level string, data bool, onFail func(error)) *ExecLog {
	return &ExecLog{w: w, arn: arn, level: levelRank[level], data: data, now: time.Now, onFail: onFail}
}

// logRecord is one record of the Pipes log schema; field order follows real records.
type logRecord struct {
	ResourceARN string    `json:"resourceArn"`
	Timestamp   int64     `json:"timestamp"`
	ExecutionID string    `json:"executionId"`
	MessageType string    `json:"messageType"`
	LogLevel    string    `json:"logLevel"`
	Payload     *string   `json:"payload,omitempty"`
	AWSRequest  *string   `json:"awsRequest,omitempty"`
	AWSResponse *string   `json:"awsResponse,omitempty"`
	Error       *logError `json:"error,omitempty"`
}

type logError struct {
	Message        string `json:"message"`
	HTTPStatusCode int    `json:"httpStatusCode,omitempty"`
	AWSService     string `json:"awsService,omitempty"`
	RequestID      string `json:"requestId,omitempty"`
	ExceptionType  string `json:"exceptionType,omitempty"`
	ResourceARN    string `json:"resourceArn,omitempty"`
}

// execLogger logs the steps of one execution.
type execLogger struct {
	l  *ExecLog
	id string
}

// start returns the logger of one execution; nil (which logs nothing) when l is nil, so a pipe
// without a log allocates nothing per execution.
func (l *ExecLog) start(executionID string) *execLogger {
	if l == nil {
		return nil
	}
	return &execLogger{l: l, id: executionID}
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

// step writes one record if the pipe's level includes it.
func (x *execLogger) step(messageType, level string, opts ...stepOption) {
	if x == nil || x.l == nil {
		return
	}
	l := x.l
	if levelRank[level] > l.level {
		return
	}
	rec := logRecord{ResourceARN: l.arn, Timestamp: l.now().UnixMilli(), ExecutionID: x.id, MessageType: messageType, LogLevel: level}
	for _, o := range opts {
		o(&rec, l.data)
	}
	line, _ := json.Marshal(rec)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(append(line, '\n')); err != nil && l.onFail != nil {
		l.onFail(err)
	}
}

// requestJSON is awsRequest: the HTTP request sent to the endpoint, secrets redacted (pipesim
// never writes an API key to a log, where AWS "makes no attempt to redact").
func requestJSON(req *httpdest.Request) string {
	b, _ := json.Marshal(struct {
		Method  string              `json:"method"`
		URL     string              `json:"url"`
		Headers map[string][]string `json:"headers"`
		Body    string              `json:"body"`
	}{req.Method, req.RedactString(req.URL), req.Redacted(), req.RedactString(string(req.Body))})
	return string(b)
}

func responseJSON(res httpdest.Result) string {
	b, _ := json.Marshal(struct {
		StatusCode int                 `json:"statusCode"`
		Headers    map[string][]string `json:"headers"`
		Body       string              `json:"body"`
	}{res.Status, res.Header, string(res.Body)})
	return string(b)
}

// batchPayload is the batch as the pipe received it: a JSON array of records.
func batchPayload(batch stream.Batch) []byte {
	out := []byte{'['}
	for i, rec := range batch.Records {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, rec.JSON...)
	}
	return append(out, ']')
}

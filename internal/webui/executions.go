package webui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
)

// maxShown bounds a record, a request body or a response body on the page; a longer one is cut
// and its full size given.
const maxShown = 64 << 10

// PipeInfo is what the page shows of a pipe: where it reads, how many filter patterns decide
// what it lets through, and where it sends.
type PipeInfo struct {
	Name        string `json:"name"`
	Table       string `json:"table"` // the source table
	Running     bool   `json:"running"`
	Filters     int    `json:"filters"` // filter patterns; 0 lets every record through
	Destination string `json:"destination"`
	Method      string `json:"method"`
	Endpoint    string `json:"endpoint"`
	// Momento: the destination is Momento's HTTP API (the embedded server or real Momento), so
	// the page shows its caches and topics; otherwise the page shows what it was sent.
	Momento bool `json:"momento"`
	// Local: pipesim answers the destination itself (run --local-destinations); nothing leaves
	// the machine.
	Local bool `json:"local"`
	// Reads are the item attributes the pipe's filters, template and HTTP parameters read: the
	// page's sample item and notes are made of them.
	Reads []ImageAttribute `json:"reads"`
}

// PipesOf describes the design's pipes for the page. momentoURL is the Momento endpoint the
// design's ${MOMENTO_API_ENDPOINT} resolved to ("" when none); local tells whether pipesim answers
// a destination itself (nil: none).
func PipesOf(cfg *config.Config, momentoURL string, local func(*httpdest.Destination) bool) []PipeInfo {
	out := make([]PipeInfo, 0, len(cfg.Pipes))
	for _, p := range cfg.Pipes {
		info := PipeInfo{Name: p.Name, Table: TableOf(p.Source), Running: p.Running, Reads: nonNil(attributesRead(p))}
		if p.Filters != nil {
			info.Filters = p.Filters.Len()
		}
		if t := p.Target; t != nil && t.Dest != nil {
			d := t.Dest
			info.Destination, info.Method, info.Endpoint = d.Name, d.Method, d.Endpoint
			info.Momento = momentoURL != "" && strings.HasPrefix(d.Endpoint, momentoURL)
			info.Local = !info.Momento && local != nil && local(d)
		}
		out = append(out, info)
	}
	return out
}

// TableOf is the table a pipe's Source names: the table itself, or the table of a stream ARN.
func TableOf(source string) string {
	if arn, err := stream.ParseStreamARN(source); err == nil {
		return arn.Table
	}
	return source
}

// executionView is one execution on the page: its records, and what the pipe did with them.
type executionView struct {
	Time     time.Time     `json:"time"`
	Pipe     string        `json:"pipe"`
	ID       string        `json:"executionId,omitempty"`
	Outcome  string        `json:"outcome"`
	Records  []recordView  `json:"records"`
	Request  *requestView  `json:"request,omitempty"`
	Response *responseView `json:"response,omitempty"`
	Error    string        `json:"error,omitempty"`
	// Attempt numbers the executions of a batch from 1; MaxAttempts is how many the pipe makes
	// (0: unlimited). A retry says when the next comes and how many records of the shard wait.
	Attempt     int    `json:"attempt,omitempty"`
	MaxAttempts int    `json:"maxAttempts,omitempty"`
	NextDelayMS int64  `json:"nextDelayMs,omitempty"`
	Shard       string `json:"shard,omitempty"`
	Waiting     int    `json:"waiting,omitempty"`
	// Absent are the template's and parameters' paths the records lack (rendered empty).
	Absent []string `json:"absent,omitempty"`
	// Cache is the Momento cache item the request wrote or deleted, for the page to show.
	Cache *cacheItem `json:"cache,omitempty"`
}

type recordView struct {
	EventID   string          `json:"eventID"`
	EventName string          `json:"eventName"`
	Table     string          `json:"table"`
	Keys      json.RawMessage `json:"keys,omitempty"`
	Record    json.RawMessage `json:"record,omitempty"` // absent when longer than maxShown
	Size      int             `json:"size"`
}

// requestView is the request as the API destination sent it, secrets as ********: the URL,
// headers and body are httpdest's redacted views, built with the request.
type requestView struct {
	Method string              `json:"method"`
	URL    string              `json:"url"`
	Header map[string][]string `json:"header"`
	Body   string              `json:"body"`
	Size   int                 `json:"size"`          // the body's length in bytes
	Cut    bool                `json:"cut,omitempty"` // Body holds the first maxShown bytes only
}

// responseView is what the destination answered: its status and body, secrets as ********.
type responseView struct {
	Status int    `json:"status"`
	Text   string `json:"statusText"`
	Body   string `json:"body"`
	Size   int    `json:"size"`          // the body's length in bytes
	Cut    bool   `json:"cut,omitempty"` // Body holds the first maxShown bytes only
}

// cacheItem names an item of a Momento cache.
type cacheItem struct {
	Cache  string `json:"cache"`
	Key    string `json:"key"`
	Method string `json:"method"`
}

// Trace shows an execution on the pages (give it to the runners beside the terminal's trace).
// It copies what it needs before it returns, and never blocks on a page.
func (s *Server) Trace(e pipe.Execution) {
	v := executionView{Time: time.Now(), Pipe: e.Pipe, ID: e.ID.String(), Outcome: e.Outcome, Records: make([]recordView, 0, len(e.Records)),
		Attempt: e.Attempt, MaxAttempts: e.MaxAttempts, Shard: e.Shard, Waiting: e.Waiting, Absent: e.AbsentPaths()}
	if e.Outcome == pipe.OutcomeRetrying {
		v.NextDelayMS = e.NextDelay.Milliseconds()
	}
	for _, r := range e.Records {
		v.Records = append(v.Records, viewRecord(r))
	}
	if r := e.Request; r != nil {
		body := r.RedactedBody()
		v.Request = &requestView{Method: r.Method, URL: r.RedactedURL(), Header: r.RedactedHeader(), Body: string(cut(body)), Size: len(body), Cut: len(body) > maxShown}
		if c := s.cacheItemOf(r.Method, r.URL); c != nil {
			v.Cache = c
			s.sawCache(c.Cache)
		}
	}
	if e.Status != 0 {
		body := []byte(s.redact(string(e.ResponseBody))) // before the cut: a secret across it would show in part
		v.Response = &responseView{Status: e.Status, Text: http.StatusText(e.Status), Body: string(cut(body)), Size: len(body), Cut: len(body) > maxShown}
	}
	if e.Err != nil && e.Outcome != pipe.OutcomeSucceeded {
		v.Error = s.redact(e.Err.Error())
	}
	s.events.publish(eventExecution, v)
}

// The record's values the page shows besides the record.
var (
	arnPath  = rawjson.KeyPath("eventSourceARN")
	keysPath = rawjson.KeyPath("dynamodb", "Keys")
)

// viewRecord is what the page shows of a record, read through its Doc; the bytes are copied
// (the page shows them after the record's memory may be reused).
func viewRecord(r stream.Record) recordView {
	b := r.Doc.Bytes()
	v := recordView{EventID: r.EventID, EventName: r.EventName, Size: len(b)}
	if s, e, st := r.Doc.Find(arnPath); st == rawjson.Found && b[s] == '"' {
		arn, _ := rawjson.AppendUnescaped(nil, rawjson.StringContent(b[s:e]))
		v.Table = TableOf(string(arn))
	}
	if s, e, st := r.Doc.Find(keysPath); st == rawjson.Found && b[s] == '{' {
		v.Keys = json.RawMessage(bytes.Clone(b[s:e]))
	}
	if len(b) <= maxShown && json.Valid(b) {
		v.Record = json.RawMessage(bytes.Clone(b))
	}
	return v
}

func cut(b []byte) []byte {
	if len(b) > maxShown {
		return b[:maxShown]
	}
	return b
}

// cacheItemOf recognizes a request to a Momento cache item (PUT or DELETE
// {momento}/cache/{cache}?key=K) and names the item; nil for anything else.
func (s *Server) cacheItemOf(method, rawURL string) *cacheItem {
	if s.MomentoURL == "" || !strings.HasPrefix(rawURL, s.MomentoURL+"/cache/") {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	cache, err := url.PathUnescape(strings.TrimPrefix(u.EscapedPath(), strings.TrimSuffix(mustPath(s.MomentoURL), "/")+"/cache/"))
	key := u.Query().Get("key")
	if err != nil || cache == "" || strings.Contains(cache, "/") || key == "" {
		return nil
	}
	return &cacheItem{Cache: cache, Key: key, Method: method}
}

// mustPath is the escaped path of a URL ("" when it has none or does not parse).
func mustPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.EscapedPath()
}

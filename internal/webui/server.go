package webui

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
)

//go:embed index.html
var page []byte

// maxItems bounds the items a table listing shows.
const maxItems = 200

// Server answers the page and its small JSON API:
//
//	GET    /                          the page
//	GET    /api/design                the pipes, tables (with their key schema), caches, topics, queues
//	GET    /api/events                server-sent events: each execution and topic message, live
//	GET    /api/tables                every table: name, key attributes, items (up to 200)
//	PUT    /api/tables/{table}/items  put the plain JSON item in the body
//	DELETE /api/tables/{table}/items  delete the item whose key the body's plain JSON holds
//	GET    /api/caches/{cache}?key=K  the cached value: {"found": true, "value": "..."}
//	GET    /api/dlq                   every dead-letter queue and its messages
//	GET    /api/topics                the latest messages of each topic (see Subscribe)
//
// Every route is behind the guard (guard.go): the Host must name the listener, writes need the
// run's token and the page's own Origin, and the event stream refuses another page's Origin.
type Server struct {
	DynamoDB *dynamodb.Client
	// Tables are the tables the page lists and writes: the design's, and the ones its pipes read
	// (see sim.Sim.PageTables).
	Tables  []config.Table
	Momento *momento.Client // to the embedded server or real Momento; nil when the design has none
	// MomentoURL is the Momento endpoint of the design's destinations, to recognize a request to a
	// cache item in an execution; "" when the design has none.
	MomentoURL string
	Caches     []string
	Queues     []config.Queue
	// Pipes describe the design's pipes (PipesOf).
	Pipes []PipeInfo
	// Secrets are the connections' secret values (SecretsOf): what a destination answers and
	// error texts are searched for them before the page sees them.
	Secrets []string
	// DeadLetters reads a dead-letter queue's messages; nil when they are not at hand (on SQS),
	// and the page says so.
	DeadLetters func(queue string) ([]pipe.QueueMessage, error)
	// Topics are shown with the messages published since Subscribe.
	Topics []Topic
	// Token is the run's secret for writes (see guard.go); "" allows none.
	Token string
	// Hosts are the Host values the page answers (see Hosts); empty means the loopback names.
	Hosts []string

	topics   topicLog
	events   hub
	redactor httpdest.Redactor // of Secrets, made by Handler
	mu       sync.Mutex
	seen     map[string]bool // caches the pipes wrote to, beside Caches
}

// keyNames are the names of a table's key attributes, the hash key first.
func keyNames(t config.Table) []string {
	if t.RangeKey == "" {
		return []string{t.HashKey}
	}
	return []string{t.HashKey, t.RangeKey}
}

// Handler returns the page's handler: only requests whose Host is one of s.Hosts are answered,
// and writes need s.Token (guard.go).
func (s *Server) Handler() http.Handler {
	s.redactor = httpdest.NewRedactor(s.Secrets)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.HandleFunc("GET /api/design", s.design)
	mux.HandleFunc("GET /api/events", s.stream)
	mux.HandleFunc("GET /api/tables", s.listTables)
	mux.HandleFunc("PUT /api/tables/{table}/items", s.putItem)
	mux.HandleFunc("DELETE /api/tables/{table}/items", s.deleteItem)
	mux.HandleFunc("GET /api/caches/{cache}", s.cacheGet)
	mux.HandleFunc("GET /api/dlq", s.listDLQ)
	mux.HandleFunc("GET /api/topics", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"topics": s.topics.views(s.Topics)})
	})
	return s.guard(mux)
}

// tableView is one table in GET /api/tables.
type tableView struct {
	Name      string           `json:"name"`
	Keys      []string         `json:"keys"`
	TTL       string           `json:"ttlAttribute,omitempty"`
	Items     []map[string]any `json:"items"`
	Truncated bool             `json:"truncated,omitempty"`
}

// keyAttribute is one key attribute of a table, with its type (S, N or B).
type keyAttribute struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// tableSchema is a table in GET /api/design: what the page's item form is built from.
type tableSchema struct {
	Name           string         `json:"name"`
	Key            []keyAttribute `json:"key"`
	StreamViewType string         `json:"streamViewType,omitempty"`
	TTL            string         `json:"ttlAttribute,omitempty"`
}

func (s *Server) design(w http.ResponseWriter, r *http.Request) {
	tables := make([]tableSchema, 0, len(s.Tables))
	for _, t := range s.Tables {
		ts := tableSchema{Name: t.Name, StreamViewType: t.StreamViewType, TTL: t.TTLAttribute}
		for _, k := range keyNames(t) {
			ts.Key = append(ts.Key, keyAttribute{Name: k, Type: t.Attributes[k]})
		}
		tables = append(tables, ts)
	}
	writeJSON(w, http.StatusOK, map[string]any{"pipes": nonNil(s.Pipes), "tables": tables, "caches": s.caches(),
		"topics": nonNil(s.Topics), "queues": queueNames(s.Queues), "deadLettersShown": s.DeadLetters != nil, "momento": s.Momento != nil})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func queueNames(qs []config.Queue) []string {
	out := make([]string, 0, len(qs))
	for _, q := range qs {
		out = append(out, q.Name)
	}
	return out
}

// caches are the design's caches and those the pipes wrote to.
func (s *Server) caches() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string{}, s.Caches...)
	for c := range s.seen {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out[len(s.Caches):])
	return out
}

func (s *Server) sawCache(cache string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[cache] = true
}

func (s *Server) listTables(w http.ResponseWriter, r *http.Request) {
	views := make([]tableView, 0, len(s.Tables))
	for _, t := range s.Tables {
		v, err := s.scan(r.Context(), t)
		if err != nil {
			writeError(w, http.StatusBadGateway, err)
			return
		}
		views = append(views, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"tables": views, "caches": s.caches()})
}

func (s *Server) scan(ctx context.Context, t config.Table) (tableView, error) {
	v := tableView{Name: t.Name, Keys: keyNames(t), TTL: t.TTLAttribute, Items: []map[string]any{}}
	out, err := s.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(t.Name), Limit: aws.Int32(maxItems)})
	if err != nil {
		return v, fmt.Errorf("scan table %s: %w", t.Name, err)
	}
	for _, item := range out.Items {
		v.Items = append(v.Items, plainOf(item))
	}
	v.Truncated = len(out.LastEvaluatedKey) > 0
	return v, nil
}

func (s *Server) putItem(w http.ResponseWriter, r *http.Request) {
	t, item, _, ok := s.itemRequest(w, r)
	if !ok {
		return
	}
	if _, err := s.DynamoDB.PutItem(r.Context(), &dynamodb.PutItemInput{TableName: aws.String(t.Name), Item: item}); err != nil {
		writeError(w, dynamoDBStatus(err), fmt.Errorf("put item in table %s: %w", t.Name, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"put": plainOf(item)})
}

func (s *Server) deleteItem(w http.ResponseWriter, r *http.Request) {
	t, _, key, ok := s.itemRequest(w, r)
	if !ok {
		return
	}
	if _, err := s.DynamoDB.DeleteItem(r.Context(), &dynamodb.DeleteItemInput{TableName: aws.String(t.Name), Key: key}); err != nil {
		writeError(w, dynamoDBStatus(err), fmt.Errorf("delete item from table %s: %w", t.Name, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": plainOf(key)})
}

// itemRequest reads a request about one item: its table (from the path), the item (the body, at
// most 400 KB, DynamoDB's item limit) and the item's key. On failure it has answered already:
// 404 for a table not in the pipes file, 400 for a body that is not an item with its key.
func (s *Server) itemRequest(w http.ResponseWriter, r *http.Request) (t config.Table, item, key map[string]types.AttributeValue, ok bool) {
	name := r.PathValue("table")
	i := slices.IndexFunc(s.Tables, func(tb config.Table) bool { return tb.Name == name })
	if i < 0 {
		writeError(w, http.StatusNotFound, fmt.Errorf("table %q is not in the pipes file", name))
		return t, nil, nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 400<<10))
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("read the item: %w", err))
		return t, nil, nil, false
	}
	t = s.Tables[i]
	if item, err = itemOf(body); err == nil {
		if err = typeKeys(t, item); err == nil {
			key, err = keyOf(t, item)
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return t, nil, nil, false
	}
	return t, item, key, true
}

func (s *Server) cacheGet(w http.ResponseWriter, r *http.Request) {
	cache, key := r.PathValue("cache"), r.URL.Query().Get("key")
	if s.Momento == nil || !slices.Contains(s.caches(), cache) {
		writeError(w, http.StatusNotFound, fmt.Errorf("cache %q is not in the pipes file", cache))
		return
	}
	if key == "" {
		writeError(w, http.StatusBadRequest, errors.New("cache get: the key query parameter is missing"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	value, found, err := s.Momento.Get(ctx, cache, key)
	if err != nil { // the client's errors never hold the API key
		writeError(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"cache": cache, "key": key, "found": found, "value": string(value)})
}

// dynamoDBStatus is the status that answers a DynamoDB error: 400 when DynamoDB refused the
// item (a key of the wrong type, say), else 502.
func dynamoDBStatus(err error) int {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "ValidationException" {
		return http.StatusBadRequest
	}
	return http.StatusBadGateway
}

// dlqMessage is one dead-letter message in GET /api/dlq; Body is the message's JSON (the batch's
// metadata, as Pipes sends it), or its text when it is not JSON.
type dlqMessage struct {
	ID   string `json:"id"`
	Sent int64  `json:"sentTimestamp,omitempty"`
	Body any    `json:"body"`
}

func (s *Server) listDLQ(w http.ResponseWriter, r *http.Request) {
	if s.DeadLetters == nil {
		writeJSON(w, http.StatusOK, map[string]any{"available": false, "queues": []any{}})
		return
	}
	type queueView struct {
		Name     string       `json:"name"`
		Messages []dlqMessage `json:"messages"`
	}
	views := make([]queueView, 0, len(s.Queues))
	for _, q := range s.Queues {
		msgs, err := s.DeadLetters(q.Name)
		if err != nil {
			writeError(w, http.StatusBadGateway, fmt.Errorf("read dead-letter queue %s: %w", q.Name, err))
			return
		}
		v := queueView{Name: q.Name, Messages: make([]dlqMessage, 0, len(msgs))}
		for _, m := range msgs {
			var body any = m.Body
			if json.Valid([]byte(m.Body)) {
				body = json.RawMessage(m.Body)
			}
			v.Messages = append(v.Messages, dlqMessage{ID: m.MessageID, Sent: m.SentTimestamp, Body: body})
		}
		views = append(views, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"available": true, "queues": views})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

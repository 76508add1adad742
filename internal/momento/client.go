package momento

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client speaks Momento's HTTP API, to the embedded server or to the real service. The token
// travels only in the Authorization header and never appears in an error.
type Client struct {
	BaseURL string       // e.g. "https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com"
	Token   string       // the Momento API key
	HTTP    *http.Client // nil => http.DefaultClient; its timeout must outlast a long poll
}

// StatusError is an answer other than the one an operation expects.
type StatusError struct {
	Op     string // "get", "set", "delete", "publish", "subscribe"
	Status int
	Body   string // the start of the answer's body
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("momento %s: status %d: %s", e.Op, e.Status, e.Body)
}

// Get reads a key. It returns found=false and no error on a miss, and an error wrapping
// ErrCacheNotFound when the cache does not exist.
func (c *Client) Get(ctx context.Context, cache, key string) (value []byte, found bool, err error) {
	resp, err := c.do(ctx, "get", http.MethodGet, cachePath(cache), keyQuery(key), nil, "")
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		value, err = io.ReadAll(resp.Body)
		if err != nil {
			return nil, false, fmt.Errorf("momento get: read body: %w", c.redact(err))
		}
		return value, true, nil
	case http.StatusNotFound:
		if err := c.statusError("get", resp); errors.Is(err, ErrCacheNotFound) {
			return nil, false, err
		}
		return nil, false, nil
	}
	return nil, false, c.statusError("get", resp)
}

// Set stores value under key for ttl, rounded up to whole seconds (Momento requires at least
// one second here; it clamps TTLs over 24 h).
func (c *Client) Set(ctx context.Context, cache, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("momento set: ttl %s is not positive", ttl)
	}
	secs := (ttl + time.Second - 1) / time.Second
	q := keyQuery(key)
	q.Set("ttl_seconds", strconv.FormatInt(int64(secs), 10))
	return c.expectNoContent(ctx, "set", http.MethodPut, cachePath(cache), q, value, "application/octet-stream")
}

// Delete removes key; a missing key is not an error.
func (c *Client) Delete(ctx context.Context, cache, key string) error {
	return c.expectNoContent(ctx, "delete", http.MethodDelete, cachePath(cache), keyQuery(key), nil, "")
}

// Publish sends a text message to a topic.
func (c *Client) Publish(ctx context.Context, cache, topic string, text string) error {
	return c.expectNoContent(ctx, "publish", http.MethodPost, topicPath(cache, topic), nil, []byte(text), "text/plain; charset=utf-8")
}

// TopicItem is one element a subscription delivers: a message, or a discontinuity (messages
// missed, or the topic recreated) after which numbering resumes at SequenceNumber within
// SequencePage.
type TopicItem struct {
	SequenceNumber, SequencePage uint64
	Text                         string
	Binary                       []byte
	IsBinary                     bool // the message was published as application/octet-stream
	Discontinuity                bool
	LastSequenceNumber           uint64 // for a discontinuity: the last number before the gap
}

// Subscribe long-polls a topic, starting with the messages published after it starts, and
// calls fn for each item in order. It blocks until ctx is done (returning ctx.Err()), fn
// returns an error (returned as is), or a poll fails (an error, wrapping ErrCacheNotFound for
// a missing cache).
func (c *Client) Subscribe(ctx context.Context, cache, topic string, fn func(TopicItem) error) error {
	var at cursor
	for {
		entries, err := c.poll(ctx, cache, topic, at)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		for _, e := range entries {
			item, ok := e.topicItem()
			if !ok {
				continue
			}
			at = cursor{seq: item.SequenceNumber + 1, page: item.SequencePage}
			if item.Discontinuity {
				at.seq = item.SequenceNumber
			}
			if err := fn(item); err != nil {
				return err
			}
		}
	}
}

// poll makes one long-poll request.
func (c *Client) poll(ctx context.Context, cache, topic string, at cursor) ([]subscribeEntry, error) {
	q := url.Values{}
	q.Set("sequence_number", strconv.FormatUint(at.seq, 10))
	q.Set("sequence_page", strconv.FormatUint(at.page, 10))
	resp, err := c.do(ctx, "subscribe", http.MethodGet, topicPath(cache, topic), q, nil, "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, c.statusError("subscribe", resp)
	}
	var body struct {
		Items []subscribeEntry `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("momento subscribe: decode answer: %w", c.redact(err))
	}
	return body.Items, nil
}

// topicItem converts one answer entry; ok is false for an entry that is neither an item nor a
// discontinuity (skipped, as a newer server's unknown kind would be).
func (e subscribeEntry) topicItem() (TopicItem, bool) {
	if d := e.Discontinuity; d != nil {
		return TopicItem{Discontinuity: true, SequenceNumber: d.NewTopicSequence,
			SequencePage: d.NewSequencePage, LastSequenceNumber: d.LastTopicSequence}, true
	}
	if e.Item == nil {
		return TopicItem{}, false
	}
	it := TopicItem{SequenceNumber: e.Item.TopicSequenceNumber, SequencePage: e.Item.SequencePage}
	switch v := e.Item.Value; {
	case v.Binary != nil:
		it.IsBinary, it.Binary = true, *v.Binary
	case v.Text != nil:
		it.Text = *v.Text
	}
	return it, true
}

// expectNoContent makes a request whose success is 204.
func (c *Client) expectNoContent(ctx context.Context, op, method, path string, q url.Values, body []byte, contentType string) error {
	resp, err := c.do(ctx, op, method, path, q, body, contentType)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return c.statusError(op, resp)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// do sends one request with the token in the Authorization header.
func (c *Client) do(ctx context.Context, op, method, path string, q url.Values, body []byte, contentType string) (*http.Response, error) {
	u := strings.TrimRight(c.BaseURL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("momento %s: build request: %w", op, c.redact(err))
	}
	req.Header.Set("Authorization", c.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("momento %s: %w", op, c.redact(err))
	}
	return resp, nil
}

// statusError reads the start of an unexpected answer's body into a StatusError; a 404 that
// says "Cache Not Found" is wrapped so errors.Is(err, ErrCacheNotFound) holds.
func (c *Client) statusError(op string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	msg := strings.TrimSpace(strings.ToValidUTF8(string(b), "?"))
	if c.Token != "" {
		msg = strings.ReplaceAll(msg, c.Token, "[redacted]")
	}
	se := &StatusError{Op: op, Status: resp.StatusCode, Body: msg}
	if resp.StatusCode == http.StatusNotFound && strings.Contains(strings.ToLower(msg), "cache not found") {
		return fmt.Errorf("%w: %w", ErrCacheNotFound, se)
	}
	return se
}

// redact keeps the token out of an error that might quote it (a BaseURL holding it, an echo).
func (c *Client) redact(err error) error {
	if c.Token == "" || !strings.Contains(err.Error(), c.Token) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), c.Token, "[redacted]"), err: err}
}

// redactedError is an error whose message has the token cut out; Unwrap keeps errors.Is and
// errors.As working on the cause.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func cachePath(cache string) string { return "/cache/" + url.PathEscape(cache) }

func topicPath(cache, topic string) string {
	return "/topics/" + url.PathEscape(cache) + "/" + url.PathEscape(topic)
}

func keyQuery(key string) url.Values {
	q := url.Values{}
	q.Set("key", key)
	return q
}

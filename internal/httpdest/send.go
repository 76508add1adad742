package httpdest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Timeout is the API destination client execution timeout: "If the target endpoint takes longer
// than 5 seconds to respond, EventBridge times out the request".
const Timeout = 5 * time.Second

// maxResponse bounds how much of a response body is kept for logs.
const maxResponse = 64 << 10

// Class is how Pipes treats the outcome of one invocation.
type Class int

const (
	// Succeeded: a 2xx answer.
	Succeeded Class = iota
	// Retryable: 401, 407, 409, 429 or 5xx. Counted against MaximumRetryAttempts.
	Retryable
	// Failed: any other status (1xx, 3xx, 4xx). API destinations do not retry these; Pipes
	// counts them against MaximumRetryAttempts like any customer invocation error.
	Failed
	// Internal: a connection failure (refused, reset, no such host) before any answer: what the
	// Pipes error handling page calls a pipe internal error ("A HTTP connection failure when
	// attempting to invoke the customer target service"), retried until the record expires
	// without counting against MaximumRetryAttempts.
	Internal
	// TimedOut: no answer within the client timeout (5 s). The API destinations page: "EventBridge
	// retries timed out requests up to the maximums that are configured on your retry policy";
	// for pipes, "until the event expires from the source, or the maximum event age or retry
	// attempts configured has reached". Counted against MaximumRetryAttempts.
	TimedOut
)

func (c Class) String() string {
	switch c {
	case Succeeded:
		return "succeeded"
	case Retryable:
		return "retryable"
	case Failed:
		return "failed"
	case TimedOut:
		return "timed out"
	default:
		return "internal"
	}
}

// Result is the answer to one request. Its Header and Body are what the destination answered
// with the connection's secrets written as RedactedValue (answer.go).
type Result struct {
	Class  Class
	Status int // 0 when no answer came back
	Header http.Header
	Body   []byte
	// RetryAfter is the server's Retry-After, when it sent one; negative means stop retrying.
	RetryAfter    time.Duration
	HasRetryAfter bool
	Err           error // the transport error for Internal and TimedOut; nil otherwise
	Duration      time.Duration
}

// Classify maps an HTTP status to its Class, following the current API destination docs:
// "Retries events associated with error codes 401, 407, 409, 429, and 5xx".
func Classify(status int) Class {
	switch {
	case status >= 200 && status < 300:
		return Succeeded
	case status == 401, status == 407, status == 409, status == 429, status >= 500:
		return Retryable
	default:
		return Failed
	}
}

// Sender sends requests as an API destination does: a 5-second timeout, no redirects followed,
// one connection per request (Connection: close).
type Sender struct {
	Client *http.Client
}

// NewSender returns a Sender with the API destination client settings.
func NewSender() *Sender { return NewSenderTimeout(Timeout) }

// NewSenderTimeout is NewSender with another client timeout than the API destinations' 5
// seconds: tests use it to see a timeout without waiting for one.
func NewSenderTimeout(timeout time.Duration) *Sender {
	return &Sender{Client: &http.Client{
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Send waits for the destination's rate limiter, then sends req. Transport failures come back as
// a Result of class TimedOut (no answer in time) or Internal (no connection), never as an error;
// the error is only the context's.
func (s *Sender) Send(ctx context.Context, dest *Destination, req *Request) (Result, error) {
	if err := dest.limiter.Wait(ctx); err != nil {
		return Result{}, err
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return Result{Class: Failed, Err: fmt.Errorf("build request: %w", err)}, nil
	}
	hr.Header = req.Header.Clone()
	hr.Header.Del("Connection")
	hr.Close = true
	start := time.Now()
	resp, err := s.Client.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		class, err := s.transportError(err)
		return Result{Class: class, Err: err, Duration: time.Since(start)}, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	res := Result{Class: Classify(resp.StatusCode), Status: resp.StatusCode, Header: resp.Header, Body: body, Duration: time.Since(start)}
	res.RetryAfter, res.HasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	dest.answers.redactAnswer(&res)
	return res, nil
}

// transportError classifies a client error and strips the URL from it: the URL may carry a
// token in its query.
func (s *Sender) transportError(err error) (Class, error) {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return TimedOut, fmt.Errorf("timeout: no response within %s", s.Client.Timeout)
	}
	return Internal, err
}

// parseRetryAfter reads delay-seconds (possibly negative) or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

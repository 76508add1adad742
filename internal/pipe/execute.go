package pipe

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/stream"
	"github.com/pipesim/pipesim/internal/template"
)

// execution is one attempt to deliver a batch: transformation, then the target invocation.
type execution struct {
	id      string
	batch   stream.Batch
	body    []byte
	request *httpdest.Request
	result  httpdest.Result
	class   httpdest.Class
	err     error         // nil when the execution succeeded
	attempt int           // 1 for the batch's first execution
	delay   time.Duration // before the next attempt, when this one is retried

	// The request and the ID's bytes live in the execution: one allocation for the three.
	req     httpdest.Request
	idBytes [36]byte
}

// cursors carry the template's walk through a batch's first record to the target's $.path
// parameters, when a pipe has both. Pooled rather than kept in the execution, which most
// pipes would pay for without using.
var cursors = sync.Pool{New: func() any { return new(template.Cursor) }}

// newExecution starts an execution of batch with a new ID.
func newExecution(batch stream.Batch) *execution {
	e := &execution{batch: batch}
	appendID(e.idBytes[:0])
	e.id = unsafe.String(&e.idBytes[0], len(e.idBytes)) // idBytes is never written again
	return e
}

// Execution is what the terminal trace shows of one execution.
type Execution struct {
	ID      string
	Pipe    string
	Records []stream.Record
	Request *httpdest.Request // nil when the transformation failed
	Status  int
	// ResponseBody is what the target answered; nil when no answer came back.
	ResponseBody []byte
	Outcome      string
	Err          error
	// Attempt numbers the executions of the batch from 1 (0 for a record filtered out).
	// MaxAttempts is how many the pipe makes in all (MaximumRetryAttempts + 1), 0 when unlimited.
	Attempt, MaxAttempts int
	// NextDelay is the wait before the next attempt, for OutcomeRetrying.
	NextDelay time.Duration
	// Shard is the batch's shard; Waiting, for OutcomeRetrying, how many records of it are
	// read and queued behind the batch (the stream may hold more).
	Shard   string
	Waiting int

	pipe *config.Pipe // for AbsentPaths
}

// AbsentPaths returns the $.paths of the pipe's template and dynamic HTTP parameters that are
// absent from the execution's records, each once: what rendered as missing, or left a parameter
// empty. It walks the records again, so only a trace that shows the answer asks for it.
func (e Execution) AbsentPaths() []string {
	if e.pipe == nil || e.Outcome == OutcomeFiltered {
		return nil
	}
	var out []string
	add := func(path string) {
		if !slices.Contains(out, path) {
			out = append(out, path)
		}
	}
	for _, rec := range e.Records {
		if t := e.pipe.Template; t != nil {
			for _, p := range t.Absent(rec.JSON) {
				add(p)
			}
		}
	}
	if tg := e.pipe.Target; tg != nil && len(e.Records) > 0 {
		for _, p := range tg.Params() {
			if tp, ok := p.(template.Param); ok && tp.IsPath() {
				if _, found := tp.Resolve(e.Records[0].JSON); !found {
					add(tp.String())
				}
			}
		}
	}
	return out
}

// newID is a random UUID-shaped execution ID.
func newID() string {
	var b [36]byte
	return string(appendID(b[:0]))
}

// appendID appends a random UUID-shaped ID (8-4-4-4-12 hex digits). It needs to be unique, not
// secret, so it comes from the fast per-thread generator rather than crypto/rand.
func appendID(b []byte) []byte {
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], rand.Uint64())
	binary.BigEndian.PutUint64(raw[8:], rand.Uint64())
	b = hex.AppendEncode(b, raw[0:4])
	b = hex.AppendEncode(append(b, '-'), raw[4:6])
	b = hex.AppendEncode(append(b, '-'), raw[6:8])
	b = hex.AppendEncode(append(b, '-'), raw[8:10])
	return hex.AppendEncode(append(b, '-'), raw[10:16])
}

// execute runs the attempt-th execution of the batch (from 1) and logs its steps.
func (r *Runner) execute(ctx context.Context, batch stream.Batch, attempt int) *execution {
	e := newExecution(batch)
	e.attempt = attempt
	lg := r.Log.start(e.id)
	if r.Log != nil { // the payload copy is only for the log
		lg.step("ExecutionStarted", levelInfo, withPayload(batchPayload(batch)))
		lg.step("TargetStageEntered", levelInfo)
	}
	var cur *template.Cursor
	if r.usesCursor(batch.Records[0]) {
		cur = cursors.Get().(*template.Cursor)
		cur.Reset(batch.Records[0].JSON)
		markCursor(cur, batch.Records[0].Marks)
		defer func() {
			cur.Reset(nil) // the pool must not keep the record
			cursors.Put(cur)
		}()
	}
	body, err := r.transform(lg, batch, cur)
	if err != nil {
		e.err, e.class = err, httpdest.Failed
		r.fail(lg, e, "TargetTransformationFailed")
		return e
	}
	e.body = body
	if cur != nil {
		r.Pipe.Target.BuildResolved(&e.req, batch.Records[0].JSON, body, cur)
	} else {
		r.Pipe.Target.BuildInto(&e.req, batch.Records[0].JSON, body)
	}
	e.request = &e.req
	if r.Log != nil {
		lg.step("TargetInvocationStarted", levelTrace, withRequest(e.request))
	}
	res, err := r.Sender.Send(ctx, r.Pipe.Target.Dest, e.request)
	if err != nil { // only the context ends a send with an error
		e.err, e.class = err, httpdest.Internal
		return e
	}
	e.result, e.class = res, res.Class
	if res.Class != httpdest.Succeeded {
		e.err = invocationError(res)
		r.fail(lg, e, "TargetInvocationFailed")
		return e
	}
	if r.Log != nil {
		lg.step("TargetInvocationSucceeded", levelTrace, withRequest(e.request), withResponse(res))
		lg.step("TargetStageSucceeded", levelInfo)
		lg.step("ExecutionSucceeded", levelInfo)
	}
	r.traceExec(e, OutcomeSucceeded)
	return e
}

// usesCursor reports whether the execution of a batch starting with rec resolves its paths
// through a template.Cursor: when the template's walk can lead the target's $.path values, or
// when the record's marks can lead either.
func (r *Runner) usesCursor(rec stream.Record) bool {
	t, paths := r.Pipe.Template != nil, r.Pipe.Target != nil && r.Pipe.Target.ResolvesPaths()
	return t && paths || rec.Marks.DynamoDB > 0 && (t || paths)
}

// The paths stream.Marks give the positions of.
var (
	markEventName = mustParam("$.eventName")
	markKeys      = mustParam("$.dynamodb.Keys")
	markNewImage  = mustParam("$.dynamodb.NewImage")
	markOldImage  = mustParam("$.dynamodb.OldImage")
)

func mustParam(path string) template.Param {
	p, err := template.CompileParam(path)
	if err != nil {
		panic(err)
	}
	return p
}

// markCursor tells cur where the record's marked values are.
func markCursor(cur *template.Cursor, m stream.Marks) {
	if m.EventName > 0 {
		cur.Mark(markEventName, int(m.EventName))
	}
	if m.DynamoDB <= 0 {
		return
	}
	for _, mk := range [...]struct {
		p   template.Param
		pos int32
	}{{markKeys, m.Keys}, {markNewImage, m.NewImage}, {markOldImage, m.OldImage}} {
		if mk.pos > 0 {
			cur.Mark(mk.p, int(m.DynamoDB), int(mk.pos))
		}
	}
}

// transform renders the input template over each record; without a template the record itself
// is the body. Batch size 1 sends the single object, never an array ("Pipes unwraps the single
// element" for targets without a batch API); a larger batch sends the JSON array. The first
// record is rendered through cur when it is not nil (bound to that record).
func (r *Runner) transform(lg *execLogger, batch stream.Batch, cur *template.Cursor) ([]byte, error) {
	t := r.Pipe.Template
	if t != nil {
		lg.step("TargetTransformationStarted", levelTrace)
	}
	var body []byte
	if len(batch.Records) > 1 {
		body = append(body, '[')
	}
	var vars template.Vars
	if t != nil {
		vars = r.vars(t)
	}
	for i, rec := range batch.Records {
		if i > 0 {
			body = append(body, ',')
		}
		if t == nil {
			body = append(body, rec.JSON...)
			continue
		}
		var err error
		if i == 0 && cur != nil {
			body, err = t.RenderCursor(body, cur, &vars)
		} else {
			body, err = t.Render(body, rec.JSON, &vars)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: record %s: %v", errTransform, rec.EventID, err)
		}
	}
	if len(batch.Records) > 1 {
		body = append(body, ']')
	}
	if t != nil && r.Log != nil {
		lg.step("TargetTransformationSucceeded", levelTrace, withPayload(body))
	}
	return body, nil
}

func invocationError(res httpdest.Result) error {
	if res.Err != nil {
		return fmt.Errorf("target invocation failed: %w", res.Err)
	}
	return fmt.Errorf("target invocation failed with HTTP status %d", res.Status)
}

// fail logs the failed step and the failure of the stage and execution.
func (r *Runner) fail(lg *execLogger, e *execution, stepType string) {
	errInfo := logError{Message: e.err.Error(), HTTPStatusCode: e.result.Status, AWSService: "events", ResourceARN: r.Pipe.TargetARN}
	if e.request != nil {
		lg.step(stepType, levelError, withRequest(e.request), withResponse(e.result), withError(errInfo))
	} else {
		lg.step(stepType, levelError, withError(errInfo))
	}
	lg.step("TargetStageFailed", levelError, withError(errInfo))
	lg.step("ExecutionFailed", levelError, withError(errInfo))
}

func (r *Runner) traceExec(e *execution, outcome string) {
	if r.Trace == nil {
		return
	}
	x := Execution{ID: e.id, Pipe: r.Pipe.Name, Records: e.batch.Records, Request: e.request,
		Status: e.result.Status, ResponseBody: e.result.Body, Outcome: outcome, Err: e.err,
		Attempt: e.attempt, NextDelay: e.delay, Shard: e.batch.ShardID, pipe: r.Pipe}
	if r.Pipe.Stream.MaxRetries >= 0 {
		x.MaxAttempts = r.Pipe.Stream.MaxRetries + 1
	}
	if outcome == OutcomeRetrying && r.waiting != nil {
		x.Waiting = r.waiting(e.batch.ShardID)
	}
	r.Trace(x)
}

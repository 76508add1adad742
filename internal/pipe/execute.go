package pipe

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/stream"
	"github.com/pipesim/pipesim/internal/template"
)

// execution is one attempt to deliver a batch: transformation, then the target invocation.
type execution struct {
	id      ExecutionID
	batch   stream.Batch
	body    []byte
	request *httpdest.Request
	result  httpdest.Result
	class   httpdest.Class
	err     error         // nil when the execution succeeded
	attempt int           // 1 for the batch's first execution
	delay   time.Duration // before the next attempt, when this one is retried

	// The request lives in the execution: one allocation for both.
	req httpdest.Request
}

// newExecution starts an execution of batch with a new ID.
func newExecution(batch stream.Batch) *execution {
	e := &execution{batch: batch}
	appendID(e.id[:0])
	return e
}

// ExecutionID is an execution's UUID-shaped ID, kept as its bytes: most executions are never
// logged, and need no string of it.
type ExecutionID [36]byte

// String is the ID as logs and pages show it; "" for the zero ID (no execution).
func (id ExecutionID) String() string {
	if id == (ExecutionID{}) {
		return ""
	}
	return string(id[:])
}

// Execution is what the terminal trace shows of one execution.
type Execution struct {
	ID      ExecutionID
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
			for _, p := range t.Absent(rec.Doc) {
				add(p)
			}
		}
	}
	if tg := e.pipe.Target; tg != nil && len(e.Records) > 0 {
		for _, p := range tg.Params() {
			if tp, ok := p.(template.Param); ok && tp.IsPath() {
				if _, found := tp.Resolve(e.Records[0].Doc); !found {
					add(tp.String())
				}
			}
		}
	}
	return out
}

// newID is a random UUID-shaped execution ID.
func newID() ExecutionID {
	var id ExecutionID
	appendID(id[:0])
	return id
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
	body, err := r.transform(lg, batch)
	if err != nil {
		e.err, e.class = err, httpdest.Failed
		r.fail(lg, e, "TargetTransformationFailed")
		return e
	}
	e.body = body
	// The first record's Doc holds what the template found in it: the target's $.path values
	// start from there.
	r.Pipe.Target.Build(&e.req, batch.Records[0].Doc, body)
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

// transform renders the input template over each record, through its Doc; without a template the
// record itself is the body. Batch size 1 sends the single object, never an array ("Pipes unwraps
// the single element" for targets without a batch API); a larger batch sends the JSON array.
func (r *Runner) transform(lg *execLogger, batch stream.Batch) ([]byte, error) {
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
			body = append(body, rec.Doc.Bytes()...)
			continue
		}
		var err error
		body, err = t.Render(body, rec.Doc, &vars)
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

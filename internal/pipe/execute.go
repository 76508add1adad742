package pipe

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/stream"
)

// execution is one attempt to deliver a batch: transformation, then the target invocation.
type execution struct {
	id      string
	batch   stream.Batch
	body    []byte
	request *httpdest.Request
	result  httpdest.Result
	class   httpdest.Class
	err     error // nil when the execution succeeded
}

// Execution is what the terminal trace shows of one execution.
type Execution struct {
	ID      string
	Pipe    string
	Records []stream.Record
	Request *httpdest.Request // nil when the transformation failed
	Status  int
	Outcome string
	Err     error
}

// newID is a random UUID-shaped execution ID. It needs to be unique, not secret, so it comes
// from the fast per-thread generator rather than crypto/rand.
func newID() string {
	const hex = "0123456789abcdef"
	var b [36]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	j := 0
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[j] = '-'
			j++
		}
		w := hi
		if i >= 16 {
			w = lo
		}
		b[j] = hex[(w>>(60-4*(i%16)))&15]
		j++
	}
	return string(b[:])
}

// execute runs one execution of the batch and logs its steps.
func (r *Runner) execute(ctx context.Context, batch stream.Batch) *execution {
	e := &execution{id: newID(), batch: batch}
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
	e.request = r.Pipe.Target.Build(batch.Records[0].JSON, body)
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

// transform renders the input template over each record; without a template the record itself
// is the body. Batch size 1 sends the single object, never an array ("Pipes unwraps the single
// element" for targets without a batch API); a larger batch sends the JSON array.
func (r *Runner) transform(lg *execLogger, batch stream.Batch) ([]byte, error) {
	t := r.Pipe.Template
	if t != nil {
		lg.step("TargetTransformationStarted", levelTrace)
	}
	var body []byte
	if len(batch.Records) > 1 {
		body = append(body, '[')
	}
	vars := r.vars()
	for i, rec := range batch.Records {
		if i > 0 {
			body = append(body, ',')
		}
		if t == nil {
			body = append(body, rec.JSON...)
			continue
		}
		var err error
		if body, err = t.Render(body, rec.JSON, vars); err != nil {
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
	r.Trace(Execution{ID: e.id, Pipe: r.Pipe.Name, Records: e.batch.Records, Request: e.request,
		Status: e.result.Status, Outcome: outcome, Err: e.err})
}

package pipe

import "fmt"

// NotDeliveredError is why a runner stopped before the end of its input: a batch failed
// Options.MaxAttempts times and the pipe's settings would have retried it again. The batch and
// every record after it were not delivered (nor dead-lettered: AWS would still be retrying).
type NotDeliveredError struct {
	Pipe     string
	Attempts int
	Records  int // in the batch given up
	Cause    error
}

func (e *NotDeliveredError) Error() string {
	return fmt.Sprintf("pipe %q: stopped after %d attempt(s) at a batch of %d record(s), the last %v: the batch and the records after it were not delivered",
		e.Pipe, e.Attempts, e.Records, e.Cause)
}

func (e *NotDeliveredError) Unwrap() error { return e.Cause }

// stopNotDelivered stops the runner after the last failed execution of a batch: the first
// batch to get there gives the reason, and cancelling the runner's context stops every lane
// (their batches are not acknowledged).
func (r *Runner) stopNotDelivered(exec *execution, attempts int) {
	r.traceExec(exec, OutcomeNotDelivered)
	r.halted.CompareAndSwap(nil, &NotDeliveredError{Pipe: r.Pipe.Name, Attempts: attempts, Records: len(exec.batch.Records), Cause: exec.err})
	r.Logger.Error("pipe stopped: a batch was not delivered", "pipe", r.Pipe.Name, "attempts", attempts, "err", exec.err)
	if r.halt != nil {
		r.halt()
	}
}

package pipe

import (
	"fmt"
	"strings"

	"github.com/pipesim/pipesim/internal/httpdest"
)

// What pipesim does not model of a failing target, said where users look. EventBridge Pipes
// "will gradually back off" its polling when a target keeps failing and, for "nearly continuous
// 4xx errors", "the pipe can be automatically disabled with an explanatory message in the
// StateReason" (eb-pipes-error-troubleshooting). AWS publishes neither the pace nor the threshold,
// so pipesim keeps retrying as the retry policy says (with MaximumRetryAttempts -1, the default,
// until the record is older than MaximumRecordAgeInSeconds: with -1 there too, forever) while the
// shard waits. A batch that keeps failing the same way gets a warning on pipesim's log saying so.

// defaultSameFailures is Options.SameFailures' default: with the default backoff, five failures
// take from a few seconds to about a minute.
const defaultSameFailures = 5

// failureRun counts the executions of one batch in a row that failed the same way: the same
// class and the same status.
type failureRun struct {
	class  httpdest.Class
	status int
	n      int
}

// add records a failed execution and reports whether the run has just reached threshold, or
// doubled since (threshold, 2×, 4×, …: a batch stuck for hours warns a few times, not at every
// retry). A threshold below 1 never reports.
func (f *failureRun) add(exec *execution, threshold int) bool {
	if f.n > 0 && exec.class == f.class && exec.result.Status == f.status {
		f.n++
	} else {
		*f = failureRun{class: exec.class, status: exec.result.Status, n: 1}
	}
	if threshold < 1 || f.n < threshold || f.n%threshold != 0 {
		return false
	}
	k := f.n / threshold
	return k&(k-1) == 0
}

// warnSameFailures tells the terminal that the batch keeps failing the same way, what pipesim
// will do about it and what Pipes would do that pipesim does not.
func (r *Runner) warnSameFailures(exec *execution, run failureRun) {
	r.Logger.Warn(sameFailuresMessage(r.Pipe.Stream.MaxRetries, r.Pipe.Stream.MaxRecordAge < 0, run),
		"pipe", r.Pipe.Name, "shard", exec.batch.ShardID, "failures", run.n, "err", exec.err)
}

// sameFailuresMessage words the warning for a run of failures; maxRetries is MaximumRetryAttempts
// and forever says whether MaximumRecordAgeInSeconds is -1.
func sameFailuresMessage(maxRetries int, forever bool, run failureRun) string {
	var b strings.Builder
	how := run.class.String()
	if run.status != 0 {
		how = fmt.Sprintf("status %d", run.status)
	}
	fmt.Fprintf(&b, "batch has failed the same way (%s) %d times in a row; its shard waits for it. ", how, run.n)
	age := "until a record is older than MaximumRecordAgeInSeconds"
	if forever {
		age = "forever (MaximumRecordAgeInSeconds -1)"
	}
	switch {
	case run.class == httpdest.Internal:
		fmt.Fprintf(&b, "Connection failures do not count against MaximumRetryAttempts: pipesim retries %s. ", age)
	case maxRetries < 0:
		fmt.Fprintf(&b, "MaximumRetryAttempts is -1: pipesim retries %s. ", age)
	default:
		fmt.Fprintf(&b, "pipesim retries up to MaximumRetryAttempts (%d), then dead-letters the batch. ", maxRetries)
	}
	b.WriteString("EventBridge Pipes would also slow its polling")
	if run.status >= 400 && run.status < 500 {
		b.WriteString(" and, with nearly continuous 4xx answers, may disable the pipe (its StateReason says why)")
	}
	b.WriteString("; pipesim does not model that (docs/fidelity.md)")
	return b.String()
}

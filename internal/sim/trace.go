package sim

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/pipesim/pipesim/internal/pipe"
)

// Tracer prints a readable line per execution: the record, the request, the status and the
// outcome. Secrets never appear: the request line carries no headers.
type Tracer struct {
	w io.Writer
}

// NewTracer writes to w, one Write a line. Pipes trace from many goroutines, and the command
// writes its own lines beside them: w must be safe for concurrent use, and shared with those
// (a term.Writer is).
func NewTracer(w io.Writer) *Tracer { return &Tracer{w: w} }

// Trace prints one execution, in one Write.
func (t *Tracer) Trace(e pipe.Execution) {
	t.w.Write([]byte(FormatExecution(e) + "\n"))
}

// FormatExecution renders one execution as a single line.
func FormatExecution(e pipe.Execution) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", time.Now().Format("15:04:05.000"), e.Pipe, describeRecords(e))
	if e.Outcome == pipe.OutcomeFiltered {
		b.WriteString(" -> filtered out (no execution)")
		return b.String()
	}
	if e.Request != nil {
		fmt.Fprintf(&b, " -> %s %s", e.Request.Method, e.Request.RedactedURL())
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " -> %d", e.Status)
	}
	fmt.Fprintf(&b, " %s", e.Outcome)
	if e.Err != nil && e.Outcome != pipe.OutcomeSucceeded {
		fmt.Fprintf(&b, " (%v)", e.Err)
	}
	return b.String()
}

func describeRecords(e pipe.Execution) string {
	if len(e.Records) == 0 {
		return "(no records)"
	}
	r := e.Records[0]
	keys := gjson.GetBytes(r.JSON, "dynamodb.Keys").Raw
	s := fmt.Sprintf("%s %s", r.EventName, keys)
	if len(e.Records) > 1 {
		s += fmt.Sprintf(" (+%d more)", len(e.Records)-1)
	}
	return s
}

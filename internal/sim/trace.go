package sim

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/term"
)

// Tracer prints a readable line per execution: the record, the request, the status and the
// outcome, what a retry waits for, and the template paths the record lacked. Verbose adds the
// request's headers and body and the response's body on the lines below. Secrets never appear:
// headers, URLs and bodies are the request's redacted forms.
type Tracer struct {
	w       io.Writer
	Verbose bool
	// Colour paints the outcomes: succeeded green, retrying yellow, dead-lettered, dropped and
	// not delivered red, filtered out faint.
	Colour bool
	now    func() time.Time
}

// NewTracer writes to w, one Write an execution. Pipes trace from many goroutines, and the
// command writes its own lines beside them: w must be safe for concurrent use, and shared with
// those (a term.Writer is).
func NewTracer(w io.Writer) *Tracer { return &Tracer{w: w, now: time.Now} }

// Trace prints one execution (with Verbose, its detail lines too), in one Write.
func (t *Tracer) Trace(e pipe.Execution) {
	s := formatExecution(t.now(), e, t.Colour) + "\n"
	if t.Verbose {
		s += FormatDetail(e)
	}
	io.WriteString(t.w, s)
}

// FormatExecution renders one execution as a single line.
func FormatExecution(e pipe.Execution) string { return formatExecution(time.Now(), e, false) }

// outcomeColours are the outcomes' colours on a terminal.
var outcomeColours = map[string]string{pipe.OutcomeSucceeded: term.Green, pipe.OutcomeRetrying: term.Yellow,
	pipe.OutcomeDeadLettered: term.Red, pipe.OutcomeDropped: term.Red, pipe.OutcomeNotDelivered: term.Red, pipe.OutcomeFiltered: term.Faint}

func formatExecution(now time.Time, e pipe.Execution, colour bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", now.Format("15:04:05.000"), e.Pipe, describeRecords(e))
	if e.Outcome == pipe.OutcomeFiltered {
		b.WriteString(" -> " + term.Paint(colour, term.Faint, "filtered out (no execution)"))
		return b.String()
	}
	if e.Request != nil {
		fmt.Fprintf(&b, " -> %s %s", e.Request.Method, shownURL(e.Request))
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " -> %d", e.Status)
	}
	fmt.Fprintf(&b, " %s", term.Paint(colour, outcomeColours[e.Outcome], e.Outcome))
	var why []string
	if e.Err != nil && e.Outcome != pipe.OutcomeSucceeded {
		why = append(why, e.Err.Error())
	}
	switch e.Outcome {
	case pipe.OutcomeRetrying:
		why = append(why, retryNote(e))
	case pipe.OutcomeDeadLettered, pipe.OutcomeDropped:
		if e.Attempt > 1 {
			why = append(why, fmt.Sprintf("after %d attempts", e.Attempt))
		}
	}
	if len(why) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(why, "; "))
	}
	if absent := e.AbsentPaths(); len(absent) > 0 {
		fmt.Fprintf(&b, " [absent from the record: %s]", strings.Join(absent, ", "))
	}
	return b.String()
}

// retryNote says which attempt failed, when the next comes, and what waits behind the batch.
func retryNote(e pipe.Execution) string {
	attempt := fmt.Sprintf("attempt %d", e.Attempt)
	if e.MaxAttempts > 0 && e.Attempt <= e.MaxAttempts {
		attempt += fmt.Sprintf(" of %d", e.MaxAttempts)
	}
	waiting := fmt.Sprintf("%d records wait", e.Waiting)
	if e.Waiting == 1 {
		waiting = "1 record waits"
	}
	return fmt.Sprintf("%s, next in %s; %s behind it on shard %s", attempt, e.NextDelay.Round(time.Millisecond), waiting, e.Shard)
}

// keysPath is where a record's Keys are.
var keysPath = rawjson.KeyPath("dynamodb", "Keys")

func describeRecords(e pipe.Execution) string {
	if len(e.Records) == 0 {
		return "(no records)"
	}
	r := e.Records[0]
	var keys []byte
	if start, end, st := r.Doc.Find(keysPath); st == rawjson.Found {
		keys = r.Doc.Bytes()[start:end]
	}
	s := fmt.Sprintf("%s %s", r.EventName, keys)
	if len(e.Records) > 1 {
		s += fmt.Sprintf(" (+%d more)", len(e.Records)-1)
	}
	return s
}

// maxBodyShown bounds a body in the verbose trace; the rest is counted.
const maxBodyShown = 16 << 10

// FormatDetail renders what -v adds below an execution's line: the request's headers and body
// (redacted) and the response's status and body, each line indented.
func FormatDetail(e pipe.Execution) string {
	if e.Outcome == pipe.OutcomeFiltered {
		return ""
	}
	var b strings.Builder
	if r := e.Request; r != nil {
		fmt.Fprintf(&b, "    request headers: %s\n", formatHeader(shownHeader(r)))
		fmt.Fprintf(&b, "    request body: %s\n", indentBody(shownBody(r)))
	}
	switch {
	case e.Status != 0:
		fmt.Fprintf(&b, "    response: %d %s, body: %s\n", e.Status, http.StatusText(e.Status), indentBody(e.ResponseBody))
	case e.Request != nil:
		b.WriteString("    response: none\n")
	}
	return b.String()
}

// formatHeader writes headers as "Name: value; Name: value", names in order.
func formatHeader(h http.Header) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			parts = append(parts, k+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

// indentBody is a body as the trace shows it: "(empty)", or its text with continuation lines
// indented under it, cut at maxBodyShown bytes.
func indentBody(body []byte) string {
	if len(body) == 0 {
		return "(empty)"
	}
	more := ""
	if len(body) > maxBodyShown {
		more = fmt.Sprintf(" ... (%d bytes more)", len(body)-maxBodyShown)
		body = body[:maxBodyShown]
	}
	return strings.ReplaceAll(strings.TrimRight(string(body), "\n"), "\n", "\n      ") + more
}

// The request's redacted forms: what a trace may print.
func shownURL(r *httpdest.Request) string         { return r.RedactedURL() }
func shownBody(r *httpdest.Request) []byte        { return r.RedactedBody() }
func shownHeader(r *httpdest.Request) http.Header { return r.RedactedHeader() }

package replay

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/jsonstr"
	"github.com/pipesim/pipesim/internal/pipe"
)

// Redacted replaces secret header values in dry-run output.
const Redacted = httpdest.RedactedValue

// dryRunOutput writes the pipes' would-be requests as JSON Lines in an order that does not depend
// on timing: chunk by chunk of input records, and within a chunk pipe by pipe in pipes-file
// order, each pipe's requests in the order it made them.
type dryRunOutput struct {
	mu      sync.Mutex
	w       io.Writer
	pipes   int
	next    int
	pending map[int]*pendingChunk
	err     error
	onFail  func() // stops the replay when the output cannot be written
	free    sync.Pool
}

type pendingChunk struct {
	bufs [][]byte
	n    int
}

func newDryRunOutput(w io.Writer, pipes int, onFail func()) *dryRunOutput {
	return &dryRunOutput{w: w, pipes: pipes, pending: map[int]*pendingChunk{}, onFail: onFail}
}

// put hands over pipe's output for chunk seq and writes every chunk that is complete.
func (o *dryRunOutput) put(seq, pipe int, buf []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p := o.pending[seq]
	if p == nil {
		p = &pendingChunk{bufs: make([][]byte, o.pipes)}
		o.pending[seq] = p
	}
	p.bufs[pipe] = buf
	p.n++
	for p := o.pending[o.next]; p != nil && p.n == o.pipes; p = o.pending[o.next] {
		o.write(p)
		delete(o.pending, o.next)
		o.next++
	}
}

func (o *dryRunOutput) write(p *pendingChunk) {
	for _, b := range p.bufs {
		if len(b) > 0 && o.err == nil {
			if _, o.err = o.w.Write(b); o.err != nil && o.onFail != nil {
				o.onFail()
			}
		}
		if cap(b) > 0 {
			o.free.Put(b[:0]) //nolint:staticcheck // a slice header is small next to its array
		}
	}
}

// buffer is a recycled output buffer, or nil.
func (o *dryRunOutput) buffer() []byte {
	if b, ok := o.free.Get().([]byte); ok {
		return b
	}
	return nil
}

// finish writes what is left, in chunk order, then each pipe's unfinished output.
func (o *dryRunOutput) finish(rest [][]byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	seqs := make([]int, 0, len(o.pending))
	for seq := range o.pending {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	for _, seq := range seqs {
		o.write(o.pending[seq])
	}
	o.write(&pendingChunk{bufs: rest})
	return o.err
}

// dryRunPipe is one pipe's side of a dry run: its Send answers 200 at once, and its trace writes
// each succeeded execution's request into the output of the chunk its record came from, so the
// output does not depend on which goroutine delivered what when.
type dryRunPipe struct {
	out   *dryRunOutput
	pipe  int
	quote []byte // the pipe's name as a JSON string
	src   *Source

	mu sync.Mutex
	// A target without header parameters shares one header map between its requests: its
	// rendering is kept.
	lastHeader   http.Header
	lastRendered []byte
	// A target whose URL does not vary shares one URL string between its requests: its JSON
	// string is kept too.
	lastURL     string
	lastURLJSON []byte
	orphans     []byte // requests whose chunk was already done (cannot happen in order)
}

// Send answers 200 without sending; it never blocks.
func (d *dryRunPipe) Send(context.Context, *httpdest.Destination, *httpdest.Request) (httpdest.Result, error) {
	return httpdest.Result{Class: httpdest.Succeeded, Status: 200}, nil
}

// trace writes the request of a delivered execution.
func (d *dryRunPipe) trace(e pipe.Execution) {
	if e.Request == nil || e.Outcome != pipe.OutcomeSucceeded || len(e.Records) == 0 {
		return
	}
	req := e.Request
	url := req.RedactedURL()
	c := d.src.chunkOf(e.Records[0])
	d.mu.Lock()
	defer d.mu.Unlock()
	if !sameMap(req.Header, d.lastHeader) {
		d.lastHeader, d.lastRendered = req.Header, appendHeaders(d.lastRendered[:0], req)
	}
	if !sameString(url, d.lastURL) {
		d.lastURL, d.lastURLJSON = url, jsonstr.Append(d.lastURLJSON[:0], url)
	}
	if c == nil {
		d.orphans = d.appendRequest(d.orphans, req)
		return
	}
	if c.out == nil {
		if c.out = d.out.buffer(); c.out == nil {
			c.out = make([]byte, 0, len(c.records)*(len(url)+len(req.Body)+len(d.lastRendered)+64))
		}
	}
	c.out = d.appendRequest(c.out, req)
}

// appendRequest is AppendRequest with the pipe's name, headers and URL already written as JSON.
func (d *dryRunPipe) appendRequest(b []byte, req *httpdest.Request) []byte {
	return appendRequestJSON(b, d.quote, req, d.lastURLJSON, d.lastRendered)
}

func (d *dryRunPipe) chunkDone(seq int, out []byte) {
	d.out.put(seq, d.pipe, out)
}

// rest is what the pipe wrote that no finished chunk took: chunks cut short by a cancellation.
func (d *dryRunPipe) rest() []byte {
	d.src.mu.Lock()
	active := slices.Clone(d.src.active)
	d.src.mu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	var b []byte
	for _, c := range active {
		b = append(b, c.out...)
	}
	return append(b, d.orphans...)
}

// sameString reports whether a and b are the same string (not merely equal): comparing URLs
// that differ in their last bytes would cost as much as writing them.
func sameString(a, b string) bool {
	return len(a) > 0 && len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// sameMap reports whether a and b are the same map (not merely equal).
func sameMap(a, b http.Header) bool {
	return a != nil && b != nil && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// AppendRequest appends one dry-run line, {"pipe", "method", "url", "headers", "body"}, with
// headers in name order, the request's redacted URL, headers and body (secret values written as
// Redacted when the request was built), and the body as a JSON string of its exact bytes.
// pipeJSON is the pipe's name already quoted as JSON.
func AppendRequest(b, pipeJSON []byte, req *httpdest.Request) []byte {
	return appendRequestJSON(b, pipeJSON, req, jsonstr.Append(nil, req.RedactedURL()), appendHeaders(nil, req))
}

func appendRequestJSON(b, pipeJSON []byte, req *httpdest.Request, urlJSON, headers []byte) []byte {
	b = append(b, `{"pipe":`...)
	b = append(b, pipeJSON...)
	b = append(b, `,"method":`...)
	b = jsonstr.Append(b, req.Method)
	b = append(b, `,"url":`...)
	b = append(b, urlJSON...)
	b = append(b, `,"headers":`...)
	b = append(b, headers...)
	b = append(b, `,"body":`...)
	b = jsonstr.Append(b, unsafeString(req.RedactedBody()))
	return append(b, '}', '\n')
}

// appendHeaders writes the headers as a JSON object, names in order, secrets redacted.
func appendHeaders(b []byte, req *httpdest.Request) []byte {
	b = append(b, '{')
	var names [16]string
	keys := names[:0]
	for k := range req.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, k)
		b = append(b, ':')
		if req.IsSecret(k) {
			b = jsonstr.Append(b, Redacted)
		} else {
			b = jsonstr.Append(b, strings.Join(req.Header[k], ", "))
		}
	}
	return append(b, '}')
}

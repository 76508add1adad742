package replay

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/rawjson"
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
			//lint:ignore SA6002 a slice header is small next to the array it keeps for reuse
			o.free.Put(b[:0])
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
	// sameURL and sameHeader: every request of the pipe's target has the same URL, the same
	// headers (httpdest.Target.Static), which are then written as JSON once, from the first
	// request, into urlJSON and headerJSON.
	sameURL, sameHeader bool

	mu                  sync.Mutex
	urlJSON, headerJSON []byte
	orphans             []byte // requests whose chunk was already done (cannot happen in order)
}

func newDryRunPipe(out *dryRunOutput, i int, p *config.Pipe, src *Source) *dryRunPipe {
	d := &dryRunPipe{out: out, pipe: i, quote: rawjson.AppendString(nil, p.Name, rawjson.Output), src: src}
	d.sameURL, d.sameHeader = p.Target.Static()
	return d
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
	c := d.src.chunkOf(e.Records[0])
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sameURL && d.urlJSON == nil {
		d.urlJSON = rawjson.AppendString(nil, req.RedactedURL(), rawjson.Output)
	}
	if d.sameHeader && d.headerJSON == nil {
		d.headerJSON = appendHeaders(nil, req) // the request knows which headers are secret
	}
	if c == nil {
		d.orphans = d.appendRequest(d.orphans, req)
		return
	}
	if c.out == nil {
		if c.out = d.out.buffer(); c.out == nil {
			c.out = make([]byte, 0, len(c.records)*(len(req.URL)+len(req.Body)+len(d.headerJSON)+64))
		}
	}
	c.out = d.appendRequest(c.out, req)
}

// appendRequest is AppendRequest with the pipe's name already written as JSON, and its URL and
// headers when they are the same for every request. d.mu is held.
func (d *dryRunPipe) appendRequest(b []byte, req *httpdest.Request) []byte {
	return appendRequestJSON(b, d.quote, req, d.urlJSON, d.headerJSON)
}

func (d *dryRunPipe) chunkDone(seq int, out []byte) {
	d.out.put(seq, d.pipe, out)
}

// rest is what the pipe wrote that no finished chunk took: chunks cut short by a cancellation.
func (d *dryRunPipe) rest() []byte {
	b := d.src.activeOut()
	d.mu.Lock()
	defer d.mu.Unlock()
	return append(b, d.orphans...)
}

// AppendRequest appends one dry-run line, {"pipe", "method", "url", "headers", "body"}, with
// headers in name order, the request's redacted URL, headers and body (secret values written as
// Redacted when the request was built), and the body as a JSON string of its exact bytes.
// pipeJSON is the pipe's name already quoted as JSON.
func AppendRequest(b, pipeJSON []byte, req *httpdest.Request) []byte {
	return appendRequestJSON(b, pipeJSON, req, nil, nil)
}

// appendRequestJSON is AppendRequest with the URL and headers already written as JSON, when not
// nil.
func appendRequestJSON(b, pipeJSON []byte, req *httpdest.Request, urlJSON, headers []byte) []byte {
	b = append(b, `{"pipe":`...)
	b = append(b, pipeJSON...)
	b = append(b, `,"method":`...)
	b = rawjson.AppendString(b, req.Method, rawjson.Output)
	b = append(b, `,"url":`...)
	if urlJSON != nil {
		b = append(b, urlJSON...)
	} else {
		b = rawjson.AppendString(b, req.RedactedURL(), rawjson.Output)
	}
	b = append(b, `,"headers":`...)
	if headers != nil {
		b = append(b, headers...)
	} else {
		b = appendHeaders(b, req)
	}
	b = append(b, `,"body":`...)
	b = rawjson.AppendBytes(b, req.RedactedBody(), rawjson.Output)
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
		b = rawjson.AppendString(b, k, rawjson.Output)
		b = append(b, ':')
		if req.IsSecret(k) {
			b = rawjson.AppendString(b, Redacted, rawjson.Output)
		} else {
			b = rawjson.AppendString(b, strings.Join(req.Header[k], ", "), rawjson.Output)
		}
	}
	return append(b, '}')
}

package replay

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pipesim/pipesim/internal/httpdest"
)

// Redacted replaces secret header values in dry-run output.
const Redacted = "********"

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
	free    [][]byte
}

type pendingChunk struct {
	bufs [][]byte
	n    int
}

func newDryRunOutput(w io.Writer, pipes int, onFail func()) *dryRunOutput {
	return &dryRunOutput{w: w, pipes: pipes, pending: map[int]*pendingChunk{}, onFail: onFail}
}

// put hands over pipe's output for chunk seq and writes every chunk that is complete.
func (o *dryRunOutput) put(seq, pipe int, buf []byte) []byte {
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
	return o.buffer()
}

func (o *dryRunOutput) write(p *pendingChunk) {
	for _, b := range p.bufs {
		if len(b) > 0 && o.err == nil {
			if _, o.err = o.w.Write(b); o.err != nil && o.onFail != nil {
				o.onFail()
			}
		}
		if b != nil {
			o.free = append(o.free, b[:0])
		}
	}
}

func (o *dryRunOutput) buffer() []byte {
	if n := len(o.free); n > 0 {
		b := o.free[n-1]
		o.free = o.free[:n-1]
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

// dryRunSender is one pipe's pipe.Sender in a dry run: it records the request and answers 200.
type dryRunSender struct {
	out   *dryRunOutput
	pipe  int
	quote []byte // the pipe's name as a JSON string
	buf   []byte
}

// Send appends the request to the pipe's output; it never blocks.
func (d *dryRunSender) Send(_ context.Context, _ *httpdest.Destination, req *httpdest.Request) (httpdest.Result, error) {
	d.buf = AppendRequest(d.buf, d.quote, req)
	return httpdest.Result{Class: httpdest.Succeeded, Status: 200}, nil
}

func (d *dryRunSender) chunkDone(seq int) {
	d.buf = d.out.put(seq, d.pipe, d.buf)
}

// AppendRequest appends one dry-run line, {"pipe", "method", "url", "headers", "body"}, with
// headers in name order, secret values replaced by Redacted and the body as a JSON string of its
// exact bytes. pipeJSON is the pipe's name already quoted as JSON.
func AppendRequest(b, pipeJSON []byte, req *httpdest.Request) []byte {
	b = append(b, `{"pipe":`...)
	b = append(b, pipeJSON...)
	b = append(b, `,"method":`...)
	b = appendString(b, req.Method)
	b = append(b, `,"url":`...)
	b = appendString(b, req.URL)
	b = append(b, `,"headers":{`...)
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
		b = appendString(b, k)
		b = append(b, ':')
		if req.IsSecret(k) {
			b = appendString(b, Redacted)
		} else {
			b = appendString(b, strings.Join(req.Header[k], ", "))
		}
	}
	b = append(b, `},"body":`...)
	b = appendString(b, string(req.Body))
	return append(b, '}', '\n')
}

// appendString writes s as a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 as U+FFFD, everything else as is.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c >= utf8.RuneSelf {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

package webui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// The page is live: the pipes' executions and the topics' messages reach it as server-sent
// events (GET /api/events), never by polling. The hub keeps the latest events, so a page opened
// late (or reconnecting, with Last-Event-ID) sees what happened before, and hands each new event
// to every open stream.

// keepEvents bounds the events the hub keeps for pages that connect later.
const keepEvents = 500

// subscriberBuffer is how many events a slow page may lag behind before its stream is closed;
// the browser then reconnects with Last-Event-ID and catches up from the kept events.
const subscriberBuffer = 256

// Event kinds on the stream.
const (
	eventExecution = "execution"
	eventTopic     = "topic"
)

// hub fans events out to the pages' streams. Event IDs are "RUN.SEQ": a page that reconnects to
// another run of pipesim (on the same address) gets that run's events from the start.
type hub struct {
	mu   sync.Mutex
	run  string // random, set on first use
	seq  int64
	kept [][]byte // encoded events, oldest first; the last has ID seq
	subs map[chan []byte]struct{}
}

// publish encodes v as one server-sent event of kind and hands it to every stream. A stream
// that cannot keep up is closed (its page reconnects). It never blocks.
func (h *hub) publish(kind string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %s.%d\nevent: %s\ndata: %s\n\n", h.runID(), h.seq, kind, data)
	msg := b.Bytes()
	h.kept = append(h.kept, msg)
	if len(h.kept) > keepEvents {
		h.kept = h.kept[len(h.kept)-keepEvents:]
	}
	for ch := range h.subs {
		select {
		case ch <- msg:
		default:
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// runID is the run's part of the event IDs. h.mu is held.
func (h *hub) runID() string {
	if h.run == "" {
		h.run = NewToken()[:8]
	}
	return h.run
}

// subscribe returns the kept events after the one with ID lastID (a page's Last-Event-ID; all
// of them when it is "", of another run, or no longer kept), and a channel of the events to
// come, closed when the stream falls behind or cancel is called.
func (h *hub) subscribe(lastID string) (backlog [][]byte, ch chan []byte, cancel func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	first := h.seq - int64(len(h.kept)) + 1 // the sequence number of kept[0]
	from := 0
	run, seqText, _ := strings.Cut(lastID, ".")
	if after, err := strconv.ParseInt(seqText, 10, 64); err == nil && run == h.runID() && after >= first {
		from = int(min(after-first+1, int64(len(h.kept))))
	}
	backlog = append([][]byte(nil), h.kept[from:]...)
	ch = make(chan []byte, subscriberBuffer)
	if h.subs == nil {
		h.subs = map[chan []byte]struct{}{}
	}
	h.subs[ch] = struct{}{}
	return backlog, ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	}
}

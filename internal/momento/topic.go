package momento

import (
	"context"
	"sync"
	"time"
)

// maxBatch bounds the items one subscribe answer carries.
const maxBatch = 100

// message is one published topic value.
type message struct {
	seq    uint64
	page   uint64
	text   string
	binary []byte
	isBin  bool
}

// topic is one instance (sequence page) of a topic: sequence numbers start at 1 and the last
// limit messages are kept for replay.
type topic struct {
	page   uint64
	next   uint64 // sequence number of the next message
	buf    []message
	notify chan struct{} // closed and replaced on every publish or reset
}

// oldest is the sequence number of the oldest message still kept (next when none is).
func (t *topic) oldest() uint64 { return t.next - uint64(len(t.buf)) }

// topicStore holds the topics of all caches.
type topicStore struct {
	mu     sync.Mutex
	limit  int
	now    func() time.Time
	topics map[topicID]*topic

	// waitHook, when set (tests only), is called each time a subscriber is about to block.
	waitHook func()
}

type topicID struct{ cache, topic string }

func newTopicStore(limit int, now func() time.Time) *topicStore {
	return &topicStore{limit: limit, now: now, topics: map[topicID]*topic{}}
}

// get returns the topic, creating its first instance; the caller holds ts.mu.
func (ts *topicStore) get(id topicID) *topic {
	t, ok := ts.topics[id]
	if !ok {
		t = &topic{page: ts.newPage(0), next: 1, notify: make(chan struct{})}
		ts.topics[id] = t
	}
	return t
}

// newPage numbers a topic instance. Momento's pages grow but not one by one; the documented
// example is a Unix time, so pipesim uses the creation second, kept above the previous page.
func (ts *topicStore) newPage(prev uint64) uint64 {
	p := uint64(max(ts.now().Unix(), 1))
	return max(p, prev+1)
}

// publish appends m to the topic and wakes its subscribers.
func (ts *topicStore) publish(id topicID, m message) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.get(id)
	m.seq, m.page = t.next, t.page
	t.next++
	t.buf = append(t.buf, m)
	if over := len(t.buf) - ts.limit; over > 0 {
		t.buf = append(t.buf[:0:0], t.buf[over:]...)
	}
	close(t.notify)
	t.notify = make(chan struct{})
}

// reset replaces the topic by a new instance, as when Momento evicts or recreates a topic: a
// new sequence page, numbers from 1 again, no kept messages.
func (ts *topicStore) reset(id topicID) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.get(id)
	fresh := &topic{page: ts.newPage(t.page), next: 1, notify: make(chan struct{})}
	ts.topics[id] = fresh
	close(t.notify)
}

// cursor is where a subscriber resumes: a sequence number within a page (0: the current one).
type cursor struct{ seq, page uint64 }

// subscribeEntry is one element of a subscribe answer: an item or a discontinuity.
type subscribeEntry struct {
	Item          *itemJSON          `json:"item,omitempty"`
	Discontinuity *discontinuityJSON `json:"discontinuity,omitempty"`
}

type itemJSON struct {
	TopicSequenceNumber uint64    `json:"topic_sequence_number"`
	SequencePage        uint64    `json:"sequence_page"`
	Value               valueJSON `json:"value"`
}

type valueJSON struct {
	Text   *string `json:"text,omitempty"`
	Binary *[]byte `json:"binary,omitempty"`
}

type discontinuityJSON struct {
	LastTopicSequence uint64 `json:"last_topic_sequence"`
	NewTopicSequence  uint64 `json:"new_topic_sequence"`
	NewSequencePage   uint64 `json:"new_sequence_page"`
}

// wait blocks until the topic has something for c, the timeout passes (an empty answer) or
// ctx is done (nil, ctx.Err()). Sequence number 0 waits for the next message published.
func (ts *topicStore) wait(ctx context.Context, id topicID, c cursor, timeout time.Duration) ([]subscribeEntry, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		entries, notify := ts.poll(id, &c)
		if len(entries) > 0 {
			return entries, nil
		}
		if ts.waitHook != nil {
			ts.waitHook()
		}
		select {
		case <-notify:
		case <-timer.C:
			return []subscribeEntry{}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// poll answers c from the topic's current state, or returns no entries and the channel to wait
// on. It pins c to the current page and sequence so later polls keep the same position.
func (ts *topicStore) poll(id topicID, c *cursor) ([]subscribeEntry, <-chan struct{}) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.get(id)
	var out []subscribeEntry
	switch {
	case c.seq == 0:
		c.seq, c.page = t.next, t.page
	case c.page == 0:
		c.page = t.page
	}
	if d, ok := t.discontinuity(*c); ok {
		out = append(out, subscribeEntry{Discontinuity: &d})
		c.seq, c.page = d.NewTopicSequence, d.NewSequencePage
	}
	out = append(out, t.itemsFrom(c.seq)...)
	return out, t.notify
}

// discontinuity reports the gap between c and what the topic holds: another page (the topic
// was recreated), messages no longer kept, or a sequence number beyond the next one.
func (t *topic) discontinuity(c cursor) (discontinuityJSON, bool) {
	d := discontinuityJSON{LastTopicSequence: c.seq - 1, NewSequencePage: t.page}
	switch {
	case c.page != t.page:
		d.NewTopicSequence = t.oldest()
	case c.seq < t.oldest():
		d.NewTopicSequence = t.oldest()
	case c.seq > t.next:
		d.NewTopicSequence = t.next
	default:
		return d, false
	}
	return d, true
}

// itemsFrom renders the kept messages from seq on, at most maxBatch of them.
func (t *topic) itemsFrom(seq uint64) []subscribeEntry {
	if seq < t.oldest() || seq >= t.next {
		return nil
	}
	kept := t.buf[seq-t.oldest():]
	kept = kept[:min(len(kept), maxBatch)]
	out := make([]subscribeEntry, 0, len(kept))
	for _, m := range kept {
		out = append(out, subscribeEntry{Item: m.render()})
	}
	return out
}

func (m message) render() *itemJSON {
	it := &itemJSON{TopicSequenceNumber: m.seq, SequencePage: m.page}
	if m.isBin {
		b := m.binary
		it.Value.Binary = &b
	} else {
		s := m.text
		it.Value.Text = &s
	}
	return it
}

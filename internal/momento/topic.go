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

func (m message) cost() int64 { return int64(len(m.text) + len(m.binary) + messageOverhead) }

// bufCost is what the kept messages count.
func (t *topic) bufCost() int64 {
	var n int64
	for _, m := range t.buf {
		n += m.cost()
	}
	return n
}

// oldest is the sequence number of the oldest message still kept (next when none is).
func (t *topic) oldest() uint64 { return t.next - uint64(len(t.buf)) }

// topicStore holds the topics of all caches.
type topicStore struct {
	mu        sync.Mutex
	limit     int
	now       func() time.Time
	mem       *memory
	cacheGone func(cache string) bool // a subscriber of a deleted cache stops waiting
	topics    map[topicID]*topic
	listeners map[topicID]int // open subscriptions, for the topic operations a publish costs

	// waitHook, when set (tests only), is called each time a subscriber is about to block.
	waitHook func()
}

type topicID struct{ cache, topic string }

func newTopicStore(limit int, now func() time.Time, mem *memory) *topicStore {
	return &topicStore{limit: limit, now: now, mem: mem, cacheGone: func(string) bool { return false },
		topics: map[topicID]*topic{}, listeners: map[topicID]int{}}
}

// errTopicsFull refuses a new topic when the memory cap is reached.
var errTopicsFull = &LimitError{Cause: CauseStorage, Msg: "the embedded Momento's memory is full (--max-bytes): no room for another topic"}

// get returns the topic, creating its first instance (nil when the memory cap leaves no room
// for it); the caller holds ts.mu.
func (ts *topicStore) get(id topicID) *topic {
	t, ok := ts.topics[id]
	if !ok {
		if !ts.mem.reserve(topicOverhead) {
			return nil
		}
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

// publish appends m to the topic and wakes its subscribers; it fails with a *LimitError when
// the memory cap leaves no room for it.
func (ts *topicStore) publish(id topicID, m message) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.get(id)
	if t == nil {
		return errTopicsFull
	}
	if !ts.mem.reserve(m.cost()) {
		return &LimitError{Cause: CauseStorage, Msg: "the embedded Momento's memory is full (--max-bytes): no room for the message"}
	}
	m.seq, m.page = t.next, t.page
	t.next++
	t.buf = append(t.buf, m)
	if over := len(t.buf) - ts.limit; over > 0 {
		for _, old := range t.buf[:over] {
			ts.mem.release(old.cost())
		}
		t.buf = append(t.buf[:0:0], t.buf[over:]...)
	}
	close(t.notify)
	t.notify = make(chan struct{})
	return nil
}

// listen counts one more (delta 1) or one fewer (-1) open subscription on the topic and
// returns how many there are.
func (ts *topicStore) listen(id topicID, delta int) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.listeners[id] += delta
	n := ts.listeners[id]
	if n == 0 {
		delete(ts.listeners, id)
	}
	return n
}

// dropCache removes the topics of a deleted cache and wakes their subscribers, who then find
// the cache gone.
func (ts *topicStore) dropCache(cache string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for id, t := range ts.topics {
		if id.cache == cache {
			ts.mem.release(t.bufCost() + topicOverhead)
			delete(ts.topics, id)
			close(t.notify)
		}
	}
}

// reset replaces the topic by a new instance, as when Momento evicts or recreates a topic: a
// new sequence page, numbers from 1 again, no kept messages.
func (ts *topicStore) reset(id topicID) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.get(id)
	if t == nil {
		return
	}
	ts.mem.release(t.bufCost())
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
// ctx is done (nil, ctx.Err()). Sequence number 0 waits for the next message published. It
// fails with ErrCacheNotFound when the cache is deleted, and a *LimitError when the topic
// cannot be created. It pins c to the topic's page and sequence.
func (ts *topicStore) wait(ctx context.Context, id topicID, c *cursor, timeout time.Duration) ([]subscribeEntry, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		entries, notify, err := ts.poll(id, c)
		if err != nil {
			return nil, err
		}
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
func (ts *topicStore) poll(id topicID, c *cursor) ([]subscribeEntry, <-chan struct{}, error) {
	if ts.cacheGone(id.cache) {
		return nil, nil, ErrCacheNotFound
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t := ts.get(id)
	if t == nil {
		return nil, nil, errTopicsFull
	}
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
	return out, t.notify, nil
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

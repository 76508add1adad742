package stream

import (
	"maps"
	"sync"
)

// MemoryCheckpoints is a CheckpointStore in memory, for tests and for runs
// that need no resume. It is safe for concurrent use.
type MemoryCheckpoints struct {
	mu  sync.Mutex
	seq map[string]string
}

// Get returns the shard's checkpoint; ok is false when there is none.
func (m *MemoryCheckpoints) Get(shardID string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seq, ok := m.seq[shardID]
	return seq, ok, nil
}

// Put sets the shard's checkpoint.
func (m *MemoryCheckpoints) Put(shardID, sequenceNumber string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seq == nil {
		m.seq = make(map[string]string)
	}
	m.seq[shardID] = sequenceNumber
	return nil
}

// All returns a copy of every checkpoint, by shard ID.
func (m *MemoryCheckpoints) All() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.seq)
}

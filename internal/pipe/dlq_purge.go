package pipe

import "os"

// Purge removes every message of a queue file, as SQS's PurgeQueue does, and returns how many
// there were. The queue file stays, empty: the queue still exists. A queue with no file is
// purged of nothing.
func (q *FileQueues) Purge(queue string) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	msgs, err := q.read(queue)
	if err != nil {
		return 0, err
	}
	path, err := q.path(queue)
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return 0, nil
	}
	return len(msgs), writeJSONAtomic(path, []QueueMessage{})
}

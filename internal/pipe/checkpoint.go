package pipe

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Checkpoints is a pipe's checkpoint file: the last delivered sequence number of each shard of
// one stream. Put rewrites the file atomically. It implements stream.CheckpointStore.
type Checkpoints struct {
	path string
	mu   sync.Mutex
	data checkpointFile
}

type checkpointFile struct {
	StreamARN string            `json:"streamArn"`
	Shards    map[string]string `json:"shards"`
}

// OpenCheckpoints reads the pipe's checkpoint file in dir. When the file belongs to another
// stream (DynamoDB Local makes a new stream ARN whenever a table is re-created), stale names the
// old stream and the checkpoints start empty: the caller reports it.
func OpenCheckpoints(dir, pipeName, streamARN string) (cp *Checkpoints, stale string, err error) {
	cp = &Checkpoints{path: filepath.Join(dir, pipeName+".json"), data: checkpointFile{StreamARN: streamARN, Shards: map[string]string{}}}
	raw, err := os.ReadFile(cp.path)
	if os.IsNotExist(err) {
		return cp, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	var f checkpointFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, "", fmt.Errorf("checkpoint file %s: %w", cp.path, err)
	}
	if f.StreamARN != streamARN {
		return cp, f.StreamARN, nil
	}
	if f.Shards != nil {
		cp.data.Shards = f.Shards
	}
	return cp, "", nil
}

// Get returns the shard's checkpoint.
func (c *Checkpoints) Get(shardID string) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq, ok := c.data.Shards[shardID]
	return seq, ok, nil
}

// Put records that everything up to sequenceNumber in the shard is done.
func (c *Checkpoints) Put(shardID, sequenceNumber string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data.Shards[shardID] = sequenceNumber
	return writeJSONAtomic(c.path, c.data)
}

package pipe

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/pipesim/pipesim/internal/bounded"
	"github.com/pipesim/pipesim/internal/names"
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
//
// A checkpoint file that cannot be read as one (corrupt, or over its size limit) is an error
// naming the file and saying that deleting it starts the pipe over.
func OpenCheckpoints(dir, pipeName, streamARN string) (cp *Checkpoints, stale string, err error) {
	path, err := names.File(dir, names.Pipe, pipeName, ".json")
	if err != nil {
		return nil, "", err
	}
	cp = &Checkpoints{path: path, data: checkpointFile{StreamARN: streamARN, Shards: map[string]string{}}}
	raw, err := bounded.ReadFile(cp.path, bounded.StateFile)
	if os.IsNotExist(err) {
		return cp, "", nil
	}
	if errors.Is(err, bounded.ErrTooLarge) {
		return nil, "", fmt.Errorf("checkpoint file %v; %s", err, startOver)
	}
	if err != nil {
		return nil, "", err
	}
	var f checkpointFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, "", fmt.Errorf("checkpoint file %s is corrupt (%v); %s", cp.path, err, startOver)
	}
	if f.StreamARN != streamARN {
		return cp, f.StreamARN, nil
	}
	if f.Shards != nil {
		cp.data.Shards = f.Shards
	}
	return cp, "", nil
}

// startOver says how to get past a checkpoint file that cannot be read.
const startOver = "delete it to start the pipe over from its StartingPosition, or start everything over with run --fresh (tables, checkpoints and dead letters)"

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

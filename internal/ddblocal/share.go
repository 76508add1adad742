package ddblocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// One database directory, one DynamoDB Local. Two DynamoDB Locals on one -dbPath corrupt each
// other's streams (observed with 3.3.1: the second one's stream records fail with "UNIQUE
// constraint failed: us.SequenceNumber" and are lost, while its PutItem succeeds). So the first
// pipesim to start a DynamoDB Local on a directory holds a lock file there for as long as that
// DynamoDB Local runs, and writes its endpoint beside it; another pipesim that needs the same
// directory (a second `pipesim run`, `pipesim dlq redrive` beside a running `run`, `pipesim run`
// beside `pipesim dynamodb serve`) uses that DynamoDB Local instead of starting its own.
const (
	lockName  = "pipesim.lock"
	ownerName = "pipesim-endpoint.json"
)

// KindShared is a DynamoDB Local another pipesim process started on the same database
// directory, and serves (Instance.Owner is its process ID).
const KindShared = "shared"

// ErrInUse means a DynamoDB Local another process serves holds the database directory, so it
// cannot be started fresh or on the port asked for.
var ErrInUse = errors.New("DynamoDB Local's data is in use by another pipesim")

// owner is what the lock holder writes beside the lock: where its DynamoDB Local answers.
type owner struct {
	Endpoint string `json:"endpoint"`
	PID      int    `json:"pid"`
}

// dataLock is the held lock of a database directory.
type dataLock struct {
	dir  string
	file *os.File
}

// tryLock takes the directory's lock without waiting; ok is false when another process holds it.
func tryLock(dir string) (l *dataLock, ok bool, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, fmt.Errorf("dynamodb local db path %q: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("dynamodb local db path %q: %w", dir, err)
	}
	got, err := lockFile(f)
	if err != nil || !got {
		f.Close()
		if err != nil {
			return nil, false, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		return nil, false, nil
	}
	return &dataLock{dir: dir, file: f}, true, nil
}

// publish writes the endpoint of the DynamoDB Local the lock holder started.
func (l *dataLock) publish(endpoint string) error {
	raw, _ := json.Marshal(owner{Endpoint: endpoint, PID: os.Getpid()})
	tmp := filepath.Join(l.dir, ownerName+".tmp")
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(l.dir, ownerName))
}

// release removes the endpoint file and lets the lock go; it is called once DynamoDB Local has
// stopped.
func (l *dataLock) release() error {
	os.Remove(filepath.Join(l.dir, ownerName))
	return l.file.Close() // closing the descriptor releases the lock
}

// readOwner reads the endpoint file of the lock holder; ok is false while there is none.
func readOwner(dir string) (owner, bool) {
	raw, err := os.ReadFile(filepath.Join(dir, ownerName))
	if err != nil {
		return owner{}, false
	}
	var o owner
	if json.Unmarshal(raw, &o) != nil || o.Endpoint == "" {
		return owner{}, false
	}
	return o, true
}

// startOnPath starts (or joins) the DynamoDB Local of opts.DBPath: when no other process holds
// the directory, it takes the lock, clears the data when opts.Fresh, and starts one with start;
// otherwise it waits for the holder's endpoint and returns a KindShared instance for it.
func startOnPath(ctx context.Context, opts Options, start func() (*Instance, error)) (*Instance, error) {
	dir, err := filepath.Abs(opts.DBPath)
	if err != nil {
		return nil, fmt.Errorf("dynamodb local db path %q: %w", opts.DBPath, err)
	}
	ctx, cancel := context.WithTimeout(ctx, launchReadyTimeout)
	defer cancel()
	for {
		lock, ok, err := tryLock(dir)
		if err != nil {
			return nil, err
		}
		if ok {
			return startLocked(lock, opts, start)
		}
		if o, found := readOwner(dir); found {
			return joinOwner(ctx, opts, dir, o)
		}
		select { // the holder is still starting its DynamoDB Local
		case <-ctx.Done():
			return nil, fmt.Errorf("dynamodb local db path %s: another process holds %s but never said where its DynamoDB Local answers: %w", dir, lockName, ErrNotReady)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// startLocked starts DynamoDB Local with the lock held; the instance's Close stops it and then
// releases the lock.
func startLocked(lock *dataLock, opts Options, start func() (*Instance, error)) (*Instance, error) {
	if opts.Fresh {
		if err := removeData(lock.dir); err != nil {
			lock.release()
			return nil, err
		}
	}
	inst, err := start()
	if err == nil {
		err = lock.publish(inst.Endpoint)
		if err != nil {
			inst.Close()
		}
	}
	if err != nil {
		lock.release()
		return nil, err
	}
	stop := inst.stop
	inst.stop = func() error {
		err := stop()
		return errors.Join(err, lock.release())
	}
	inst.DBPath = lock.dir
	return inst, nil
}

// joinOwner uses the DynamoDB Local another pipesim runs on dir, once it answers.
func joinOwner(ctx context.Context, opts Options, dir string, o owner) (*Instance, error) {
	inUse := fmt.Errorf("%w: pipesim (process %d) serves %s on %s", ErrInUse, o.PID, dir, o.Endpoint)
	if opts.Fresh {
		return nil, fmt.Errorf("%w; stop it to start fresh", inUse)
	}
	if opts.Port != 0 && !strings.HasSuffix(o.Endpoint, ":"+strconv.Itoa(opts.Port)) {
		return nil, fmt.Errorf("%w, not on port %d: use that endpoint, or stop it", inUse, opts.Port)
	}
	if err := waitReady(ctx, o.Endpoint, endpointReadyTimeout, nil); err != nil {
		return nil, fmt.Errorf("%v, which does not answer: %w", inUse, err)
	}
	return &Instance{Endpoint: o.Endpoint, Kind: KindShared, DBPath: dir, Owner: o.PID}, nil
}

// removeData removes DynamoDB Local's database files from dir (*.db: one shared-local-instance.db
// with -sharedDb, or one per access key and region without it), and nothing else: dir may be a
// folder the user named.
func removeData(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.db"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("start fresh: %w", err)
		}
	}
	return nil
}

// HasData reports whether dir holds DynamoDB Local database files: whether a DynamoDB Local
// started there finds the data of an earlier one.
func HasData(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.db"))
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && fi.Size() > 0 {
			return true
		}
	}
	return false
}

package pipe

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Execution log files rotate by size: a pipe's logs take at most (LogFileKeep+1) ×
// LogFileMaxBytes on disk, however long it runs. (A replay against a target that never
// answered once wrote 4.9 GB of execution logs in 29 minutes.) README.md ("Limits") says so.
const (
	LogFileMaxBytes = 64 << 20
	LogFileKeep     = 4
)

// LogFile is an append-only file that rotates by size: when a write would take it past
// maxBytes, it becomes <path>.1 (the older ones shifting to .2 ... .<keep>, the oldest dropped)
// and a new <path> is started. A single write larger than maxBytes goes whole into a new file.
// It is safe for concurrent use.
type LogFile struct {
	path     string
	maxBytes int64
	keep     int

	mu   sync.Mutex
	f    *os.File
	size int64
}

// OpenLogFile opens (creating it and its directory) the log file at path for appending.
func OpenLogFile(path string, maxBytes int64, keep int) (*LogFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	l := &LogFile{path: path, maxBytes: maxBytes, keep: keep}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *LogFile) open() error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Write appends p, rotating first when p would take the file past its size.
func (l *LogFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, os.ErrClosed
	}
	if l.size > 0 && l.size+int64(len(p)) > l.maxBytes {
		if err := l.rotate(); err != nil {
			return 0, fmt.Errorf("rotate %s: %w", l.path, err)
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// rotate shifts path.i to path.i+1 (dropping path.keep), path to path.1, and starts path anew.
func (l *LogFile) rotate() error {
	if err := l.f.Close(); err != nil {
		return err
	}
	l.f = nil
	for i := l.keep - 1; i >= 1; i-- {
		if err := os.Rename(fmt.Sprintf("%s.%d", l.path, i), fmt.Sprintf("%s.%d", l.path, i+1)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if l.keep > 0 {
		if err := os.Rename(l.path, l.path+".1"); err != nil {
			return err
		}
	} else if err := os.Remove(l.path); err != nil {
		return err
	}
	return l.open()
}

// Close closes the file.
func (l *LogFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

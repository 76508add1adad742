package bounded

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge is wrapped by the error for a file or answer over its limit.
var ErrTooLarge = errors.New("too large")

// The limits of what pipesim reads whole, documented in README.md ("Limits").
const (
	// PipesFile bounds a pipes file (YAML or JSON), a pipe test file, a CloudFormation template
	// and a cdk.out manifest: a design of a hundred pipes is well under 1 MiB (CloudFormation
	// itself takes templates of at most 1 MB).
	PipesFile = 16 << 20
	// DotEnv bounds a .env file.
	DotEnv = 1 << 20
	// StateFile bounds a checkpoint file (a sequence number per shard).
	StateFile = 16 << 20
	// QueueFile bounds a local dead-letter queue file: about 100,000 dead-letter messages of a
	// DynamoDB stream batch (~600 bytes each).
	QueueFile = 64 << 20
	// Argument bounds a file:// command-line argument that is a template, a pattern or one
	// record; a record's own limit is about 1 MiB (replay.DefaultMaxRecordSize).
	Argument = 4 << 20
	// Answer bounds an HTTP answer read whole (an SQS response holds at most 10 messages).
	Answer = 32 << 20
)

// ReadFile reads the file at path, which must hold at most limit bytes. A larger file, or one
// that does not end, is an error wrapping ErrTooLarge; a regular file is judged by its size
// before anything is read. The errors of os.Open are returned as they are (os.IsNotExist and
// errors.Is(err, fs.ErrNotExist) work on them). It blocks on the read.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > limit {
		return nil, tooLarge(path, limit)
	}
	return ReadAll(f, path, limit)
}

// ReadAll reads r to its end, which must come within limit bytes; name says what r is in the
// error. It reads at most limit+1 bytes.
func ReadAll(r io.Reader, name string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(name, limit)
	}
	return data, nil
}

func tooLarge(name string, limit int64) error {
	return fmt.Errorf("%s: %w: more than %s, pipesim's limit for it", name, ErrTooLarge, Size(limit))
}

// Size writes a byte count for people: 1 GiB, 16 MiB, 1.5 KiB, 300 bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

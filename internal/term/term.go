package term

import (
	"io"
	"os"
	"sync"
)

// Output is a pair of writers that share one lock. Create it with New.
type Output struct {
	mu     sync.Mutex
	Stdout io.Writer
	Stderr io.Writer
}

// New returns stdout and stderr behind one lock. Given the two writers of one Output, it returns
// that Output.
func New(stdout, stderr io.Writer) *Output {
	if a, ok := stdout.(*Writer); ok {
		if b, ok := stderr.(*Writer); ok && a.o == b.o && a.o.Stdout == stdout && a.o.Stderr == stderr {
			return a.o
		}
	}
	o := &Output{}
	o.Stdout = &Writer{o: o, w: stdout}
	o.Stderr = &Writer{o: o, w: stderr}
	return o
}

// Writer is one of an Output's writers. It is safe for concurrent use; a Write blocks while
// another Write of the same Output is under way.
type Writer struct {
	o *Output
	w io.Writer
}

// Write writes p whole under the Output's lock.
func (w *Writer) Write(p []byte) (int, error) {
	w.o.mu.Lock()
	defer w.o.mu.Unlock()
	return w.w.Write(p)
}

func unwrap(w io.Writer) io.Writer {
	for {
		tw, ok := w.(*Writer)
		if !ok {
			return w
		}
		w = tw.w
	}
}

// File is the *os.File under w, if there is one (for a progress bar that needs to know whether
// it writes to a terminal). Writes to the file bypass the lock: only call it to look.
func File(w io.Writer) (*os.File, bool) {
	f, ok := unwrap(w).(*os.File)
	return f, ok
}

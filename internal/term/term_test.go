package term

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// TestLinesWhole writes lines from many goroutines to both writers of one Output over one plain
// (unsynchronized) buffer: under -race nothing races, and every line arrives whole.
func TestLinesWhole(t *testing.T) {
	var buf bytes.Buffer
	o := New(&buf, &buf)
	const goroutines, lines = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		w := o.Stdout
		if g%2 == 1 {
			w = o.Stderr
		}
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "goroutine %d line %d %s\n", g, i, strings.Repeat("x", 100))
			}
		})
	}
	wg.Wait()
	got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(got) != goroutines*lines {
		t.Fatalf("got %d lines; want %d", len(got), goroutines*lines)
	}
	next := make([]int, goroutines)
	for _, l := range got {
		var g, i int
		var rest string
		if _, err := fmt.Sscanf(l, "goroutine %d line %d %s", &g, &i, &rest); err != nil || rest != strings.Repeat("x", 100) {
			t.Fatalf("torn line %q", l)
		}
		if i != next[g] {
			t.Fatalf("goroutine %d: line %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
}

func TestNoNesting(t *testing.T) {
	var buf bytes.Buffer
	o := New(&buf, os.Stderr)
	if again := New(o.Stdout, o.Stderr); again != o {
		t.Errorf("New(an Output's writers) made a new Output")
	}
	nested := New(o.Stdout, os.Stdout)
	if _, err := nested.Stdout.Write([]byte("x")); err != nil || buf.String() != "x" {
		t.Fatalf("write through a nested Output = %q, %v", buf.String(), err)
	}
	if f, ok := File(nested.Stdout); ok {
		t.Errorf("File(a buffer) = %v; want none", f)
	}
	if f, ok := File(New(o.Stderr, o.Stdout).Stdout); !ok || f != os.Stderr {
		t.Errorf("File(re-wrapped stderr) = %v, %v; want os.Stderr", f, ok)
	}
}

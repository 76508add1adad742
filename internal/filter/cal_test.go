package filter

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCalCPU(t *testing.T) {
	runtime.LockOSThread()
	rec := loadRecord(t)
	seed, _ := CompileFilters([]string{seedFilter}, Options{})
	mixed, _ := CompileFilters(mixedFilters, Options{})
	for _, c := range []struct{ name string; f *Filters; n int }{{"seed", seed, 2000000}, {"mixed", mixed, 200000}} {
		best := time.Hour
		for r := 0; r < 5; r++ {
			t0 := threadCPU()
			for i := 0; i < c.n; i++ { c.f.Match(rec) }
			best = min(best, (threadCPU()-t0)/time.Duration(c.n))
		}
		fmt.Printf("%s: %v cpu/op\n", c.name, best)
	}
	for k, src := range mixedFilters {
		p, _ := CompilePattern(src)
		best := time.Hour
		for r := 0; r < 5; r++ {
			t0 := threadCPU()
			for i := 0; i < 200000; i++ { p.Match(rec) }
			best = min(best, (threadCPU()-t0)/200000)
		}
		fmt.Printf("  filter %d: %v\n", k, best)
	}
}

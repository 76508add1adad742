package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"syscall"
	"time"

	"github.com/pipesim/pipesim"
	"github.com/pipesim/pipesim/internal/bounded"
	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/replay"
)

func main() {
	n := flag.Int("records", 1_000_000, "records to generate")
	file := flag.String("file", "", "records file: generated when missing, kept afterwards (default: a temporary file, removed)")
	out := flag.String("out", "", "dry-run output file (default: discarded)")
	genOnly := flag.Bool("generate-only", false, "only write --file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the replay here")
	traceFile := flag.String("trace", "", "write an execution trace of the replay here (go tool trace)")
	chunk := flag.Int("chunk", replay.DefaultChunkSize, "records the feed hands the pipes at once")
	flag.Parse()
	stop := startProfiles(*cpuProfile, *traceFile)
	err := run(*n, *file, *out, *genOnly, *chunk)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pipesim-bench:", err)
		os.Exit(1)
	}
}

// startProfiles starts the CPU profile and the execution trace that were asked for; the
// function returned stops them.
func startProfiles(cpuProfile, traceFile string) func() {
	var stops []func()
	if cpuProfile != "" {
		if f, err := os.Create(cpuProfile); err == nil && pprof.StartCPUProfile(f) == nil {
			stops = append(stops, pprof.StopCPUProfile)
		}
	}
	if traceFile != "" {
		if f, err := os.Create(traceFile); err == nil && trace.Start(f) == nil {
			stops = append(stops, trace.Stop)
		}
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

func run(n int, file, out string, genOnly bool, chunk int) error {
	path, cleanup, err := records(n, file)
	if err != nil || genOnly {
		return err
	}
	defer cleanup()
	cfg, err := config.Parse("embedded weather-stats pipes file", pipesim.SeedPipes, config.Options{Lookup: func(name string) (string, bool) {
		return map[string]string{"MOMENTO_API_ENDPOINT": "https://api.cache.example.com", "MOMENTO_API_KEY": "bench-key"}[name], true
	}})
	if err != nil {
		return err
	}
	w, closeOut, err := output(out)
	if err != nil {
		return err
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	start, cpuStart := time.Now(), cpuTime()
	sum, err := (&replay.Run{Config: cfg, DryRun: w, Feed: replay.Options{ChunkSize: chunk}}).Replay(context.Background(), in)
	if err != nil {
		return err
	}
	if err := closeOut(); err != nil {
		return err
	}
	report(sum, time.Since(start), cpuTime()-cpuStart)
	return nil
}

// records returns the records file, generating it when it does not exist.
func records(n int, file string) (string, func(), error) {
	cleanup := func() {}
	if file == "" {
		dir, err := os.MkdirTemp("", "pipesim-bench")
		if err != nil {
			return "", nil, err
		}
		file, cleanup = filepath.Join(dir, "records.jsonl"), func() { os.RemoveAll(dir) }
	} else if _, err := os.Stat(file); err == nil {
		return file, cleanup, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return "", nil, err
	}
	start := time.Now()
	if err := replay.GenerateSeed(f, n, 1); err != nil {
		f.Close()
		return "", nil, err
	}
	if err := f.Close(); err != nil {
		return "", nil, err
	}
	st, _ := os.Stat(file)
	fmt.Fprintf(os.Stderr, "generated %d records (%.1f MB) in %s\n", n, float64(st.Size())/1e6, time.Since(start).Round(time.Millisecond))
	return file, cleanup, nil
}

func output(path string) (io.Writer, func() error, error) {
	if path == "" {
		return io.Discard, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	return bw, func() error {
		if err := bw.Flush(); err != nil {
			return err
		}
		return f.Close()
	}, nil
}

// cpuTime is the user and system CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report prints the figures. CPU time matters on a shared machine: wall-clock throughput drops
// when other processes take the cores, records per CPU-second does not.
func report(sum *replay.Summary, took, cpu time.Duration) {
	var sent int64
	for _, p := range sum.Pipes {
		sent += p.Sent
	}
	fmt.Printf("records      %d (%d bad)\n", sum.Records, sum.Bad)
	fmt.Printf("requests     %d\n", sent)
	fmt.Printf("elapsed      %s\n", took.Round(time.Millisecond))
	fmt.Printf("records/s    %.0f\n", float64(sum.Records)/took.Seconds())
	fmt.Printf("CPU time     %s (%.0f records per CPU-second)\n", cpu.Round(time.Millisecond), float64(sum.Records)/cpu.Seconds())
	fmt.Printf("GOMAXPROCS   %d\n", runtime.GOMAXPROCS(0))
	fmt.Printf("peak RSS     %s\n", peakRSS())
}

// peakRSS is VmHWM from /proc/self/status (Linux), or "unknown".
func peakRSS() string {
	data, err := bounded.ReadFile("/proc/self/status", 1<<20)
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

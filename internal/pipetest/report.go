package pipetest

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Report writes results the way `go test` does: a --- FAIL block with the failures for each
// failed case (and --- PASS lines when verbose), then "ok" or "FAIL" with the file and the time.
// It returns whether every case passed.
func Report(w io.Writer, path string, results []Result, verbose bool, took time.Duration) bool {
	ok := true
	for _, r := range results {
		if r.Passed() {
			if verbose {
				fmt.Fprintf(w, "--- PASS: %s (%.3fs)\n", r.Case, r.Elapsed.Seconds())
			}
			continue
		}
		ok = false
		fmt.Fprintf(w, "--- FAIL: %s (%.3fs)\n", r.Case, r.Elapsed.Seconds())
		if r.Err != nil {
			fmt.Fprintf(w, "    %s\n", indent(r.Err.Error()))
		}
		for _, f := range r.Failures {
			fmt.Fprintf(w, "    %s\n", indent(f))
		}
	}
	status := "ok  "
	if !ok {
		status = "FAIL"
	}
	fmt.Fprintf(w, "%s\t%s\t%.3fs\n", status, path, took.Seconds())
	return ok
}

// indent lines after the first to sit under the failure they belong to.
func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

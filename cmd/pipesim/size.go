package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pipesim/pipesim/internal/bounded"
)

// parseSize reads a byte count: a number, optionally followed by KB, MB (powers of 1000), KiB
// or MiB (powers of 1024). It must lie in [lo, hi].
func parseSize(v string, lo, hi int) (int, error) {
	units := []struct {
		suffix string
		mult   int
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}}
	num, mult := strings.TrimSpace(v), 1
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n != n {
		return 0, fmt.Errorf("%q: want a size such as 1048576, 2MiB or 512KiB", v)
	}
	size := n * float64(mult)
	if size < float64(lo) || size > float64(hi) {
		return 0, fmt.Errorf("%q: want %s to %s", v, bounded.Size(int64(lo)), bounded.Size(int64(hi)))
	}
	return int(size), nil
}

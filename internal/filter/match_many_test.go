package filter

import (
	"fmt"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// TestManyFilters: a filter set answers right whatever the number of filters, though Pipes
// allows five: the shared read (up to 64 filters, one bit each) and the per-filter walks beyond.
func TestManyFilters(t *testing.T) {
	for _, n := range []int{2, 8, 9, 63, 64, 65, 100} {
		patterns := make([]string, n)
		for i := range patterns {
			patterns[i] = fmt.Sprintf(`{"a": ["v%d"], "b": [{"exists": false}]}`, i)
		}
		f, err := compileFilters(patterns, Options{})
		if err != nil {
			t.Fatalf("%d filters: %v", n, err)
		}
		for _, j := range []int{0, n / 2, n - 2, n - 1} {
			rec := fmt.Sprintf(`{"a": "v%d"}`, j)
			if !f.Match(rawjson.New([]byte(rec))) || !f.matchWalks([]byte(rec)) {
				t.Errorf("%d filters: Match(%s) = false; want true (filter %d matches)", n, rec, j)
			}
			rec = fmt.Sprintf(`{"a": "v%d", "b": 1}`, j)
			if f.Match(rawjson.New([]byte(rec))) {
				t.Errorf("%d filters: Match(%s) = true; want false", n, rec)
			}
		}
		if rec := `{"a": "none"}`; f.Match(rawjson.New([]byte(rec))) {
			t.Errorf("%d filters: Match(%s) = true; want false", n, rec)
		}
	}
}

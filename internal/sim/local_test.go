package sim

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/rawjson"
)

// TestLocalDestinationNames: --local-destinations names API destinations of the design that are
// not Momento; anything else stops pipesim before it starts, saying what the design has.
func TestLocalDestinationNames(t *testing.T) {
	seed := Options{StateDir: t.TempDir(), Lookup: func(string) (string, bool) { return "", false }}
	for _, tc := range []struct {
		pipes, local, want string
	}{
		{pipesOnOneTable(t, "local-names", "http://127.0.0.1:1", "p"), "nope", `local destination "nope": the design has no API destination of that name (it has: put)`},
		{"", "weather-stats-demo-cache-put-api-destination", `local destination "weather-stats-demo-cache-put-api-destination": it is Momento's HTTP API`},
	} {
		opts := seed
		opts.PipesFile, opts.LocalDestinations = tc.pipes, []string{tc.local}
		s, err := Start(context.Background(), opts)
		if err == nil {
			s.Close()
			t.Errorf("Start with local destination %q = nil error; want %q", tc.local, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Start with local destination %q = %v; want %q", tc.local, err, tc.want)
		}
	}
}

// TestLocalReceiver: a local destination's requests are built and sent as any other's, and
// answered by pipesim (200 {}) without leaving the process: the endpoint here refuses
// connections. A destination that is not local still goes out.
func TestLocalReceiver(t *testing.T) {
	data, err := os.ReadFile(pipesOnOneTable(t, "local-receiver", "http://127.0.0.1:1", "p"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("pipes.yaml", data, config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Pipes[0]
	record := []byte(`{"eventName": "INSERT", "dynamodb": {"Keys": {"Location": {"S": "x"}}}}`)
	for _, local := range [][]string{{"put"}, {AllDestinations}, nil} {
		s := &Sim{Config: cfg, opts: Options{LocalDestinations: local}}
		if got, want := s.IsLocal(p.Target.Dest), local != nil; got != want {
			t.Errorf("IsLocal(put) with %q = %t; want %t", local, got, want)
		}
		res, err := s.sender().Send(context.Background(), p.Target.Dest, build(p.Target, record, []byte(`"x"`)))
		if local == nil {
			if res.Status != 0 {
				t.Errorf("Send to 127.0.0.1:1 without a local receiver = %d; want no answer (connection refused)", res.Status)
			}
			continue
		}
		if err != nil || res.Status != 200 || string(res.Body) != LocalAnswer {
			t.Errorf("Send with local %q = %d %q, %v; want 200 %s", local, res.Status, res.Body, err, LocalAnswer)
		}
	}
}

// build is the request Target.Build makes for record and body.
func build(t *httpdest.Target, record, body []byte) *httpdest.Request {
	req := new(httpdest.Request)
	t.Build(req, rawjson.New(record), body)
	return req
}

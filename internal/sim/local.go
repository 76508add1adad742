package sim

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/pipe"
)

// Local destinations: the API destinations Options.LocalDestinations names (AllDestinations: every
// one that is not Momento, the embedded server or real Momento) are answered by pipesim itself, in the process, as a
// receiver that reads the request and answers 200 with {}: nothing leaves the machine, and a
// design whose webhook does not exist yet runs end to end. The requests are what the execution
// trace and the web page show. Momento destinations are never stubbed: the embedded server is
// already local, and real Momento is what the user asked for.

// LocalAnswer is the body the local receiver answers with (status 200, application/json).
const LocalAnswer = "{}"

// AllDestinations in Options.LocalDestinations names every API destination that is not Momento.
const AllDestinations = "all"

// IsLocal reports whether pipesim answers requests to the destination itself.
func (s *Sim) IsLocal(d *httpdest.Destination) bool {
	if s.IsMomento(d.Endpoint) {
		return false
	}
	return slices.Contains(s.opts.LocalDestinations, AllDestinations) || slices.Contains(s.opts.LocalDestinations, d.Name)
}

// checkLocal refuses a local destination name the design does not have, or one that is Momento.
func (s *Sim) checkLocal() error {
	for _, name := range s.opts.LocalDestinations {
		if name == AllDestinations {
			continue
		}
		d, ok := s.Config.Destinations[name]
		if !ok {
			names := slices.Sorted(maps.Keys(s.Config.Destinations))
			return fmt.Errorf("local destination %q: the design has no API destination of that name (it has: %s)", name, strings.Join(names, ", "))
		}
		if s.IsMomento(d.Endpoint) {
			return fmt.Errorf("local destination %q: it is Momento's HTTP API (%s), which pipesim serves or reaches already", name, d.Endpoint)
		}
	}
	return nil
}

// IsMomento reports whether a destination endpoint is Momento's HTTP API: the embedded server's,
// or the real endpoint MOMENTO_API_ENDPOINT names.
func (s *Sim) IsMomento(endpoint string) bool {
	return s.MomentoURL != "" && strings.HasPrefix(endpoint, s.MomentoURL)
}

// sender is the API destinations' sender: the 5-second client (Options.SendTimeout), and the
// local receiver in front of it for the destinations it answers.
func (s *Sim) sender() *httpdest.Sender {
	snd := httpdest.NewSenderTimeout(cmp.Or(s.opts.SendTimeout, httpdest.Timeout))
	if len(s.opts.LocalDestinations) > 0 {
		var prefixes []string
		for _, d := range s.Config.Destinations {
			if s.IsLocal(d) {
				prefix, _, _ := strings.Cut(d.Endpoint, "*")
				prefixes = append(prefixes, prefix)
			}
		}
		snd.Client.Transport = &localReceiver{prefixes: prefixes, next: http.DefaultTransport}
	}
	return snd
}

// localReceiver answers requests whose URL starts with one of its destinations' fixed prefix
// (the endpoint up to its first wildcard), and passes any other to next.
type localReceiver struct {
	prefixes []string
	next     http.RoundTripper
}

func (l *localReceiver) RoundTrip(r *http.Request) (*http.Response, error) {
	u := r.URL.String()
	for _, p := range l.prefixes {
		if strings.HasPrefix(u, p) {
			if r.Body != nil {
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
			}
			return &http.Response{Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader([]byte(LocalAnswer))),
				ContentLength: int64(len(LocalAnswer)), Request: r}, nil
		}
	}
	return l.next.RoundTrip(r)
}

// AlsoTrace adds a trace every execution goes to, beside Options.Trace (the web page's). Call it
// before Run.
func (s *Sim) AlsoTrace(trace func(pipe.Execution)) {
	if prev := s.opts.Trace; prev != nil {
		s.opts.Trace = func(e pipe.Execution) { prev(e); trace(e) }
		return
	}
	s.opts.Trace = trace
}

package momento

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		spec      string
		wantRoute Route
		want      Fault
	}{
		{"cache-put=503,503,200", RouteCachePut, Fault{Statuses: []int{503, 503, 200}}},
		{"cache-put=503:2,200", RouteCachePut, Fault{Statuses: []int{503, 503, 200}}},
		{"cache-put=latency:6s", RouteCachePut, Fault{Latency: 6 * time.Second}},
		{"topic-publish=429:retry-after=2", RouteTopicPublish, Fault{Statuses: []int{429}, RetryAfter: "2"}},
		{"topic-publish=429:3:retry-after=-1", RouteTopicPublish, Fault{Statuses: []int{429, 429, 429}, RetryAfter: "-1"}},
		{"topic-publish=retry-after=5,429", RouteTopicPublish, Fault{Statuses: []int{429}, RetryAfter: "5"}},
		{"cache-put=refuse:3", RouteCachePut, Fault{Statuses: []int{StatusRefuse, StatusRefuse, StatusRefuse}}},
		{"cache-put=refuse", RouteCachePut, Fault{Refuse: true}},
		{"cache-delete=500,refuse", RouteCacheDelete, Fault{Statuses: []int{500}, Refuse: true}},
		{"cache-put=400,repeat", RouteCachePut, Fault{Statuses: []int{400}, Repeat: true}},
		{"cache-get=refuse:1,503,repeat", RouteCacheGet, Fault{Statuses: []int{StatusRefuse, 503}, Repeat: true}},
		{" topic-subscribe = 503 , latency:250ms ", RouteTopicSubscribe, Fault{Statuses: []int{503}, Latency: 250 * time.Millisecond}},
	}
	for _, tt := range tests {
		route, got, err := ParseFault(tt.spec)
		if err != nil || route != tt.wantRoute {
			t.Errorf("ParseFault(%q) = %q, %v; want %q", tt.spec, route, err, tt.wantRoute)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseFault(%q) (-want +got):\n%s", tt.spec, diff)
		}
	}
}

func TestParseFaultErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"cache-put", "want ROUTE=ITEM"},
		{"cache-post=503", `unknown route "cache-post"`},
		{"cache-put=", "item 1"},
		{"cache-put=503,,200", `item 2 "": empty item`},
		{"cache-put=99", "not a status code"},
		{"cache-put=600", "not a status code"},
		{"cache-put=teapot", "not a status code"},
		{"cache-put=503:0", "count"},
		{"cache-put=503:2:3", "count given twice"},
		{"cache-put=503:100001", "count"},
		{"cache-put=503:10000,503", "more than 10000"},
		{"cache-put=latency", "want latency:DURATION"},
		{"cache-put=latency:6", "not a positive Go duration"},
		{"cache-put=latency:-1s", "not a positive Go duration"},
		{"cache-put=latency:1s,latency:2s", "latency given twice"},
		{"cache-put=429:retry-after=soon", "not a whole number"},
		{"cache-put=429:retry-after=1,429:retry-after=2", "different values"},
		{"cache-put=refuse:x", "count"},
		{"cache-put=refuse:1:2", "want refuse or refuse:COUNT"},
		{"cache-put=repeat", "repeat needs"},
		{"cache-put=503,refuse,repeat", "never apply"},
		{"cache-put=repeat:2", "no options"},
	}
	for _, tt := range tests {
		_, _, err := ParseFault(tt.spec)
		if err == nil || !errors.Is(err, ErrFaultSpec) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFault(%q) error = %v; want ErrFaultSpec containing %q", tt.spec, err, tt.want)
		}
	}
}

func FuzzParseFault(f *testing.F) {
	for _, seed := range []string{
		"cache-put=503,503,200", "cache-put=latency:6s", "topic-publish=429:retry-after=2",
		"cache-put=refuse:3", "cache-put=400,repeat", "cache-get=refuse", "topic-subscribe=500:2:retry-after=-3,latency:1ms",
		"=", "cache-put=:", "cache-put=503:", "cache-put=,", "cache-put=latency:1h2m3s4ms,refuse",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		route, fault, err := ParseFault(spec)
		if err != nil {
			if !errors.Is(err, ErrFaultSpec) {
				t.Fatalf("ParseFault(%q) error %v; want it to wrap ErrFaultSpec", spec, err)
			}
			return
		}
		for _, st := range fault.Statuses {
			if st != StatusRefuse && (st < 200 || st > 599) {
				t.Fatalf("ParseFault(%q) status %d; want 200-599 or StatusRefuse", spec, st)
			}
		}
		route2, fault2, err := ParseFault(string(route) + "=" + fault.String())
		if err != nil || route2 != route || !cmp.Equal(fault, fault2) {
			t.Fatalf("ParseFault(%q) = %v; reparsing %q = %v, %v", spec, fault, fault.String(), fault2, err)
		}
	})
}

func TestFaultString(t *testing.T) {
	f := Fault{Statuses: []int{503, 503, StatusRefuse, 200}, RetryAfter: "2", Latency: 6 * time.Second, Refuse: true}
	if got, want := f.String(), "503:2,refuse:1,200,retry-after=2,latency:6s,refuse"; got != want {
		t.Errorf("Fault.String() = %q; want %q", got, want)
	}
}

func TestFaultSequences(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		want  []int
	}{
		{"503 then normal", Fault{Statuses: []int{503, 503, 200}}, []int{503, 503, 204, 204}},
		{"0 means normal", Fault{Statuses: []int{0, 500}}, []int{204, 500, 204}},
		{"400 every time", Fault{Statuses: []int{400}, Repeat: true}, []int{400, 400, 400}},
		{"cycle", Fault{Statuses: []int{500, 204}, Repeat: true}, []int{500, 204, 500, 204}},
		{"out of range is normal", Fault{Statuses: []int{150, 999}}, []int{204, 204, 204}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t)
			s.InjectFault(RouteCachePut, tt.fault)
			var got []int
			for range tt.want {
				code, _, _ := call(t, s, http.MethodPut, "/cache/weather?key=k&ttl_seconds=5", "v")
				got = append(got, code)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PUT statuses under %+v (-want +got):\n%s", tt.fault, diff)
			}
			if code, body, _ := call(t, s, http.MethodGet, "/cache/weather?key=missing", ""); code != http.StatusNotFound || body != "Key Not Found" {
				t.Errorf("GET under a cache-put fault = %d %q; want 404 Key Not Found (other routes unaffected)", code, body)
			}
		})
	}
}

func TestFaultRetryAfterAndBody(t *testing.T) {
	s, _ := newTestServer(t)
	s.InjectFault(RouteTopicPublish, Fault{Statuses: []int{429, 200}, RetryAfter: "2"})
	code, body, h := call(t, s, http.MethodPost, "/topics/weather/t", "m", "Authorization", "wrong")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") != "2" || body != "injected fault: Too Many Requests" {
		t.Errorf("POST under 429 fault = %d %q Retry-After %q; want 429 %q Retry-After %q", code, body, h.Get("Retry-After"), "injected fault: Too Many Requests", "2")
	}
	code, _, h = call(t, s, http.MethodPost, "/topics/weather/t", "m")
	if code != http.StatusNoContent || h.Get("Retry-After") != "" {
		t.Errorf("POST after the fault = %d Retry-After %q; want 204 and no Retry-After", code, h.Get("Retry-After"))
	}
}

func TestInjectFaultReplacesAndClear(t *testing.T) {
	s, _ := newTestServer(t)
	statuses := []int{500, 500}
	s.InjectFault(RouteCacheGet, Fault{Statuses: statuses})
	statuses[0] = 200 // the server keeps its own copy
	if code, _, _ := call(t, s, http.MethodGet, "/cache/weather?key=k", ""); code != 500 {
		t.Errorf("GET under 500 fault = %d; want 500", code)
	}
	s.InjectFault(RouteCacheGet, Fault{Statuses: []int{502}})
	if code, _, _ := call(t, s, http.MethodGet, "/cache/weather?key=k", ""); code != 502 {
		t.Errorf("GET under replaced fault = %d; want 502", code)
	}
	s.InjectFault(RouteCacheGet, Fault{Statuses: []int{503}, Repeat: true})
	s.ClearFaults()
	if code, _, _ := call(t, s, http.MethodGet, "/cache/weather?key=k", ""); code != http.StatusNotFound {
		t.Errorf("GET after ClearFaults = %d; want 404", code)
	}
}

func TestFaultLatencyCutShort(t *testing.T) {
	s, _ := newTestServer(t)
	s.InjectFault(RouteCacheGet, Fault{Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/cache/weather?key=k", nil)
	rec := &statusRecorder{ResponseWriter: discardWriter{}}
	if !s.injectFault(rec, rec, req, RouteCacheGet) {
		t.Errorf("injectFault with a gone client = false; want true (no answer)")
	}
}

// discardWriter is a ResponseWriter that keeps nothing.
type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) WriteHeader(int)             {}

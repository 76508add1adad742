package httpdest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/secrettest"
)

// echoServer answers every request with its query, headers and body, as JSON and base64-free
// text, and echoes the API key in a header: a destination that repeats its credentials.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo-Key", r.Header.Get("X-Api-Key"))
		w.Header().Set("X-Echo-Auth", r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"query": r.URL.RawQuery, "rawQuery": r.URL.Query(), "headers": r.Header, "body": string(body)})
		io.WriteString(w, "plain: "+r.Header.Get("X-Api-Key")+" "+r.URL.Query().Get("sig")+"\n")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAnswerRedacted: a destination that echoes the connection's secrets (API key, secret
// header, query and body parameters) in its body and headers, in any encoding, is seen with
// them written as ********: the execution logs, -v and the web page all read this Result.
func TestAnswerRedacted(t *testing.T) {
	srv := echoServer(t)
	for _, secret := range secrettest.Values {
		conn, err := NewAPIKeyConnection("c", "X-Api-Key", secret)
		if err != nil {
			t.Fatal(err)
		}
		conn.Headers = []KeyValue{{Key: "X-Token", Value: secret + "-h", Secret: true}}
		conn.Query = []KeyValue{{Key: "sig", Value: secret + "-q", Secret: true}, {Key: "mode", Value: "open"}}
		conn.Body = []KeyValue{{Key: "password", Value: secret + "-b", Secret: true}, {Key: "user", Value: "ann"}}
		dest, err := NewDestination("d", "", "POST", srv.URL+"/items", 0, conn)
		if err != nil {
			t.Fatal(err)
		}
		tgt, err := NewTarget(dest, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := NewSender().Send(context.Background(), dest, build(tgt, []byte(record), []byte(`{"a":1}`)))
		if err != nil || res.Status != http.StatusBadRequest {
			t.Fatalf("secret %q: Send = %d, %v; want the echo's 400", secret, res.Status, err)
		}
		shown := string(res.Body)
		for k, vs := range res.Header {
			shown += "\n" + k + ": " + strings.Join(vs, ",")
		}
		for _, v := range []string{secret, secret + "-h", secret + "-q", secret + "-b"} {
			if form := secrettest.Leak(shown, v); form != "" {
				t.Errorf("secret %q: the answer shows %q as %q:\n%s", secret, v, form, shown)
			}
		}
		if !strings.Contains(shown, `"user":"ann"`) || !strings.Contains(shown, "mode=open") || res.Header.Get("X-Echo-Key") != RedactedValue {
			t.Errorf("secret %q: the answer lost what is not secret or kept the key header:\n%s", secret, shown)
		}
	}
}

// TestBasicPasswordRedacted: a Basic connection's password and its encoded credential are
// searched for too.
func TestBasicPasswordRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		io.WriteString(w, "user "+user+" password "+pass+" header "+r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	conn, err := NewBasicConnection("c", "ann", "hunter2-pass")
	if err != nil {
		t.Fatal(err)
	}
	dest, err := NewDestination("d", "", "POST", srv.URL, 0, conn)
	if err != nil {
		t.Fatal(err)
	}
	tgt, _ := NewTarget(dest, nil, nil, nil)
	res, err := NewSender().Send(context.Background(), dest, build(tgt, []byte(record), []byte(`{}`)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "user ann password ******** header ********"; string(res.Body) != want {
		t.Errorf("answer = %q; want %q", res.Body, want)
	}
}

package webui

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/secrettest"
	"github.com/pipesim/pipesim/internal/sim"
)

// chromium finds Debian's Chromium (scripts/install-chromium.sh installs it; CI runs that). Where
// it is not installed the browser test skips with a notice, except under CI=true, where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("PIPESIM_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium at /usr/bin/chromium: CI must run scripts/install-chromium.sh")
	}
	t.Skip("NOTICE: no Chromium at /usr/bin/chromium; scripts/install-chromium.sh installs Debian's (as root): the browser test of the web page is skipped")
	return ""
}

// browser starts a headless Chromium with the flags that work on these machines (no sandbox as
// root, no background networking: the network is closed) and a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no deadline (see chromedp.Run)
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// The orders design of issue 12: a table with a composite key whose stream feeds a pipe that
// sends big orders to a webhook that does not exist yet (answered by pipesim: a local
// destination), and an audit pipe, without a filter, that sends every record to an audit service
// (a real HTTP server here, which fails once).
const ordersDesign = `
Tables:
  - TableName: %[1]s
    AttributeDefinitions: [{AttributeName: customerId, AttributeType: S}, {AttributeName: orderId, AttributeType: N}]
    KeySchema: [{AttributeName: customerId, KeyType: HASH}, {AttributeName: orderId, KeyType: RANGE}]
    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}
Connections:
  - Name: hooks
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: "${HOOK_KEY}"}
      InvocationHttpParameters:
        QueryStringParameters: [{Key: sig, Value: "${HOOK_SIG}", IsValueSecret: true}]
ApiDestinations:
  - {Name: webhook, ConnectionArn: hooks, InvocationEndpoint: "https://hooks.example.com/orders", HttpMethod: POST}
  - {Name: audit, ConnectionArn: hooks, InvocationEndpoint: "${AUDIT_URL}/audit", HttpMethod: POST}
Pipes:
  - Name: big-orders
    Source: %[1]s
    SourceParameters:
      FilterCriteria: {Filters: [{Pattern: '{"dynamodb": {"NewImage": {"status": {"S": ["big"]}}}}'}]}
      DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: 1, MaximumRetryAttempts: 3}
    Target: webhook
    TargetParameters:
      InputTemplate: '{"customer": <$.dynamodb.Keys.customerId.S>, "order": <$.dynamodb.Keys.orderId.N>, "total": <$.dynamodb.NewImage.total.N>}'
  - Name: audit
    Source: %[1]s
    SourceParameters:
      DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: 1, MaximumRetryAttempts: 3}
    Target: audit
`

// pageSim runs a design with the page in front of it, as run --web does, and returns the page's
// URL (with the run's token) and the simulation.
func pageSim(t *testing.T, opts sim.Options) (string, *sim.Sim) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := sim.Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ui := &Server{DynamoDB: s.DynamoDB, Tables: s.PageTables(ctx), Caches: s.Config.Caches, Queues: s.Config.Queues,
		MomentoURL: s.MomentoURL, Pipes: PipesOf(s.Config, s.MomentoURL, s.IsLocal), Secrets: SecretsOf(s.Config),
		Token: NewToken(), Hosts: Hosts(ln.Addr(), ""), DeadLetters: s.DLQ.Messages}
	if s.MomentoURL != "" {
		ui.Momento = &momento.Client{BaseURL: s.MomentoURL, Token: s.MomentoToken}
		ui.Topics = TopicsOf(s.Config)
	}
	s.AlsoTrace(ui.Trace)
	ui.Subscribe(ctx)
	srv := &http.Server{Handler: ui.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("pipes stopped before they were ready: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
		s.Close()
	})
	return fmt.Sprintf("http://%s/?token=%s", ln.Addr(), ui.Token), s
}

// TestPageInBrowser drives the page in headless Chromium with the orders design: the item form is
// built from the table's key schema (a string partition key, a number sort key); each put shows up
// live, over server-sent events, as a record with each pipe's filter decision, the request its
// destination was sent, the answer and the retries; the pipe filter hides the other pipes; the
// destinations' side says which destination pipesim answered itself and shows what each was sent;
// and no form of the connection's secrets is anywhere on the page.
func TestPageInBrowser(t *testing.T) {
	ctx := browser(t)
	const hookKey, hookSig = "sp ace/slash?q=1&x#-hook-key", `a<b>&c "sig"`
	var auditCalls atomic.Int32
	audit := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auditCalls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // the first request fails, and is retried
			io.WriteString(w, "audit is starting")
			return
		}
		// An answer that echoes the API key: the page must show it as ********.
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"audited": true, "key": %q}`, r.Header.Get("x-api-key"))
	}))
	defer audit.Close()
	table := "orders-browser"
	dir := t.TempDir()
	pipes := filepath.Join(dir, "pipes.yaml")
	if err := os.WriteFile(pipes, []byte(fmt.Sprintf(ordersDesign, table)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOOK_KEY": hookKey, "HOOK_SIG": hookSig, "AUDIT_URL": audit.URL}
	url, _ := pageSim(t, sim.Options{PipesFile: pipes, DynamoDBEndpoint: ddblocaltest.Endpoint(t), StateDir: filepath.Join(dir, "state"),
		PollInterval: 50 * time.Millisecond, LocalDestinations: []string{"webhook"},
		Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Retry:  pipe.Options{Backoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}})

	browse(t, ctx, "open the page",
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`#live.on`)),
		chromedp.WaitVisible(chromedp.CSS(`#key-fields input[data-key="orderId"]`)))
	labels := read(t, ctx, chromedp.Text(chromedp.CSS(`#key-fields`)))
	if !strings.Contains(labels, "customerId (partition key, string)") || !strings.Contains(labels, "orderId (sort key, number)") {
		t.Errorf("the item form's labels = %q; want the table's key schema", labels)
	}
	// The sample item is made of what the pipes read: the string big-orders' filter wants, the
	// number its template reads; the notes say which pipe reads what.
	sample := read(t, ctx, chromedp.Evaluate[map[string]any](`JSON.parse(document.getElementById("attributes").value)`))
	if want := map[string]any{"status": "big", "total": float64(60)}; !cmp.Equal(sample, want) {
		t.Errorf("the sample item = %v; want %v", sample, want)
	}
	notes := read(t, ctx, chromedp.Text(chromedp.CSS(`#sample-note`)))
	for _, want := range []string{`big-orders: its filter reads status = "big"; its template reads total`, "audit: reads no attribute of the item beyond its key"} {
		if !strings.Contains(notes, want) {
			t.Errorf("the sample's notes = %q; want %q", notes, want)
		}
	}

	big, auditSel := `.record .pipe-row[data-pipe="big-orders"]`, `.record .pipe-row[data-pipe="audit"]`
	browse(t, ctx, "put the sample item, a big order",
		chromedp.SetValue(chromedp.CSS(`#key-0`), "c-1"),
		chromedp.SetValue(chromedp.CSS(`#key-1`), "42"),
		chromedp.Click(chromedp.CSS(`#put`)),
		chromedp.WaitVisible(chromedp.CSS(big+` .outcome.succeeded`)),
		chromedp.WaitVisible(chromedp.CSS(auditSel+` .outcome.retrying`)),
		chromedp.WaitVisible(chromedp.CSS(auditSel+` .outcome.succeeded`)))
	bigRow := read(t, ctx, chromedp.Text(chromedp.CSS(big)))
	auditRow := read(t, ctx, chromedp.Text(chromedp.CSS(auditSel)))
	for _, want := range []string{"filters let it through", "POST https://hooks.example.com/orders?sig=********", "200 OK"} {
		if !strings.Contains(bigRow, want) {
			t.Errorf("big-orders row = %q; want %q", bigRow, want)
		}
	}
	for _, want := range []string{"retrying", "503 Service Unavailable", "attempt 1 of 4 failed; next in", "behind it on shard", "succeeded",
		"POST " + audit.URL + "/audit?sig=********"} {
		if !strings.Contains(auditRow, want) {
			t.Errorf("audit row = %q; want %q", auditRow, want)
		}
	}
	if body, want := read(t, ctx, chromedp.TextContent(chromedp.CSS(big+` .request-body`))), `{"customer": "c-1", "order": "42", "total": "60"}`; body != want {
		t.Errorf("big-orders request body = %q; want %q (numbers arrive as strings, as from a stream)", body, want)
	}
	if body, want := read(t, ctx, chromedp.TextContent(chromedp.CSS(big+` .response-body`))), sim.LocalAnswer; body != want {
		t.Errorf("big-orders response body = %q; want %q, the local receiver's answer", body, want)
	}
	answers := read(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.pipe-row[data-pipe="audit"] .response-body')].map((e) => e.textContent)`))
	if want := []string{"audit is starting", `{"audited": true, "key": "********"}`}; !cmp.Equal(answers, want) {
		t.Errorf("audit's response bodies = %q; want %q (the echoed key as ********)", answers, want)
	}

	browse(t, ctx, "put a small order",
		chromedp.SetValue(chromedp.CSS(`#key-1`), "43"),
		chromedp.SetValue(chromedp.CSS(`#attributes`), `{"status": "small", "total": 5}`),
		chromedp.Click(chromedp.CSS(`#put`)),
		chromedp.WaitVisible(chromedp.CSS(big+` .outcome.filtered`)))

	browse(t, ctx, "show only big-orders", chromedp.Steps(func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](`(() => { const s = document.getElementById("pipe-filter"); s.value = "big-orders"; s.dispatchEvent(new Event("change")); })()`)(ctx, tg)
		return chromedp.Void{}, err
	}))
	if hidden := read(t, ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll('.pipe-row[data-pipe="audit"]')].every((r) => r.hidden || r.closest(".record").hidden)`)); !hidden {
		t.Error("with the pipe filter on big-orders, audit's rows are still shown")
	}

	browse(t, ctx, "wait for the table's items", chromedp.WaitVisible(chromedp.CSS(`#tables table[data-table="`+table+`"] td`)))
	dests := read(t, ctx, chromedp.Text(chromedp.CSS(`#destinations`)))
	items := read(t, ctx, chromedp.Text(chromedp.CSS(`#tables`)))
	for _, want := range []string{"webhook: POST https://hooks.example.com/orders", "Answered by pipesim itself", `{"customer": "c-1", "order": "42", "total": "60"}`,
		"audit: POST " + audit.URL + "/audit", "pipesim sends to this endpoint"} {
		if !strings.Contains(dests, want) {
			t.Errorf("destinations = %q; want %q", dests, want)
		}
	}
	if !strings.Contains(items, "c-1") || !strings.Contains(items, "43") {
		t.Errorf("table items = %q; want the two orders", items)
	}

	browse(t, ctx, "delete the big order by its key",
		chromedp.SetValue(chromedp.CSS(`#key-1`), "42"),
		chromedp.Click(chromedp.CSS(`#delete`)))
	read(t, ctx, chromedp.Poll[bool](`[...document.querySelectorAll(".record .head")].some((h) => h.textContent.startsWith("REMOVE"))`))

	html := read(t, ctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
	for _, secret := range []string{hookKey, hookSig} {
		if form := secrettest.Leak(html, secret); form != "" {
			t.Errorf("the page holds the secret %q as %q", secret, form)
		}
	}
	if !strings.Contains(strings.ToLower(html), "x-api-key: ********") {
		t.Error("the page does not show the request's x-api-key header as ********")
	}
}

// TestPageInBrowserMomento drives the page with the seed design on the embedded Momento: the
// sample item is made of what its pipes read, a put shows each pipe's decision (the delete pipe
// filters the INSERT out), and the destinations' side shows the cache item the put pipe wrote and
// the message the topic pipe published; a delete shows the REMOVE and the item gone from the cache.
func TestPageInBrowserMomento(t *testing.T) {
	ctx := browser(t)
	seed, err := os.ReadFile("../../testdata/weather-stats/pipes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pipes := filepath.Join(dir, "pipes.yaml")
	design := strings.ReplaceAll(string(seed), "weather-stats-demo", "weather-browser") // this test's own names
	if err := os.WriteFile(pipes, []byte(design), 0o644); err != nil {
		t.Fatal(err)
	}
	url, s := pageSim(t, sim.Options{PipesFile: pipes, DynamoDBEndpoint: ddblocaltest.Endpoint(t), StateDir: filepath.Join(dir, "state"),
		PollInterval: 50 * time.Millisecond, Lookup: func(string) (string, bool) { return "", false }})

	browse(t, ctx, "open the page", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`#live.on`)),
		chromedp.WaitVisible(chromedp.CSS(`#key-fields input[data-key="Location"]`)))
	sample := read(t, ctx, chromedp.Evaluate[map[string]any](`JSON.parse(document.getElementById("attributes").value)`))
	if want := map[string]any{"MaxTemp": float64(60), "MinTemp": float64(60), "ChancesOfPrecipitation": float64(60), "TTL": float64(60)}; !cmp.Equal(sample, want) {
		t.Errorf("the seed's sample item = %v; want %v", sample, want)
	}

	put, topic, del := `.record .pipe-row[data-pipe="weather-browser-cache-put-pipe"]`, `.record .pipe-row[data-pipe="weather-browser-topic-publish-pipe"]`,
		`.record .pipe-row[data-pipe="weather-browser-cache-delete-pipe"]`
	cell := `#destinations table.cache[data-cache="momento-eventbridge-cache"] tr[data-key="Phoenix"] td.mono + td`
	browse(t, ctx, "put Phoenix",
		chromedp.SetValue(chromedp.CSS(`#key-0`), "Phoenix"),
		chromedp.Click(chromedp.CSS(`#put`)),
		chromedp.WaitVisible(chromedp.CSS(put+` .outcome.succeeded`)),
		chromedp.WaitVisible(chromedp.CSS(topic+` .outcome.succeeded`)),
		chromedp.WaitVisible(chromedp.CSS(del+` .outcome.filtered`)),
		chromedp.WaitVisible(chromedp.CSS(`#destinations .topic pre`)))
	read(t, ctx, chromedp.Poll[bool](`document.querySelector('`+cell+`')?.textContent.includes('"MaxTemp": "60"')`))
	if row := read(t, ctx, chromedp.Text(chromedp.CSS(put))); !strings.Contains(row, "PUT ") || !strings.Contains(row, "/cache/momento-eventbridge-cache?key=Phoenix&ttl_seconds=60") {
		t.Errorf("cache-put row = %q; want its PUT with key and ttl_seconds", row)
	}
	if msg := read(t, ctx, chromedp.Text(chromedp.CSS(`#destinations .topic`))); !strings.Contains(msg, `"EventType": "INSERT"`) || !strings.Contains(msg, "topic momento-eventbridge-topic") {
		t.Errorf("topic = %q; want the INSERT message the topic pipe published", msg)
	}
	html := read(t, ctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
	if form := secrettest.Leak(html, s.MomentoToken); form != "" {
		t.Errorf("the page holds the Momento API key as %q", form)
	}
	if !strings.Contains(html, "Authorization: ********") {
		t.Error("the page does not show the requests' Authorization header as ********")
	}

	browse(t, ctx, "delete Phoenix", chromedp.Click(chromedp.CSS(`#delete`)),
		chromedp.WaitVisible(chromedp.CSS(del+` .outcome.succeeded`)))
	read(t, ctx, chromedp.Poll[bool](`document.querySelector('`+cell+`')?.textContent === "(miss)"`))
}

// stepTimeout bounds one step of the browser test.
const stepTimeout = time.Minute

// browse runs browser actions, failing the test with what was being done and the page's text.
// ctx is the browser's (see browser): each call has its own deadline.
func browse(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("%s: %v\nthe page:\n%s", what, err, pageText(ctx))
	}
}

// read runs one browser action and returns its value, failing the test on error.
func read[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%v\nthe page:\n%s", err, pageText(ctx))
	}
	return v
}

// pageText is the page's address and visible text, for a failure message.
func pageText(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return text
}

package pipesim_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/cdktest"
	"github.com/pipesim/pipesim/internal/ddblocal"
)

// The README's examples run as written: TestREADMEExamples reads every command of README.md's
// ```sh blocks and runs it with sh in a scratch directory laid out as the README assumes (the
// repository's testdata, a cdk.out from a real `cdk synth`, a design of the user's own in
// my/pipes.yaml, a template and a record for transform), against the DynamoDB Local and the
// embedded Momento that pipesim starts itself, and checks its exit status. A command that serves
// (run, momento serve, dynamodb serve, logs --follow) runs until it says it is ready, does what
// the README says it is for (a put whose request arrives, a page that answers), and gets Ctrl-C,
// which must end it with status 0.
//
// Ports and state are the test's own: a fixed port of the README (8000, 8080, Momento's 9080 and
// 9081) becomes a free loopback port, and nothing else of a command changes. Each command the
// README shows must have an entry in readmeExamples, and each entry a command in the README, so
// the two cannot drift apart.

// readmeCommand is one command of a ```sh block: its text without a trailing comment, the
// heading it is under and its line in README.md.
type readmeCommand struct {
	text, heading string
	line          int
}

// readmeCommands reads the commands of README.md's sh blocks, in order.
func readmeCommands(t *testing.T, path string) []readmeCommand {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeCommand
	heading, inSh, inOther := "", false, false
	for i, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```") && (inSh || inOther):
			inSh, inOther = false, false
		case trimmed == "```sh":
			inSh = true
		case strings.HasPrefix(trimmed, "```"):
			inOther = true
		case inSh:
			if cmd := stripComment(trimmed); cmd != "" {
				out = append(out, readmeCommand{text: cmd, heading: heading, line: i + 1})
			}
		case !inOther && strings.HasPrefix(line, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
		}
	}
	return out
}

// stripComment removes a shell comment (a # at the start or after a blank, outside quotes).
func stripComment(line string) string {
	var quote rune
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return strings.TrimSpace(line[:i])
		}
	}
	return strings.TrimSpace(line)
}

// readmeExample says how the test runs one README command.
type readmeExample struct {
	// skip, when set, says why the test does not run the command.
	skip string
	// skipUnder skips the command under this heading only (with skip as the reason).
	skipUnder string
	// edit substitutes the test's ports into the command; nil runs it as written.
	edit func(e *readmeEnv, cmd string) string
	// ready, for a command that serves until Ctrl-C, is what it prints (stdout or stderr) once
	// it serves; "\n" is its first line of output.
	ready string
	// during runs while a serving command is up, before it gets Ctrl-C; out is what the command
	// printed so far.
	during func(t *testing.T, e *readmeEnv, out func() string)
	// duringCommands are README commands run while this one serves (they need it), in order.
	duringCommands []string
	// retry runs the command again until it exits 0 (for at most a minute): what it reads is
	// made by a pipe that may not have delivered yet.
	retry bool
	// env adds variables, taken from the output of the command it runs during.
	env func(e *readmeEnv) []string
}

// The README's fixed ports and where the test puts them.
var (
	ddbPort8000 = regexp.MustCompile(`(localhost|127\.0\.0\.1):8000\b`)
	webPort8080 = regexp.MustCompile(`127\.0\.0\.1:8080\b`)
)

var readmeExamples = map[string]readmeExample{
	"go run ./cmd/pipesim demo": {skipUnder: "Real Momento", skip: "real Momento needs an account's endpoint and key (the cp line before it), and this machine reaches no Momento",
		edit: func(e *readmeEnv, cmd string) string {
			return strings.Replace(cmd, "go run ./cmd/pipesim", "./pipesim", 1)
		}},
	"go test ./...":                     {skip: "it is the command that runs this test"},
	"go build -o pipesim ./cmd/pipesim": {skip: "the test runs it first, with the binary written to the scratch directory (see buildREADMEPipesim)"},
	"./pipesim demo":                    {skip: "the same program and arguments as README.md's first command, go run ./cmd/pipesim demo, which the test runs"},
	"./pipesim run": {ready: "all pipes polling", during: putAndRead,
		duringCommands: []string{"./pipesim momento get momento-eventbridge-cache Phoenix"}},
	"./pipesim check --pipes my/pipes.yaml":               {},
	"./pipesim run --pipes my/pipes.yaml":                 {ready: "all pipes polling", during: putOrder},
	"./pipesim run -v":                                    {ready: "all pipes polling"},
	"./pipesim run --momento-fault cache-put=503,503,200": {ready: "all pipes polling"},
	"./pipesim run --fresh":                               {ready: "all pipes polling"},
	"./pipesim run --web 127.0.0.1:8080": {ready: "all pipes polling", during: useThePage,
		edit: func(e *readmeEnv, cmd string) string { return webPort8080.ReplaceAllString(cmd, "127.0.0.1:0") }},
	"./pipesim run --pipes my/pipes.yaml --web 127.0.0.1:8080 --local-destinations all": {ready: "all pipes polling", during: watchThePage,
		edit: func(e *readmeEnv, cmd string) string { return webPort8080.ReplaceAllString(cmd, "127.0.0.1:0") }},
	"./pipesim momento serve --cache my-cache": {ready: "momento: serving on",
		edit: func(e *readmeEnv, cmd string) string { return cmd + " --addr 127.0.0.1:0 --grpc-addr 127.0.0.1:0" }},
	"./pipesim momento get momento-eventbridge-cache Phoenix": {retry: true, env: momentoEnv},
	"./pipesim dynamodb serve": {ready: "DynamoDB Local serving",
		edit: func(e *readmeEnv, cmd string) string { return cmd + " --port " + strconv.Itoa(e.ddbPort) },
		duringCommands: []string{
			"./pipesim capture --source weather-stats-demo --endpoint http://localhost:8000 > records.jsonl",
			"./pipesim dlq redrive --queue weather-stats-demo-dlq --dynamodb-endpoint http://localhost:8000",
		}},
	"./pipesim capture --source weather-stats-demo --endpoint http://localhost:8000 > records.jsonl": {edit: toDynamoDBServe},
	"./pipesim replay --records records.jsonl --dry-run":                                             {},
	"./pipesim test testdata/weather-stats/pipes_test.yaml":                                          {},
	"./pipesim logs --pipe weather-stats-demo-cache-put-pipe --follow":                               {ready: "\n"},
	"./pipesim dlq list": {},
	"./pipesim dlq redrive --queue weather-stats-demo-dlq --dynamodb-endpoint http://localhost:8000":                                     {edit: toDynamoDBServe},
	"./pipesim dlq purge --queue weather-stats-demo-dlq":                                                                                 {},
	"./pipesim transform --input-template file://t.json --event file://record.json":                                                      {},
	`./pipesim test-pattern --event-pattern '{"eventName":["INSERT"]}' --event file://record.json`:                                       {},
	"./pipesim run --template stack.template.yaml --parameter-overrides ApiEndpoint=https://api.example.com ApiKey=$KEY":                 {ready: "all pipes polling"},
	"./pipesim run --template cdk.out --stack OrdersStack --parameter-overrides ApiEndpoint=https://api.example.com ApiKey=$KEY":         {ready: "all pipes polling"},
	"./pipesim convert --template cdk.out --parameter-overrides ApiEndpoint=https://api.example.com ApiKey=$KEY > pipes.yaml":            {},
	"ApiKey=$KEY ./pipesim run --pipes pipes.yaml":                                                                                       {ready: "all pipes polling"},
	"./pipesim demo --template testdata/weather-stats/weather-stats.template.json --momento-parameters MomentoApiEndpoint,MomentoApiKey": {},
	"./pipesim momento key >> .env": {edit: func(e *readmeEnv, cmd string) string {
		return strings.Replace(cmd, " >> ", fmt.Sprintf(" --addr 127.0.0.1:%d --dynamodb-endpoint http://127.0.0.1:%d >> ", e.grpcPort, e.appDDBPort), 1)
	}},
	"./pipesim run --dynamodb-port 8000": {ready: "all pipes polling", during: checkAppDynamoDB,
		edit: func(e *readmeEnv, cmd string) string {
			return strings.Replace(cmd, "--dynamodb-port 8000", "--dynamodb-port "+strconv.Itoa(e.appDDBPort), 1)
		}},
	"cp testdata/weather-stats/.env.example .env": {skip: "real Momento needs an account's endpoint and key, and this machine reaches no Momento"},
}

// toDynamoDBServe points a command at the `pipesim dynamodb serve` it runs during.
func toDynamoDBServe(e *readmeEnv, cmd string) string {
	return ddbPort8000.ReplaceAllString(cmd, "${1}:"+strconv.Itoa(e.ddbPort))
}

// readmeEnv is the scratch directory the commands run in, and the test's ports.
type readmeEnv struct {
	dir, root  string
	env        []string
	ddbPort    int // dynamodb serve's, for README's localhost:8000
	appDDBPort int // run --dynamodb-port's, for README's 8000 there
	grpcPort   int // the gRPC address momento key names (README: 9081)
	webhook    *httptest.Server
	hooked     atomic.Int32

	mu      sync.Mutex
	serving map[string]string // what each serving command printed, by command
}

func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every command of the README")
	}
	e := newREADMEEnv(t)
	cmds := readmeCommands(t, filepath.Join(e.root, "README.md"))
	checkREADMEExamples(t, cmds)
	buildREADMEPipesim(t, e, cmds)
	during := map[string]bool{}
	for _, ex := range readmeExamples {
		for _, c := range ex.duringCommands {
			during[c] = true
		}
	}
	for _, c := range cmds {
		ex := readmeExamples[c.text]
		start := time.Now()
		switch {
		case ex.skip != "" && (ex.skipUnder == "" || ex.skipUnder == c.heading):
			t.Logf("README.md:%d: %s: not run: %s", c.line, c.text, ex.skip)
		case during[c.text]:
			// run while the command it needs serves
		case ex.ready != "":
			e.serve(t, c, ex)
		default:
			e.run(t, c, ex, nil)
		}
		t.Logf("README.md:%d: %s: %s", c.line, c.text, time.Since(start).Round(100*time.Millisecond))
		if t.Failed() {
			return // the commands after it build on what it did
		}
	}
}

// checkREADMEExamples fails for a README command the test does not know, and for an entry of
// readmeExamples the README no longer has.
func checkREADMEExamples(t *testing.T, cmds []readmeCommand) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cmds {
		seen[c.text] = true
		if _, ok := readmeExamples[c.text]; !ok {
			t.Errorf("README.md:%d: %q: add it to readmeExamples, saying how the test runs it", c.line, c.text)
		}
	}
	for text, ex := range readmeExamples {
		if !seen[text] {
			t.Errorf("readmeExamples has %q, which README.md no longer shows", text)
		}
		for _, d := range ex.duringCommands {
			if !seen[d] {
				t.Errorf("readmeExamples[%q] runs %q during it, which README.md does not show", text, d)
			}
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// buildREADMEPipesim runs the README's `go build -o pipesim ./cmd/pipesim` in the module, with
// the binary written to the scratch directory, where the README's ./pipesim finds it.
func buildREADMEPipesim(t *testing.T, e *readmeEnv, cmds []readmeCommand) {
	t.Helper()
	const build = "go build -o pipesim ./cmd/pipesim"
	if !slices.ContainsFunc(cmds, func(c readmeCommand) bool { return c.text == build }) {
		t.Fatalf("README.md no longer builds pipesim with %q", build)
	}
	cmd := exec.Command("sh", "-c", strings.Replace(build, "-o pipesim", "-o "+filepath.Join(e.dir, "pipesim"), 1))
	cmd.Dir, cmd.Env = e.root, e.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, out)
	}
}

func newREADMEEnv(t *testing.T) *readmeEnv {
	t.Helper()
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	e := &readmeEnv{dir: t.TempDir(), root: root, serving: map[string]string{}}
	e.ddbPort, e.appDDBPort, e.grpcPort = freePort(t), freePort(t), freePort(t)
	e.webhook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") == "readme-webhook-key" {
			e.hooked.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(e.webhook.Close)
	for _, v := range os.Environ() { // the developer's own endpoints and keys stay out
		name, _, _ := strings.Cut(v, "=")
		if !slices.Contains([]string{ddblocal.EnvEndpoint, "MOMENTO_API_ENDPOINT", "MOMENTO_API_KEY", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"}, name) {
			e.env = append(e.env, v)
		}
	}
	e.env = append(e.env, "KEY=readme-api-key", "NO_COLOR=1")
	e.layOut(t)
	return e
}

// freePort is a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// readmeOrders is the user's own design of the README's `--pipes my/pipes.yaml`: an orders
// table whose stream feeds a pipe that POSTs big orders to a webhook (the test's), its key in
// the .env beside the pipes file.
const readmeOrders = `Tables:
  - TableName: readme-orders
    AttributeDefinitions: [{AttributeName: orderId, AttributeType: S}]
    KeySchema: [{AttributeName: orderId, KeyType: HASH}]
    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_IMAGE}
Connections:
  - Name: webhook
    AuthorizationType: API_KEY
    AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: "${WEBHOOK_KEY}"}}
ApiDestinations:
  - {Name: webhook, ConnectionArn: webhook, InvocationEndpoint: "${WEBHOOK_URL}/orders", HttpMethod: POST}
Pipes:
  - Name: big-orders
    Source: readme-orders
    SourceParameters:
      FilterCriteria: {Filters: [{Pattern: '{"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"size": {"S": ["big"]}}}}'}]}
      DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: 1, MaximumRetryAttempts: 3}
    Target: webhook
    TargetParameters:
      InputTemplate: '{"order": <$.dynamodb.Keys.orderId.S>}'
`

// layOut makes the files the README's commands name, in the scratch directory.
func (e *readmeEnv) layOut(t *testing.T) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(e.root, "testdata"), filepath.Join(e.dir, "testdata")))
	cdkOut := cdktest.Out(t)
	must(os.Symlink(cdkOut, filepath.Join(e.dir, "cdk.out")))
	stack, err := os.ReadFile(filepath.Join(cdkOut, "OrdersStack.template.json")) // JSON is YAML
	must(err)
	must(os.WriteFile(filepath.Join(e.dir, "stack.template.yaml"), stack, 0o644))
	must(os.MkdirAll(filepath.Join(e.dir, "my"), 0o755))
	must(os.WriteFile(filepath.Join(e.dir, "my", "pipes.yaml"), []byte(readmeOrders), 0o644))
	must(os.WriteFile(filepath.Join(e.dir, "my", ".env"), []byte("WEBHOOK_URL="+e.webhook.URL+"\nWEBHOOK_KEY=readme-webhook-key\n"), 0o600))
	event := filepath.Join(e.root, "testdata", "template", "seed-cache-put-insert")
	for src, dst := range map[string]string{"event.json": "record.json", "template.txt": "t.json"} {
		data, err := os.ReadFile(filepath.Join(event, src))
		must(err)
		must(os.WriteFile(filepath.Join(e.dir, dst), data, 0o644))
	}
}

// command makes the shell command of a README line; sh ignores SIGINT (trap) so that Ctrl-C,
// sent to the process group as a terminal sends it, reaches pipesim alone: Go re-enables a
// signal it is notified of.
func (e *readmeEnv) command(ctx context.Context, text string, env []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "sh", "-c", `trap "" INT; `+text)
	cmd.Dir, cmd.Env = e.dir, append(slices.Clone(e.env), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func (ex readmeExample) text(e *readmeEnv, c readmeCommand) string {
	if ex.edit != nil {
		return ex.edit(e, c.text)
	}
	return c.text
}

// run runs a command that ends by itself and checks that it exits 0.
func (e *readmeEnv) run(t *testing.T, c readmeCommand, ex readmeExample, env []string) {
	t.Helper()
	text := ex.text(e, c)
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		out, err := e.command(ctx, text, env).CombinedOutput()
		cancel()
		if err == nil {
			return
		}
		if !ex.retry || time.Now().After(deadline) {
			t.Errorf("README.md:%d: %s: %v (want exit status 0)\n%s", c.line, text, err, tail(out))
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// lockedBuffer collects a serving command's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve starts a command that serves until Ctrl-C, waits for its ready line, runs what runs
// during it, then interrupts it and checks that it exits 0.
func (e *readmeEnv) serve(t *testing.T, c readmeCommand, ex readmeExample) {
	t.Helper()
	text := ex.text(e, c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out lockedBuffer
	cmd := e.command(ctx, text, nil)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	fail := func(format string, args ...any) {
		t.Helper()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		t.Errorf("README.md:%d: %s: %s\n%s", c.line, text, fmt.Sprintf(format, args...), tail([]byte(out.String())))
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(out.String(), ex.ready) {
		select {
		case err := <-exited:
			t.Errorf("README.md:%d: %s: ended before it served: %v\n%s", c.line, text, err, tail([]byte(out.String())))
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			fail("did not print %q within 2 minutes", ex.ready)
			return
		}
	}
	e.mu.Lock()
	e.serving[c.text] = out.String()
	e.mu.Unlock()
	if ex.during != nil {
		ex.during(t, e, out.String)
	}
	for _, d := range ex.duringCommands {
		dex := readmeExamples[d]
		var env []string
		if dex.env != nil {
			env = dex.env(e)
		}
		e.run(t, readmeCommand{text: d, heading: c.heading, line: c.line}, dex, env)
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) // Ctrl-C
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("README.md:%d: %s: after Ctrl-C: %v (want exit status 0)\n%s", c.line, text, err, tail([]byte(out.String())))
		}
	case <-time.After(time.Minute):
		fail("still running a minute after Ctrl-C")
	}
}

// tail is the end of a command's output, for a failure message.
func tail(out []byte) string {
	const keep = 4000
	if len(out) > keep {
		out = append([]byte("..."), out[len(out)-keep:]...)
	}
	return string(out)
}

// printed finds the value a serving command printed after prefix, up to a blank.
func printed(out, prefix string) string {
	_, rest, ok := strings.Cut(out, prefix)
	if !ok {
		return ""
	}
	value, _, _ := strings.Cut(rest, " ")
	value, _, _ = strings.Cut(value, "\n")
	return strings.TrimRight(value, ")")
}

// dynamoDB is a client of the DynamoDB Local a serving command said it uses.
func dynamoDB(t *testing.T, out string) *dynamodb.Client {
	t.Helper()
	endpoint := printed(out, "AWS_ENDPOINT_URL_DYNAMODB=")
	if endpoint == "" {
		t.Fatalf("no AWS_ENDPOINT_URL_DYNAMODB=... line in:\n%s", tail([]byte(out)))
	}
	db, _, err := ddblocal.Client(context.Background(), endpoint, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func putItem(t *testing.T, db *dynamodb.Client, table string, item map[string]types.AttributeValue) {
	t.Helper()
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("put into %s: %v", table, err)
	}
}

// putAndRead puts Phoenix into the seed's table while `./pipesim run` serves, for the README's
// `momento get ... Phoenix` (which the test runs then, with the endpoint and key run printed).
func putAndRead(t *testing.T, e *readmeEnv, out func() string) {
	putItem(t, dynamoDB(t, out()), "weather-stats-demo", map[string]types.AttributeValue{
		"Location": &types.AttributeValueMemberS{Value: "Phoenix"}, "MaxTemp": &types.AttributeValueMemberN{Value: "110"},
		"TTL": &types.AttributeValueMemberN{Value: "300"}})
}

// momentoEnv is MOMENTO_API_ENDPOINT and MOMENTO_API_KEY as `./pipesim run` printed them.
func momentoEnv(e *readmeEnv) []string {
	e.mu.Lock()
	out := e.serving["./pipesim run"]
	e.mu.Unlock()
	return []string{"MOMENTO_API_ENDPOINT=" + printed(out, "MOMENTO_API_ENDPOINT="), "MOMENTO_API_KEY=" + printed(out, "MOMENTO_API_KEY=")}
}

// putOrder puts a big order into the user's own design and waits for the webhook to get it.
func putOrder(t *testing.T, e *readmeEnv, out func() string) {
	putItem(t, dynamoDB(t, out()), "readme-orders", map[string]types.AttributeValue{
		"orderId": &types.AttributeValueMemberS{Value: "o-1"}, "size": &types.AttributeValueMemberS{Value: "big"}})
	waitUntil(t, func() bool { return e.hooked.Load() > 0 })
}

var pageURLLine = regexp.MustCompile(`web page on (http://\S+/\?token=([0-9a-f]+))`)

// useThePage opens the page run --web printed and puts, through it, an item without a TTL: its
// cache PUT gets ttl_seconds=, the embedded Momento answers 400 and the batch is dead-lettered,
// which dlq list, redrive and purge then find.
func useThePage(t *testing.T, e *readmeEnv, out func() string) {
	m := pageURLLine.FindStringSubmatch(out())
	if m == nil {
		t.Fatalf("no page URL in:\n%s", tail([]byte(out())))
	}
	res, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d; want the page", m[1], res.StatusCode)
	}
	base, _, _ := strings.Cut(m[1], "/?")
	req, _ := http.NewRequest("PUT", base+"/api/tables/weather-stats-demo/items", strings.NewReader(`{"Location": "Oslo", "MaxTemp": 5}`))
	req.Header.Set("X-Pipesim-Token", m[2])
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("PUT an item through the page = %d %s", res.StatusCode, body)
	}
	waitUntil(t, func() bool {
		_, err := os.Stat(filepath.Join(e.dir, ".pipesim", "dlq", "weather-stats-demo-dlq.json"))
		return err == nil
	})
}

// watchThePage puts a big order through the page of the user's own design and reads the page's
// event stream until the execution arrives: sent, and answered by pipesim (--local-destinations),
// so the webhook itself gets nothing.
func watchThePage(t *testing.T, e *readmeEnv, out func() string) {
	m := pageURLLine.FindStringSubmatch(out())
	if m == nil {
		t.Fatalf("no page URL in:\n%s", tail([]byte(out())))
	}
	base, _, _ := strings.Cut(m[1], "/?")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	events, err := http.NewRequestWithContext(ctx, "GET", base+"/api/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(events)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	hooked := e.hooked.Load()
	req, _ := http.NewRequest("PUT", base+"/api/tables/readme-orders/items", strings.NewReader(`{"orderId": "o-2", "size": "big"}`))
	req.Header.Set("X-Pipesim-Token", m[2])
	put, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	put.Body.Close()
	if put.StatusCode != http.StatusOK {
		t.Fatalf("PUT an order through the page = %d", put.StatusCode)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "data: ") && strings.Contains(line, `"pipe":"big-orders"`) && strings.Contains(line, `"outcome":"succeeded"`) {
			if !strings.Contains(line, `"body":"{}"`) || !strings.Contains(line, `"x-api-key":["********"]`) && !strings.Contains(line, `"X-Api-Key":["********"]`) {
				t.Errorf("the page's execution = %s; want the redacted request and pipesim's answer {}", line)
			}
			if e.hooked.Load() != hooked {
				t.Error("the webhook got the request: --local-destinations all should have answered it")
			}
			return
		}
	}
	t.Fatalf("the page's event stream ended without the order's execution: %v", sc.Err())
}

// checkAppDynamoDB: `run --dynamodb-port` puts DynamoDB Local where the .env that
// `momento key` wrote points applications.
func checkAppDynamoDB(t *testing.T, e *readmeEnv, out func() string) {
	env, err := os.ReadFile(filepath.Join(e.dir, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:%d", e.appDDBPort)
	if !strings.Contains(string(env), want) {
		t.Errorf(".env = %s; want %s", env, want)
	}
	if _, err := dynamoDB(t, out()).ListTables(context.Background(), &dynamodb.ListTablesInput{}); err != nil {
		t.Errorf("DynamoDB Local on the port of --dynamodb-port: %v", err)
	}
	sc := bufio.NewScanner(strings.NewReader(out()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "DynamoDB Local on ") && !strings.Contains(sc.Text(), ":"+strconv.Itoa(e.appDDBPort)) {
			t.Errorf("run --dynamodb-port %d says %q", e.appDDBPort, sc.Text())
		}
	}
}

// waitUntil waits for cond, for at most two minutes.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

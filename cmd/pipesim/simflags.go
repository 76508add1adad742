package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/cfn"
	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sim"
	"github.com/pipesim/pipesim/internal/stream"
	"github.com/pipesim/pipesim/internal/template"
)

// designFlags say where the design comes from: pipesim's own pipes file, or the team's
// infrastructure (a CloudFormation template or cdk.out) with what it needs to resolve. Every
// command that takes --pipes registers them (through pipeFlags, or alone), and loads through
// design, so they all read the same inputs.
type designFlags struct {
	pipesFile      string
	template       string
	stack          string
	parameters     keyValues
	region         string
	account        string
	imports        keyValues
	secrets        keyValues
	momentoParams  string
	templateNotice io.Writer // where a template's notes go; nil: nowhere
}

func (f *designFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.pipesFile, "pipes", "", "pipes file (YAML or JSON); empty uses the embedded weather-stats design")
	fs.StringVar(&f.template, "template", "", "run the design from a CloudFormation template (JSON or YAML, SAM too) or a cdk.out directory instead (see docs/cloudformation.md)")
	fs.StringVar(&f.stack, "stack", "", "the stack of a cdk.out directory with several; also AWS::StackName")
	fs.Var(&f.parameters, "parameter-overrides", "template parameters as `Key=Value ...` (as aws cloudformation deploy takes them; repeatable); SSM parameter values by name too")
	fs.StringVar(&f.region, "region", "", "AWS::Region of the template (default: the cdk.out stack's, else "+config.DefaultRegion+")")
	fs.StringVar(&f.account, "account", "", "AWS::AccountId of the template (default: the cdk.out stack's, else "+config.DefaultAccountID+")")
	fs.Var(&f.imports, "import", "the value of Fn::ImportValue NAME, as `NAME=VALUE` (repeatable)")
	fs.Var(&f.secrets, "secret", "a Secrets Manager secret the template reads but does not define, as `NAME=VALUE` (repeatable)")
	fs.StringVar(&f.momentoParams, "momento-parameters", "", "template parameters that take the Momento endpoint and API key pipesim uses, as `ENDPOINT[,KEY]` ($MOMENTO_API_ENDPOINT and $MOMENTO_API_KEY, else the embedded server's)")
	_ = fs.SetAnnotation("pipes", cobra.BashCompFilenameExt, []string{"yaml", "yml", "json"}) // shell completion
}

// templateFlagsSet names a template-only flag given without a template.
func (f *designFlags) templateFlagsSet() string {
	for name, set := range map[string]bool{"--stack": f.stack != "", "--parameter-overrides": len(f.parameters) > 0,
		"--region": f.region != "", "--account": f.account != "", "--import": len(f.imports) > 0,
		"--secret": len(f.secrets) > 0, "--momento-parameters": f.momentoParams != ""} {
		if set {
			return name
		}
	}
	return ""
}

// design is where the pipes come from: the pipes file, or the template (from --template, or a
// --pipes file whose content is a template). Flag errors exit 2.
func (f *designFlags) design() (string, *sim.Template, error) {
	path := f.template
	if f.template != "" && f.pipesFile != "" {
		return "", nil, &exitError{code: 2, err: fmt.Errorf("give --pipes or --template, not both")}
	}
	if path == "" && f.pipesFile != "" {
		if is, err := cfn.IsTemplate(f.pipesFile); err == nil && is {
			path = f.pipesFile
		}
	}
	if path == "" {
		if name := f.templateFlagsSet(); name != "" {
			return "", nil, &exitError{code: 2, err: fmt.Errorf("%s needs --template", name)}
		}
		return f.pipesFile, nil, nil
	}
	t := &sim.Template{Path: path, Options: cfn.Options{Stack: f.stack, Parameters: f.parameters, Region: f.region,
		Account: f.account, Imports: f.imports, Secrets: f.secrets}}
	if f.momentoParams != "" {
		endpoint, key, _ := strings.Cut(f.momentoParams, ",")
		t.Options.Bind = map[string]string{endpoint: sim.EnvMomentoEndpoint}
		if key != "" {
			t.Options.Bind[key] = sim.EnvMomentoKey
		}
	}
	if w := f.templateNotice; w != nil {
		t.Notice = func(n string) { fmt.Fprintf(w, "pipesim: %s: %s\n", path, n) }
	}
	return "", t, nil
}

// keyValues is a repeatable NAME=VALUE flag.
type keyValues map[string]string

func (kv *keyValues) String() string { return "" }
func (kv *keyValues) Type() string   { return "NAME=VALUE" }

func (kv *keyValues) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want NAME=VALUE", v)
	}
	if *kv == nil {
		*kv = keyValues{}
	}
	(*kv)[k] = val
	return nil
}

// multiValued rewrites `--parameter-overrides A=1 B=2` (the AWS CLI's spelling: one flag, many
// values) into one flag per value, which pflag takes; values end at the next argument that
// starts with - or has no =.
func multiValued(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		if a != "--parameter-overrides" && a != "-parameter-overrides" {
			continue
		}
		if i+1 < len(args) {
			out = append(out, args[i+1])
			i++
		}
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && strings.Contains(args[i+1], "=") {
			out = append(out, a, args[i+1])
			i++
		}
	}
	return out
}

// pipeFlags are the flags of every command that runs pipes (run, demo, replay): the design, how
// it loads, where state goes, and delivery. One set, so the commands cannot drift apart.
type pipeFlags struct {
	designFlags
	stateDir         string
	missing          string
	stripQuotes      bool
	allowUnsupported bool
	allowBatching    bool
	failedToDLQ      bool
	backoff          time.Duration
	maxBackoff       time.Duration
}

func (f *pipeFlags) register(fs *pflag.FlagSet) {
	f.designFlags.register(fs)
	fs.StringVar(&f.stateDir, "state-dir", ".pipesim", "directory for checkpoints (run, demo), dead-letter queues and execution logs")
	fs.StringVar(&f.missing, "missing", "", "how a template path absent from the record renders: aws, null or fail (see docs/templates.md; default: as AWS)")
	fs.BoolVar(&f.stripQuotes, "strip-object-quotes", false, "render an object placed inside a JSON string of a template quote-stripped instead of failing (see docs/templates.md)")
	fs.BoolVar(&f.allowUnsupported, "allow-unsupported-filters", false, "accept filter operators AWS Pipes rejects, with a warning")
	fs.BoolVar(&f.allowBatching, "allow-batching", false, "accept BatchSize > 1 for API destination targets (AWS rejects it) and send each batch as one JSON array")
	fs.BoolVar(&f.failedToDLQ, "failed-to-dlq", false, "send batches answered with a non-retryable status (e.g. 400) to the DLQ at once instead of retrying them")
	fs.DurationVar(&f.backoff, "backoff", time.Second, "first retry delay (doubles each retry, with jitter)")
	fs.DurationVar(&f.maxBackoff, "max-backoff", 30*time.Second, "longest retry delay")
}

// configOptions are the pipes file's load options the flags set; lookup resolves ${VAR}.
func (f *pipeFlags) configOptions(lookup config.Lookup) (config.Options, error) {
	if err := f.check(); err != nil {
		return config.Options{}, err
	}
	missing, err := template.ParseMissing(f.missing)
	if err != nil {
		return config.Options{}, fmt.Errorf("--missing: %w", err)
	}
	return config.Options{Lookup: lookup, Missing: missing, StripObjectQuotes: f.stripQuotes,
		AllowUnsupported: f.allowUnsupported, AllowBatching: f.allowBatching}, nil
}

// retry is the delivery options the flags set.
func (f *pipeFlags) retry() pipe.Options {
	return pipe.Options{Backoff: f.backoff, MaxBackoff: f.maxBackoff, FailedToDLQ: f.failedToDLQ}
}

// simFlags are the flags `run` and `demo` share: pipeFlags, and how DynamoDB Local, the
// dead-letter queues, Momento and pipesim's own diagnostics are set up.
type simFlags struct {
	pipeFlags
	dynamoDBEndpoint string
	dynamoDBPath     string
	dynamoDBPort     int
	fresh            bool
	localDests       string
	pollInterval     time.Duration
	streamReadLimit  int
	logFormat        string
	verbose          bool
	faults           map[momento.Route]momento.Fault
	momento          sim.EmbeddedOptions
	sqsEndpoint      string
	sqsProtocol      string
}

func (f *simFlags) register(fs *pflag.FlagSet) {
	f.pipeFlags.register(fs)
	fs.StringVar(&f.dynamoDBEndpoint, "dynamodb-endpoint", "", "DynamoDB Local endpoint (default $AWS_ENDPOINT_URL_DYNAMODB, else Docker, else the jar)")
	fs.StringVar(&f.dynamoDBPath, "dynamodb-path", "", "directory for DynamoDB Local's database when pipesim starts it (default: <state-dir>/dynamodb, kept across runs with the checkpoints and dead letters)")
	fs.IntVar(&f.dynamoDBPort, "dynamodb-port", 0, "port of the DynamoDB Local pipesim starts (e.g. 8000, where the AWS CLI and SDK examples point; default: a free one)")
	fs.StringVar(&f.localDests, "local-destinations", "", "answer these API `destinations` in pipesim (200 {}) instead of sending to them: all (every one that is not Momento) or NAME[,NAME...]; the trace and the web page show what each was sent")
	fs.BoolVar(&f.fresh, "fresh", false, "start clean: remove the DynamoDB Local data pipesim keeps, the checkpoints and the dead-letter queues in --state-dir (execution logs are kept)")
	fs.DurationVar(&f.pollInterval, "poll-interval", 250*time.Millisecond, "how often each shard is polled (Pipes: four times a second)")
	fs.IntVar(&f.streamReadLimit, "stream-read-limit", stream.DefaultReadLimit, "GetRecords calls per second per shard that all pipes on a stream share, as DynamoDB Streams throttles them (LimitExceededException); 0: no limit")
	fs.StringVar(&f.logFormat, "log-format", "text", "pipesim's own diagnostics: text or json")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "print each execution's request headers and body and the response's status and body (secrets as ********), more diagnostics, and DynamoDB Local's own output")
	fs.StringVar(&f.sqsEndpoint, "sqs-endpoint", os.Getenv("AWS_ENDPOINT_URL_SQS"), "send dead-letter messages to real SQS queues at this endpoint (default $AWS_ENDPOINT_URL_SQS; none: local queue files)")
	fs.StringVar(&f.sqsProtocol, "sqs-protocol", "json", "protocol the SQS endpoint speaks: json (AWS, LocalStack, ElasticMQ 1.5+) or query (goaws)")
	f.faults = map[momento.Route]momento.Fault{}
	fs.Func("momento-fault", "inject a fault into the embedded Momento server, HTTP and gRPC (repeatable, one per route); `SPEC` is\n"+momento.FaultSyntax,
		func(v string) error { return addFault(f.faults, v) })
	fs.StringVar(&f.momento.APIKey, "momento-api-key", "", "the `key` the embedded Momento accepts (default $MOMENTO_API_KEY; none: pipesim's development key, printed at start)")
	fs.StringVar(&f.momento.GRPCAddr, "momento-grpc-addr", "", "`address` of the embedded Momento's gRPC API (default: the one a development key in MOMENTO_API_KEY names, else a free port)")
	fs.Var(limitsFlag{&f.momento.Limits}, "momento-limits", "enforce Momento's soft limits in the embedded server: "+momento.LimitsSyntax)
	fs.Lookup("momento-limits").NoOptDefVal = "true" // alone, it turns the documented limits on
	fs.Var(errorStatus{&f.momento.TooLargeStatus}, "momento-too-large-status", "HTTP `status` the embedded Momento answers an item or message over its size limit with (default 429, which Pipes retries; 400 is not retried)")
	fs.Var(byteSize{&f.momento.MaxBytes}, "momento-max-bytes", "memory cap of the embedded Momento (e.g. 100MiB; default 100MiB, Momento's on-demand hot storage)")
}

func (f *simFlags) options(stderr io.Writer) (sim.Options, error) {
	if f.dynamoDBPort < 0 || f.dynamoDBPort > 65535 {
		return sim.Options{}, fmt.Errorf("--dynamodb-port %d: want a TCP port, 1 to 65535 (0: a free one)", f.dynamoDBPort)
	}
	if f.dynamoDBPort != 0 && (f.dynamoDBEndpoint != "" || os.Getenv(ddblocal.EnvEndpoint) != "") {
		return sim.Options{}, fmt.Errorf("--dynamodb-port is the port of the DynamoDB Local pipesim starts; with a DynamoDB endpoint given (--dynamodb-endpoint, %s) it starts none", ddblocal.EnvEndpoint)
	}
	if f.streamReadLimit < 0 {
		return sim.Options{}, fmt.Errorf("--stream-read-limit %d: want 0 (no limit) or more calls per second", f.streamReadLimit)
	}
	load, err := f.configOptions(nil)
	if err != nil {
		return sim.Options{}, err
	}
	if err := checkPollInterval(f.pollInterval); err != nil {
		return sim.Options{}, err
	}
	logger, err := newLogger(stderr, f.logFormat, f.verbose)
	if err != nil {
		return sim.Options{}, err
	}
	f.templateNotice = stderr
	pipesFile, tmpl, err := f.design()
	if err != nil {
		return sim.Options{}, err
	}
	o := sim.Options{
		PipesFile: pipesFile, Template: tmpl, DynamoDBEndpoint: f.dynamoDBEndpoint, DynamoDBPath: f.dynamoDBPath, DynamoDBPort: f.dynamoDBPort, Fresh: f.fresh, LocalDestinations: splitList(f.localDests),
		StateDir: f.stateDir, PollInterval: f.pollInterval, StreamReadLimit: f.streamReadLimit, Missing: load.Missing, StripObjectQuotes: load.StripObjectQuotes,
		AllowUnsupported: load.AllowUnsupported, AllowBatching: load.AllowBatching, Retry: f.retry(),
		Logger: logger, Faults: f.faults, SQSEndpoint: f.sqsEndpoint, SQSProtocol: f.sqsProtocol, Momento: f.momento,
	}
	if f.verbose {
		o.ServiceLog = stderr
	}
	return o, nil
}

func newLogger(w io.Writer, format string, verbose bool) (*slog.Logger, error) {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// settings are the simulation's options once the flags are parsed; a flag that means nothing
// exits 2.
func (f *simFlags) settings(stderr io.Writer) (sim.Options, error) {
	opts, err := f.options(stderr)
	var ee *exitError
	if errors.As(err, &ee) {
		return sim.Options{}, err
	}
	if err != nil {
		return sim.Options{}, &exitError{code: 2, err: err}
	}
	return opts, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/bounded"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/template"
)

// transformCmd is `pipesim transform`: render one InputTemplate against one record and print
// the body exactly as the pipe would send it, byte for byte, with no newline added.
type transformCmd struct {
	streams
	o transformOptions
}

// transformOptions are the parsed flags of transformCmd.
type transformOptions struct {
	template, event                     string
	pipeName, region, account           string
	sourceARN, enrichmentARN, targetARN string
	missing, ingestionTime              string
	stripObjectQuotes                   bool
}

func (c *transformCmd) spec() spec {
	return spec{
		use:   "transform --input-template T --event E",
		short: "Render an InputTemplate against one record, byte for byte as the pipe would send it",
		long: `transform prints the body a pipe's InputTemplate makes of one stream record, exactly as the pipe
would send it, with no newline added. Template and record are inline, or file://path. The paths the
record lacks are named on stderr (they render as --missing says).`,
		example: `  pipesim transform --input-template file://t.json --event file://record.json`,
		flags:   func(fs *pflag.FlagSet) { c.flags(fs, &c.o) },
		run:     func(ctx context.Context, _ []string) error { return c.run(ctx) },
	}
}

// Run runs `pipesim transform` with the arguments that follow its name.
func (c *transformCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

func (c *transformCmd) flags(fs *pflag.FlagSet, o *transformOptions) {
	fs.StringVar(&o.template, "input-template", "", "the InputTemplate, inline or file://path (required)")
	fs.StringVar(&o.event, "event", "", "the record, inline JSON or file://path (required); an array must hold one record")
	fs.StringVar(&o.pipeName, "pipe-name", "pipe", "pipe name for <aws.pipes.pipe-name> and the pipe ARN")
	fs.StringVar(&o.region, "region", "us-east-1", "region of the reserved ARNs")
	fs.StringVar(&o.account, "account", "000000000000", "account of the reserved ARNs")
	fs.StringVar(&o.sourceARN, "source-arn", "", "value of <aws.pipes.source-arn> (default: the record's eventSourceARN)")
	fs.StringVar(&o.enrichmentARN, "enrichment-arn", "", "value of <aws.pipes.enrichment-arn>")
	fs.StringVar(&o.targetARN, "target-arn", "", "value of <aws.pipes.target-arn>")
	fs.StringVar(&o.missing, "missing", "aws", "how a path absent from the record renders: aws (\"\" as a JSON value, empty text elsewhere), null or fail")
	fs.StringVar(&o.ingestionTime, "ingestion-time", "", "value of <aws.pipes.event.ingestion-time>, RFC 3339 (default: now)")
	fs.BoolVar(&o.stripObjectQuotes, "strip-object-quotes", false, "render an object inside a JSON string literal with its quotes dropped instead of failing")
}

// run renders and writes the body to stdout. It blocks on nothing but reading file://
// arguments. Bad flags exit 2; a template or record error exits 1.
func (c *transformCmd) run(ctx context.Context) error {
	o := &c.o
	if o.template == "" || o.event == "" {
		return &exitError{code: 2, err: errors.New("transform: --input-template and --event are both required")}
	}
	if isFile(o.template) {
		fmt.Fprintf(c.stderr, "pipesim: warning: --input-template %q is used as the template's text; a file of that name exists: give file://%s to read it\n", o.template, o.template)
	}
	body, absent, err := o.render()
	if err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	if len(absent) > 0 {
		fmt.Fprintf(c.stderr, "pipesim: absent from the record, rendered as --missing %s says: %s\n", o.missingName(), strings.Join(absent, ", "))
	}
	_, err = c.stdout.Write(body)
	return err
}

// missingName is the --missing mode in effect.
func (o *transformOptions) missingName() string {
	if o.missing == "" {
		return "aws"
	}
	return o.missing
}

// render loads the arguments, compiles the template and renders the record; absent lists the
// template's paths the record does not have.
func (o *transformOptions) render() (body []byte, absent []string, err error) {
	text, err := readArg("--input-template", o.template)
	if err != nil {
		return nil, nil, err
	}
	raw, err := readArg("--event", o.event)
	if err != nil {
		return nil, nil, err
	}
	record, err := oneRecord([]byte(raw))
	if err != nil {
		if isFile(o.event) {
			err = fmt.Errorf("%w (a file named %q exists: give file://%s to read it)", err, o.event, o.event)
		}
		return nil, nil, err
	}
	opts, vars, err := o.settings(record)
	if err != nil {
		return nil, nil, err
	}
	tpl, err := template.Compile(text, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("--input-template: %w", err)
	}
	doc := rawjson.New(record)
	body, err = tpl.Render(nil, doc, vars)
	return body, tpl.Absent(doc), err
}

// settings builds the render options and the reserved variables.
func (o *transformOptions) settings(record []byte) (template.Options, *template.Vars, error) {
	missing, err := template.ParseMissing(o.missing)
	if err != nil {
		return template.Options{}, nil, fmt.Errorf("--missing: %w", err)
	}
	vars := &template.Vars{
		PipeARN:       fmt.Sprintf("arn:aws:pipes:%s:%s:pipe/%s", o.region, o.account, o.pipeName),
		PipeName:      o.pipeName,
		SourceARN:     o.sourceARN,
		EnrichmentARN: o.enrichmentARN,
		TargetARN:     o.targetARN,
	}
	if vars.SourceARN == "" {
		var r struct{ EventSourceARN string }
		json.Unmarshal(record, &r)
		vars.SourceARN = r.EventSourceARN
	}
	if o.ingestionTime != "" {
		if vars.IngestionTime, err = time.Parse(time.RFC3339Nano, o.ingestionTime); err != nil {
			return template.Options{}, nil, fmt.Errorf("--ingestion-time %q: want RFC 3339, such as 2026-11-25T20:00:00.000Z", o.ingestionTime)
		}
	}
	return template.Options{Missing: missing, StripObjectQuotes: o.stripObjectQuotes}, vars, nil
}

// isFile reports whether an inline argument names an existing file: the user most likely forgot
// file://.
func isFile(v string) bool {
	if strings.HasPrefix(v, "file://") || strings.ContainsAny(v, "{}<>\n") {
		return false
	}
	st, err := os.Stat(v)
	return err == nil && st.Mode().IsRegular()
}

// readArg returns an inline argument, or the content of a file://path one, byte for byte.
func readArg(flagName, v string) (string, error) {
	name, ok := strings.CutPrefix(v, "file://")
	if !ok {
		return v, nil
	}
	b, err := bounded.ReadFile(name, bounded.Argument)
	if err != nil { // the error names the file
		return "", fmt.Errorf("%s: %w", flagName, err)
	}
	return string(b), nil
}

// oneRecord checks the event is JSON and unwraps a one-record array, since Pipes sends an API
// destination one record per request.
func oneRecord(raw []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(raw)
	if !json.Valid(trimmed) {
		var v any
		err := json.Unmarshal(trimmed, &v)
		return nil, fmt.Errorf("--event is not JSON: %w", err)
	}
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return trimmed, nil
	}
	var batch []json.RawMessage
	if err := json.Unmarshal(trimmed, &batch); err != nil {
		return nil, fmt.Errorf("--event: %w", err)
	}
	if len(batch) != 1 {
		return nil, fmt.Errorf("--event holds %d records; an API destination gets one record per request, so pass one", len(batch))
	}
	return bytes.TrimSpace(batch[0]), nil
}

package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pipesim/pipesim/internal/filter"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/names"
	"github.com/pipesim/pipesim/internal/stream"
	"github.com/pipesim/pipesim/internal/template"
)

// pipeErrors prefixes every error of one pipe with its name.
type pipeErrors struct {
	b    *builder
	name string
}

func (pe pipeErrors) fail(field, format string, args ...any) {
	pe.b.failAt(KindPipe, pe.name, field, format, args...)
}

// failText reports an error of a template or parameter at its place in the pipes file: the
// line and column of the character the *template.Error points at, inside the field's string.
// Without the file's positions, the place inside the value is given.
func (pe pipeErrors) failText(field string, err error) {
	var te *template.Error
	if !errors.As(err, &te) {
		pe.fail(field, "%v", err)
		return
	}
	if ix := pe.b.ix; ix != nil {
		if line, col, ok := ix.inString(ix.field(KindPipe, pe.name, field), te.Offset); ok {
			pe.b.failAtPos(fmt.Sprintf("line %d, column %d: ", line, col), KindPipe, pe.name, field, "%s", te.Reason)
			return
		}
	}
	pe.fail(field, "%s (line %d, column %d of the value)", te.Reason, te.Line, te.Column)
}

func (b *builder) buildPipe(s *pipeSpec) *Pipe {
	pe := pipeErrors{b: b, name: s.Name}
	n := len(b.errs)
	if !resourceName.MatchString(s.Name) {
		pe.fail("Name", "want 1-64 characters of a-z, A-Z, 0-9, '.', '-', '_'")
	}
	p := &Pipe{Name: s.Name, ARN: fmt.Sprintf("arn:aws:pipes:%s:%s:pipe/%s", b.cfg.Region, b.cfg.AccountID, s.Name)}
	p.Running = b.desiredState(pe, s.DesiredState)
	p.Source = s.Source
	if strings.HasPrefix(s.Source, "arn:") {
		if _, err := stream.ParseStreamARN(s.Source); err != nil {
			pe.fail("Source", "%v", err)
		}
	} else if !tableName.MatchString(s.Source) {
		pe.fail("Source", "%q is neither a table name nor a DynamoDB stream ARN", s.Source)
	}
	if s.Enrichment != "" || len(s.EnrichmentParameters) > 0 {
		pe.fail("Enrichment", "enrichment is not supported by pipesim yet")
	}
	p.Stream = b.streamParameters(pe, s.SourceParameters.DynamoDBStreamParameters)
	p.Stream.PartitionKey = b.hashKey(s.Source)
	p.Filters = b.filters(pe, s.SourceParameters.FilterCriteria)
	b.target(pe, p, s)
	p.Log = logConfig(pe, s.LogConfiguration)
	if len(b.errs) > n || p.Target == nil {
		return nil
	}
	return p
}

// hashKey is the hash key of the declared table a source names (by table name or stream ARN).
func (b *builder) hashKey(source string) string {
	table := source
	if arn, err := stream.ParseStreamARN(source); err == nil {
		table = arn.Table
	}
	for _, t := range b.cfg.Tables {
		if t.Name == table {
			return t.HashKey
		}
	}
	return ""
}

func (b *builder) desiredState(pe pipeErrors, s string) bool {
	switch s {
	case "", "RUNNING":
		return true
	case "STOPPED":
		return false
	}
	pe.fail("DesiredState", "%q: want RUNNING or STOPPED", s)
	return false
}

// intParam checks an optional integer against its range and applies the default.
func intParam(pe pipeErrors, field string, v *int, min, max, def int) int {
	if v == nil {
		return def
	}
	if *v < min || *v > max {
		pe.fail("SourceParameters.DynamoDBStreamParameters."+field, "%d: want %d to %d", *v, min, max)
	}
	return *v
}

func (b *builder) streamParameters(pe pipeErrors, s *ddbParameters) StreamParameters {
	if s == nil {
		pe.fail("SourceParameters.DynamoDBStreamParameters", "missing (StartingPosition is required for a DynamoDB stream source)")
		return StreamParameters{}
	}
	sp := StreamParameters{
		StartingPosition: s.StartingPosition,
		BatchSize:        b.batchSize(pe, s.BatchSize),
		BatchingWindow:   time.Duration(intParam(pe, "MaximumBatchingWindowInSeconds", s.MaximumBatchingWindowInSeconds, 0, 300, 0)) * time.Second,
		MaxRetries:       intParam(pe, "MaximumRetryAttempts", s.MaximumRetryAttempts, -1, 10000, -1),
		MaxRecordAge:     time.Duration(intParam(pe, "MaximumRecordAgeInSeconds", s.MaximumRecordAgeInSeconds, -1, 604800, -1)) * time.Second,
		Parallelization:  intParam(pe, "ParallelizationFactor", s.ParallelizationFactor, 1, 10, 1),
	}
	if sp.StartingPosition != "LATEST" && sp.StartingPosition != "TRIM_HORIZON" {
		pe.fail("SourceParameters.DynamoDBStreamParameters.StartingPosition", "%q: want LATEST or TRIM_HORIZON", sp.StartingPosition)
	}
	switch s.OnPartialBatchItemFailure {
	case "":
	case "AUTOMATIC_BISECT":
		sp.Bisect = true
	default:
		pe.fail("SourceParameters.DynamoDBStreamParameters.OnPartialBatchItemFailure", "%q: want AUTOMATIC_BISECT", s.OnPartialBatchItemFailure)
	}
	if s.DeadLetterConfig != nil && s.DeadLetterConfig.Arn != "" {
		sp.DLQ = b.deadLetterQueue(pe, s.DeadLetterConfig.Arn)
	}
	return sp
}

// batchSize applies AWS's rule for targets without a batch API, which API destinations are: "If
// you configure a pipe with an enrichment or target that doesn't support batching, you won't be
// able to activate batching on the source". Without BatchSize the pipe runs with batches of one
// (not the documented default of 100, which applies to batchable targets); a larger BatchSize is
// rejected unless AllowBatching, which sends each batch as one JSON array.
func (b *builder) batchSize(pe pipeErrors, v *int) int {
	const field = "SourceParameters.DynamoDBStreamParameters.BatchSize"
	n := intParam(pe, "BatchSize", v, 1, 10000, 1)
	if n > 1 && !b.opts.AllowBatching {
		pe.fail(field, "%d: an API destination target has no batch API, so AWS does not let a pipe activate batching on its source (--allow-batching sends each batch as one JSON array anyway)", n)
	}
	return n
}

func (b *builder) deadLetterQueue(pe pipeErrors, arn string) *Queue {
	const field = "SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn"
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" {
		if len(parts) == 6 && parts[2] == "sns" {
			pe.fail(field, "%q: SNS dead-letter topics are not supported by pipesim yet; use an SQS queue", arn)
		} else {
			pe.fail(field, "%q is not an SQS queue ARN", arn)
		}
		return nil
	}
	q, ok := b.queues[parts[5]]
	if !ok {
		pe.fail(field, "unknown queue %q (declare it under Queues)", parts[5])
		return nil
	}
	return q
}

func (b *builder) filters(pe pipeErrors, fc *filterCriteria) *filter.Filters {
	var patterns []string
	if fc != nil {
		for _, f := range fc.Filters {
			patterns = append(patterns, f.Pattern)
		}
	}
	fs, err := filter.CompileFilters(patterns, filter.Options{AllowUnsupported: b.opts.AllowUnsupported})
	if err != nil {
		field := "SourceParameters.FilterCriteria"
		if pe2, ok := err.(*filter.PatternError); ok && pe2.Filter >= 0 {
			field = fmt.Sprintf("SourceParameters.FilterCriteria.Filters[%d].Pattern", pe2.Filter)
		}
		pe.fail(field, "%v", err)
	}
	return fs
}

func (b *builder) target(pe pipeErrors, p *Pipe, s *pipeSpec) {
	name := lastNamePart(s.Target, "api-destination/")
	dest, ok := b.cfg.Destinations[name]
	if !ok && b.declared[name] {
		return // the destination's own error says what is wrong; p.Target stays nil
	}
	if !ok {
		pe.fail("Target", "unknown API destination %q (declare it under ApiDestinations; pipesim supports API destination targets only)", s.Target)
		return
	}
	p.TargetARN = dest.ARN
	if strings.HasPrefix(s.Target, "arn:") {
		p.TargetARN = s.Target
	}
	tp := s.TargetParameters
	if tp.InputTemplate != nil && *tp.InputTemplate != "" {
		p.TemplateText = *tp.InputTemplate
		t, err := template.Compile(p.TemplateText, template.Options{Missing: b.opts.Missing, StripObjectQuotes: b.opts.StripObjectQuotes})
		if err != nil {
			pe.failText("TargetParameters.InputTemplate", err)
		}
		p.Template = t
	}
	p.Target = b.httpTarget(pe, dest, tp.HTTPParameters)
}

func (b *builder) httpTarget(pe pipeErrors, dest *httpdest.Destination, hp *httpParameters) *httpdest.Target {
	if hp == nil {
		hp = &httpParameters{}
	}
	var path []httpdest.Param
	for i, v := range hp.PathParameterValues {
		if prm, ok := compileParam(pe, fmt.Sprintf("TargetParameters.HttpParameters.PathParameterValues[%d]", i), v); ok {
			path = append(path, prm)
		}
	}
	query := namedParams(pe, "TargetParameters.HttpParameters.QueryStringParameters", hp.QueryStringParameters)
	headers := namedParams(pe, "TargetParameters.HttpParameters.HeaderParameters", hp.HeaderParameters)
	t, err := httpdest.NewTarget(dest, path, query, headers)
	if err != nil {
		pe.fail("TargetParameters.HttpParameters", "%v", err)
	}
	return t
}

func namedParams(pe pipeErrors, field string, m map[string]string) []httpdest.NamedParam {
	var out []httpdest.NamedParam
	for k, v := range m {
		if prm, ok := compileParam(pe, field+"."+k, v); ok {
			out = append(out, httpdest.NamedParam{Key: k, Value: prm})
		}
	}
	return out
}

func compileParam(pe pipeErrors, field, v string) (httpdest.Param, bool) {
	prm, err := template.CompileParam(v)
	if err != nil {
		pe.failText(field, err)
		return nil, false
	}
	return prm, true
}

func logConfig(pe pipeErrors, lc *logConfiguration) LogConfig {
	if lc == nil {
		return LogConfig{Level: "OFF"}
	}
	c := LogConfig{Level: lc.Level}
	switch lc.Level {
	case "OFF", "ERROR", "INFO", "TRACE":
	default:
		pe.fail("LogConfiguration.Level", "%q: want OFF, ERROR, INFO or TRACE", lc.Level)
	}
	for _, d := range lc.IncludeExecutionData {
		if d != "ALL" {
			pe.fail("LogConfiguration.IncludeExecutionData", "%q: want ALL", d)
		}
		c.ExecutionData = true
	}
	if lc.CloudwatchLogsLogDestination != nil {
		arn := lc.CloudwatchLogsLogDestination.LogGroupArn
		_, name, ok := strings.Cut(arn, ":log-group:")
		name = strings.TrimSuffix(name, ":*")
		if !ok || name == "" {
			pe.fail("LogConfiguration.CloudwatchLogsLogDestination.LogGroupArn", "%q is not a log group ARN", arn)
		} else if err := names.LogGroup.Check(name); err != nil {
			pe.fail("LogConfiguration.CloudwatchLogsLogDestination.LogGroupArn", "%v", err)
		}
		c.LogGroup = name
	}
	return c
}

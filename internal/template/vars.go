package template

import "time"

// Vars are the reserved <aws.pipes.*> values of one pipe; the runtime fills them (ARNs already
// built from region/account by the config package). An empty EnrichmentARN renders as an empty
// string; a zero IngestionTime renders as the time of the call to Render.
type Vars struct {
	PipeARN, PipeName, SourceARN, EnrichmentARN, TargetARN string
	IngestionTime                                          time.Time
}

// varKind names one reserved variable.
type varKind int

const (
	varPipeARN varKind = iota
	varPipeName
	varSourceARN
	varEnrichmentARN
	varTargetARN
	varIngestionTime
	varEvent
	varEventJSON
)

// reserved maps each documented variable name to its kind.
var reserved = map[string]varKind{
	"aws.pipes.pipe-arn":             varPipeARN,
	"aws.pipes.pipe-name":            varPipeName,
	"aws.pipes.source-arn":           varSourceARN,
	"aws.pipes.enrichment-arn":       varEnrichmentARN,
	"aws.pipes.target-arn":           varTargetARN,
	"aws.pipes.event.ingestion-time": varIngestionTime,
	"aws.pipes.event":                varEvent,
	"aws.pipes.event.json":           varEventJSON,
}

// ingestionLayout is ISO 8601 in UTC with milliseconds, the precision EventBridge uses in its
// own timestamps (pipe logs, DLQ messages).
const ingestionLayout = "2006-01-02T15:04:05.000Z"

// str returns the value of a string-valued variable.
func (v *Vars) str(k varKind) string {
	switch k {
	case varPipeARN:
		return v.PipeARN
	case varPipeName:
		return v.PipeName
	case varSourceARN:
		return v.SourceARN
	case varEnrichmentARN:
		return v.EnrichmentARN
	case varTargetARN:
		return v.TargetARN
	}
	return ""
}

// appendTime appends the ingestion time, or now when it is zero.
func (v *Vars) appendTime(dst []byte) []byte {
	t := v.IngestionTime
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().AppendFormat(dst, ingestionLayout)
}

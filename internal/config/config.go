package config

import (
	"time"

	"github.com/pipesim/pipesim/internal/filter"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/template"
)

// Config is a loaded, validated pipes file.
type Config struct {
	Path      string
	Region    string
	AccountID string
	Tables    []Table
	Queues    []Queue
	Caches    []string
	// Connections in the order the file declares them.
	Connections []*httpdest.Connection
	// Destinations by name, shared by the pipes that target them.
	Destinations map[string]*httpdest.Destination
	Pipes        []*Pipe
}

// Table is a table to create in DynamoDB Local when it is missing.
type Table struct {
	Name           string
	Attributes     map[string]string // name -> S, N or B
	HashKey        string
	RangeKey       string
	StreamViewType string // "" when the stream is off
	TTLAttribute   string
}

// Queue is a dead-letter queue.
type Queue struct {
	Name string
	ARN  string
}

// Pipe is one validated pipe.
type Pipe struct {
	Name         string
	ARN          string
	Running      bool // DesiredState RUNNING
	Source       string
	Stream       StreamParameters
	Filters      *filter.Filters
	Template     *template.Template // nil: the record itself is the body
	TemplateText string
	Target       *httpdest.Target
	TargetARN    string
	Log          LogConfig
}

// StreamParameters are SourceParameters.DynamoDBStreamParameters with AWS's defaults applied.
type StreamParameters struct {
	StartingPosition string
	BatchSize        int
	BatchingWindow   time.Duration
	// MaximumRetryAttempts; -1 is unlimited.
	MaxRetries int
	// MaximumRecordAgeInSeconds as a duration; negative is unlimited.
	MaxRecordAge    time.Duration
	Bisect          bool
	Parallelization int
	// PartitionKey is the source table's hash key when the table is declared: records with the
	// same value keep their order under ParallelizationFactor > 1.
	PartitionKey string
	DLQ          *Queue // nil: no dead-letter queue
}

// LogConfig is a pipe's LogConfiguration.
type LogConfig struct {
	Level         string // OFF, ERROR, INFO or TRACE
	ExecutionData bool   // IncludeExecutionData ["ALL"]
	LogGroup      string // the CloudWatch log group name, "" when none is configured
}

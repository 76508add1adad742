package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/pipesim/pipesim"
	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sqsdlq"
	"github.com/pipesim/pipesim/internal/template"
)

// Environment variables that point the seed design at real Momento.
const (
	EnvMomentoEndpoint = "MOMENTO_API_ENDPOINT"
	EnvMomentoKey      = "MOMENTO_API_KEY"
)

// Options configure a simulation.
type Options struct {
	PipesFile string // "" runs the embedded seed design
	// Template, when set, is the design instead of PipesFile.
	Template         *Template
	DynamoDBEndpoint string // "" lets ddblocal find or start one
	// DynamoDBPath is the database directory of the DynamoDB Local pipesim starts; "" means
	// <StateDir>/dynamodb, so its tables and streams last as long as the checkpoints and dead
	// letters that point into them. DynamoDBInMemory keeps it in memory instead.
	DynamoDBPath     string
	DynamoDBInMemory bool
	DynamoDBPort     int    // port of a DynamoDB Local pipesim starts (jar); 0 => a free one
	StateDir         string // checkpoints, dead-letter queues, logs; "" means .pipesim
	// Fresh starts clean: the DynamoDB Local data pipesim keeps, the checkpoints and the local
	// dead-letter queues are removed first (execution logs are kept). FreshReason, when set,
	// says why in State.Line (for a command that always starts fresh).
	Fresh        bool
	FreshReason  string
	PollInterval time.Duration
	// StreamReadLimit is the GetRecords calls per second per shard that all pipes on a stream
	// share, as DynamoDB Streams throttles them (stream.DefaultReadLimit); 0 is no limit.
	StreamReadLimit   int
	Missing           template.Missing
	StripObjectQuotes bool
	AllowUnsupported  bool
	AllowBatching     bool
	Retry             pipe.Options
	// LocalDestinations names the API destinations pipesim answers itself (200 {}), so nothing
	// leaves the machine; AllDestinations names every one that is not Momento (local.go).
	LocalDestinations []string
	// SendTimeout is the API destination client timeout; 0 means httpdest.Timeout, the 5 seconds
	// AWS applies. Tests shorten it to see a timeout without waiting for one.
	SendTimeout time.Duration
	Logger      *slog.Logger         // pipesim's own diagnostics; nil discards
	Trace       func(pipe.Execution) // a line per execution; nil prints nothing
	ServiceLog  io.Writer            // DynamoDB Local's own output; nil discards
	// SQSEndpoint, when set, sends dead-letter messages to real SQS queues there instead of the
	// local queue files; SQSProtocol is "json" (default) or "query".
	SQSEndpoint string
	SQSProtocol string
	// Lookup resolves ${VAR}; nil means the environment, then the .env beside the pipes file.
	Lookup config.Lookup
	// Faults are injected into the embedded Momento server; an error when a real endpoint is
	// configured, since pipesim cannot make real Momento fail.
	Faults map[momento.Route]momento.Fault
	// Momento configures the embedded Momento when MOMENTO_API_ENDPOINT is not set (its
	// StateDir, Caches and Faults are filled in from the fields above and the design).
	Momento EmbeddedOptions
	// Loaded, if set, is called with the design once it has loaded, before DynamoDB Local starts:
	// run and demo print the design's findings (pipesim check) there.
	Loaded func(*config.Config)
}

// Sim is a loaded pipes file with everything it needs started.
type Sim struct {
	Config   *config.Config
	DynamoDB *dynamodb.Client
	Streams  *dynamodbstreams.Client
	// DynamoDBEndpoint is the DynamoDB Local the pipes read, for applications to use too, and
	// DynamoDBIdentity who pipesim signs as there.
	DynamoDBEndpoint string
	DynamoDBIdentity ddblocal.Identity
	// State says what this run reuses from the state directory, or removed to start fresh.
	State        State
	MomentoURL   string           // ${MOMENTO_API_ENDPOINT}: real Momento, or the embedded server
	MomentoToken string           // ${MOMENTO_API_KEY}; never logged
	Embedded     *momento.Server  // nil when a real endpoint is configured, or no destination uses Momento
	Momento      *Embedded        // the embedded Momento (both APIs); nil when Embedded is
	DLQ          *pipe.FileQueues // the local dead-letter queues
	// DeadLetters is where the pipes dead-letter: DLQ, or SQS queues when an endpoint is set.
	DeadLetters pipe.DeadLetters

	opts    Options
	closers []func() error
}

// Start loads and validates the design, then starts the embedded Momento server if
// MOMENTO_API_ENDPOINT is not set and a destination points at it, gets a DynamoDB Local, and
// creates the declared tables that are missing. A design that does not load starts nothing. On
// error everything started so far is stopped.
func Start(ctx context.Context, opts Options) (*Sim, error) {
	if opts.StateDir == "" {
		opts.StateDir = ".pipesim"
	}
	if opts.DynamoDBPath == "" && !opts.DynamoDBInMemory {
		opts.DynamoDBPath = filepath.Join(opts.StateDir, dynamoDBDir)
	}
	if opts.DynamoDBInMemory {
		opts.DynamoDBPath = ""
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Sim{opts: opts, DLQ: &pipe.FileQueues{Dir: filepath.Join(opts.StateDir, "dlq")}}
	s.DeadLetters = s.DLQ
	if err := s.start(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Sim) start(ctx context.Context) error {
	lookup := s.opts.Lookup
	if lookup == nil {
		var err error
		if lookup, err = LookupIn(designDir(s.opts.PipesFile, s.opts.Template)); err != nil {
			return err
		}
	}
	if err := s.loadWithMomento(lookup); err != nil {
		return err
	}
	if s.opts.Loaded != nil {
		s.opts.Loaded(s.Config)
	}
	if err := s.checkLocal(); err != nil {
		return err
	}
	if s.opts.SQSEndpoint != "" {
		q, err := sqsdlq.New(ctx, sqsdlq.Options{Endpoint: s.opts.SQSEndpoint, Region: s.Config.Region, Protocol: s.opts.SQSProtocol})
		if err != nil {
			return err
		}
		s.DeadLetters = q
	}
	state := s.surveyState()
	if err := s.startDynamoDB(ctx, &state); err != nil {
		return err
	}
	if s.opts.Fresh {
		if err := clearState(s.opts.StateDir); err != nil {
			return err
		}
	}
	tables, err := s.createTables(ctx)
	state.Tables = tables
	s.State = state
	return err
}

// loadWithMomento loads the design against real Momento when MOMENTO_API_ENDPOINT is set.
// Otherwise it validates the design first, with stand-ins for the embedded server's endpoint
// and key, so that a bad design starts nothing and prints no address; then it starts the
// embedded Momento only if a destination points at it, and loads the design again with its
// endpoint and key.
func (s *Sim) loadWithMomento(lookup config.Lookup) error {
	if endpoint, ok := lookup(EnvMomentoEndpoint); ok {
		if len(s.opts.Faults) > 0 {
			return fmt.Errorf("fault injection needs the embedded Momento server, but %s is set", EnvMomentoEndpoint)
		}
		s.MomentoURL = endpoint
		s.MomentoToken, _ = lookup(EnvMomentoKey)
		var err error
		s.Config, err = s.load(lookup, true)
		return err
	}
	mo := s.opts.Momento
	if mo.APIKey == "" {
		mo.APIKey, _ = lookup(EnvMomentoKey)
	}
	cfg, err := loadForEmbedded(s.load, lookup, mo.APIKey, func(caches []string) (string, string, error) {
		mo.StateDir, mo.Caches, mo.Faults = s.opts.StateDir, caches, s.opts.Faults
		emb, err := StartEmbedded(mo)
		if err != nil {
			return "", "", err
		}
		s.closers = append(s.closers, emb.Close)
		s.Momento, s.Embedded, s.MomentoURL, s.MomentoToken = emb, emb.Server, emb.URL, emb.Token
		return emb.URL, emb.Token, nil
	})
	if err == nil && s.Momento == nil && len(s.opts.Faults) > 0 {
		err = fmt.Errorf("--momento-fault: no API destination of the design uses the embedded Momento (${%s})", EnvMomentoEndpoint)
	}
	s.Config = cfg
	return err
}

// load loads the design; notes tells whether a template's notes are printed (once: the second
// load of the same design says nothing new).
func (s *Sim) load(lookup config.Lookup, notes bool) (*config.Config, error) {
	tmpl := s.opts.Template
	if tmpl != nil && !notes {
		quiet := *tmpl
		quiet.Notice = nil
		tmpl = &quiet
	}
	return LoadDesign(s.opts.PipesFile, tmpl, config.Options{Lookup: lookup, Missing: s.opts.Missing, StripObjectQuotes: s.opts.StripObjectQuotes,
		AllowUnsupported: s.opts.AllowUnsupported, AllowBatching: s.opts.AllowBatching})
}

// LoadPipes loads the pipes file at path, or the embedded weather-stats design when path is "".
func LoadPipes(path string, opts config.Options) (*config.Config, error) {
	if path == "" {
		return config.Parse("embedded weather-stats pipes file", pipesim.SeedPipes, opts)
	}
	return config.Load(path, opts)
}

// startDynamoDB gets the DynamoDB Local (fresh when asked: ddblocal removes its data, or refuses
// while another pipesim serves it) and notes in state where it is.
func (s *Sim) startDynamoDB(ctx context.Context, state *State) error {
	inst, err := ddblocal.Start(ctx, ddblocal.Options{Endpoint: s.opts.DynamoDBEndpoint, DBPath: s.opts.DynamoDBPath,
		Port: s.opts.DynamoDBPort, Fresh: s.opts.Fresh, Log: s.opts.ServiceLog})
	if err != nil {
		return err
	}
	s.closers = append(s.closers, inst.Close)
	s.DynamoDBEndpoint = inst.Endpoint
	state.DynamoDB = ddblocal.Instance{Endpoint: inst.Endpoint, Kind: inst.Kind, DBPath: inst.DBPath, Owner: inst.Owner}
	if s.DynamoDB, s.Streams, s.DynamoDBIdentity, err = ddblocal.ClientFor(ctx, inst, s.Config.Region); err != nil {
		return err
	}
	id := s.DynamoDBIdentity
	s.opts.Logger.Debug("DynamoDB Local", "endpoint", inst.Endpoint, "kind", inst.Kind,
		"accessKeyId", id.AccessKeyID, "region", id.Region, "credentials", id.From)
	return nil
}

// Close stops what Start started, in reverse order.
func (s *Sim) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// StateDir is where the simulation keeps its state.
func (s *Sim) StateDir() string { return s.opts.StateDir }

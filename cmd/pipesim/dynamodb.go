package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/sim"
)

const dynamoDBServeLong = `serve runs DynamoDB Local alone, where the AWS CLI and SDK examples expect it (port 8000, as the
jar's own default), with its data in <state-dir>/dynamodb: the DynamoDB Local 'pipesim run'
starts. A 'pipesim run' (or capture, dlq redrive) on the same state directory uses it instead of
starting its own, so its tables and streams are there before and after the pipes run. It prints
the endpoint, the credentials and region to use, and an aws dynamodb put-item line to copy.
Ctrl-C stops it.`

// dynamoDBCmd is `pipesim dynamodb`: DynamoDB Local on its own.
type dynamoDBCmd struct{ streams }

func (c *dynamoDBCmd) spec() spec {
	var f serveFlags
	return spec{
		use:   "dynamodb",
		short: "Run DynamoDB Local on its own, where the AWS CLI expects it",
		long:  "dynamodb runs the DynamoDB Local that pipesim uses, on its own (serve).",
		subs: []spec{
			{use: "serve", short: "Serve DynamoDB Local (port 8000 by default) with pipesim's data until Ctrl-C",
				long: dynamoDBServeLong,
				example: `  pipesim dynamodb serve
  pipesim dynamodb serve --port 8001 --state-dir .pipesim
  pipesim dynamodb serve --in-memory`,
				flags: f.register,
				run:   func(ctx context.Context, _ []string) error { return c.serve(ctx, &f) }},
		},
	}
}

// Run runs `pipesim dynamodb` with the arguments that follow its name.
func (c *dynamoDBCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

// serveFlags are `pipesim dynamodb serve`'s flags.
type serveFlags struct {
	port             int
	stateDir, dbPath string
	inMemory, fresh  bool
	region           string
	verbose          bool
}

func (f *serveFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.port, "port", 8000, "`port` to listen on (0: a free one)")
	fs.StringVar(&f.stateDir, "state-dir", ".pipesim", "pipesim's state `directory`: the data goes to its dynamodb folder, where 'pipesim run' looks for it")
	fs.StringVar(&f.dbPath, "dynamodb-path", "", "`directory` for DynamoDB Local's database instead (default: <state-dir>/dynamodb)")
	fs.BoolVar(&f.inMemory, "in-memory", false, "keep the data in memory: it is gone when serve stops")
	fs.BoolVar(&f.fresh, "fresh", false, "remove the data kept in the directory first")
	fs.StringVar(&f.region, "region", config.DefaultRegion, "`region` of the printed example commands")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "print DynamoDB Local's own output")
}

func (c *dynamoDBCmd) serve(ctx context.Context, f *serveFlags) error {
	if f.port < 0 || f.port > 65535 {
		return &exitError{code: 2, err: fmt.Errorf("--port %d: want a TCP port, 1 to 65535 (0: a free one)", f.port)}
	}
	opts := ddblocal.Options{DBPath: f.dbPath, Port: f.port, Fresh: f.fresh}
	switch {
	case f.inMemory && (f.dbPath != "" || f.fresh):
		return &exitError{code: 2, err: errors.New("--in-memory keeps no data: it goes with neither --dynamodb-path nor --fresh")}
	case f.inMemory:
	case opts.DBPath == "":
		opts.DBPath = filepath.Join(f.stateDir, "dynamodb")
	}
	if f.verbose {
		opts.Log = c.stderr
	}
	if e := opts.GivenEndpoint(); e != "" { // serve starts one; a given endpoint is someone else's
		return &exitError{code: 2, err: fmt.Errorf("%s is set (%s): 'dynamodb serve' starts a DynamoDB Local of its own; unset it", ddblocal.EnvEndpoint, e)}
	}
	inst, err := ddblocal.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer inst.Close()
	if inst.Kind == ddblocal.KindShared {
		return fmt.Errorf("DynamoDB Local for %s already runs on %s (pipesim process %d): use that one", inst.DBPath, inst.Endpoint, inst.Owner)
	}
	db, _, id, err := ddblocal.ClientFor(ctx, inst, f.region)
	if err != nil {
		return err
	}
	for _, l := range sim.DynamoDBLines(*inst, id, firstTable(ctx, db)) {
		fmt.Fprintf(c.stderr, "pipesim: %s\n", l)
	}
	if inst.DBPath != "" {
		fmt.Fprintf(c.stderr, "pipesim: 'pipesim run --state-dir %s' uses it (any pipesim command: --dynamodb-endpoint %s)\n", f.stateDir, inst.Endpoint)
	}
	fmt.Fprintln(c.stderr, "pipesim: DynamoDB Local serving; Ctrl-C stops")
	<-ctx.Done()
	return nil
}

// firstTable is the first table DynamoDB Local holds, for the example put-item line; nil when
// it holds none (or cannot say).
func firstTable(ctx context.Context, db *dynamodb.Client) *config.Table {
	out, err := db.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	if err != nil || len(out.TableNames) == 0 {
		return nil
	}
	t, err := sim.DescribeTable(ctx, db, out.TableNames[0])
	if err != nil {
		return nil
	}
	return &t
}

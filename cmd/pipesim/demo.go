package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/momento"
	momentogrpc "github.com/pipesim/pipesim/internal/momento/grpc"
	"github.com/pipesim/pipesim/internal/sim"
)

// The seed design's names.
const (
	demoTable = "weather-stats-demo"
	demoCache = "momento-eventbridge-cache"
	demoTopic = "momento-eventbridge-topic"
)

// demoCmd is `pipesim demo`: the weather-stats command-line scenario, end to end.
type demoCmd struct {
	streams
	flags   simFlags
	timeout time.Duration
}

func (c *demoCmd) spec() spec {
	return spec{
		use:   "demo",
		short: "Play the weather-stats scenario end to end: put an item, see the cache and topic, delete it",
		long: `demo runs the seed weather-stats design (or the one --pipes or --template gives, if it has the
seed's table, cache and topic) and plays its scenario: it puts San Diego into the table, reads the
topic message and the cache entry the pipes made of it, deletes the item and sees the REMOVE
record's message and the cache entry go. Each step is a line; each execution too (-v adds the
request and response).`,
		example: `  pipesim demo
  pipesim demo -v`,
		flags: func(fs *pflag.FlagSet) {
			c.flags.register(fs)
			demoStateDir(fs)
			fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "how long to wait for each pipe's effect")
		},
		run: func(ctx context.Context, _ []string) error { return c.run(ctx) },
	}
}

// Run runs `pipesim demo` with the arguments that follow its name.
func (c *demoCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

func (c *demoCmd) run(ctx context.Context) error {
	opts, err := c.flags.settings(c.stderr)
	if err != nil {
		return err
	}
	// The demo always starts fresh, in a state directory of its own, so that it plays the same
	// every time and never removes what a `pipesim run` keeps; its DynamoDB Local is in memory
	// (it deletes the one item it puts) unless --dynamodb-path asks otherwise.
	opts.Fresh, opts.FreshReason = true, "demo always starts fresh"
	opts.DynamoDBInMemory = c.flags.dynamoDBPath == ""
	if err := checkPositive("timeout", c.timeout); err != nil {
		return &exitError{code: 2, err: err}
	}
	opts.Trace = newTracer(c.stdout, c.flags.verbose).Trace
	opts.Loaded = func(cfg *config.Config) { warnFindings(c.stderr, cfg) }
	s, err := sim.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	announceState(c.stderr, s)
	return c.play(ctx, s)
}

// demoStateDir makes the demo's --state-dir default .pipesim/demo: the demo starts fresh, and
// must not clear the state a `pipesim run` keeps in .pipesim.
func demoStateDir(fs *pflag.FlagSet) {
	f := fs.Lookup("state-dir")
	f.DefValue = filepath.Join(".pipesim", "demo")
	f.Value.Set(f.DefValue)
	f.Usage = "`directory` for the demo's checkpoints, dead-letter queues and execution logs, cleared at every start"
	fs.MarkHidden("fresh") // the demo always starts fresh
}

// play runs the pipes in the background and walks through the scenario.
func (c *demoCmd) play(ctx context.Context, s *sim.Sim) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan struct{})
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(ctx, func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-runErr:
		return fmt.Errorf("pipes stopped before they were ready: %w", err)
	case <-time.After(c.timeout):
		return errors.New("pipes did not connect to the stream in time")
	}
	client, closeClient, err := c.momentoClient(s)
	if err != nil {
		return err
	}
	defer closeClient()
	topic, err := c.subscribe(ctx, client)
	if err == nil {
		err = c.scenario(ctx, s, client, topic)
	}
	cancel()
	<-runErr
	return err
}

// demoMomento is what the scenario reads Momento with: the gRPC API of the embedded server, as
// the seed's TypeScript demo reads with @gomomento/sdk, or real Momento's HTTP API.
type demoMomento interface {
	Get(ctx context.Context, cache, key string) ([]byte, bool, error)
	Subscribe(ctx context.Context, cache, topic string, ready func(), fn func(momento.TopicItem) error) error
}

// momentoClient connects to the embedded Momento's gRPC API over TLS with its key, as an
// application built from an API key does; with real Momento it uses the HTTP API.
func (c *demoCmd) momentoClient(s *sim.Sim) (demoMomento, func(), error) {
	if s.Momento == nil {
		c.say("Momento: %s (HTTP API)", s.MomentoURL)
		return httpMomento{&momento.Client{BaseURL: s.MomentoURL, Token: s.MomentoToken}}, func() {}, nil
	}
	c.say("Momento: pipesim's embedded server: HTTP API %s for the pipes, gRPC %s for the demo (TLS, as @gomomento/sdk connects with an API key); set MOMENTO_API_ENDPOINT and MOMENTO_API_KEY for real Momento", s.MomentoURL, s.Momento.GRPCAddr)
	pool, err := rootPool(s.StateDir())
	if err != nil {
		return nil, nil, err
	}
	cl, err := momentogrpc.Dial(s.Momento.GRPCAddr, s.Momento.Token, &tls.Config{RootCAs: pool})
	if err != nil {
		return nil, nil, err
	}
	return cl, func() { cl.Close() }, nil
}

// httpMomento adapts the HTTP client: its long poll is open as soon as it starts.
type httpMomento struct{ *momento.Client }

func (h httpMomento) Subscribe(ctx context.Context, cache, topic string, ready func(), fn func(momento.TopicItem) error) error {
	ready()
	return h.Client.Subscribe(ctx, cache, topic, fn)
}

func (c *demoCmd) say(format string, args ...any) {
	fmt.Fprintf(c.stdout, "==> "+format+"\n", args...)
}

// subscribe prints every topic message and hands it to the scenario; it returns once the
// subscription is open, as the SDK's subscribe() resolves.
func (c *demoCmd) subscribe(ctx context.Context, client demoMomento) (<-chan string, error) {
	msgs := make(chan string, 16)
	ready := make(chan struct{})
	failed := make(chan error, 1)
	c.say("subscribing to topic %s in cache %s", demoTopic, demoCache)
	go func() {
		err := client.Subscribe(ctx, demoCache, demoTopic, sync.OnceFunc(func() { close(ready) }), func(it momento.TopicItem) error {
			if it.Discontinuity {
				return nil
			}
			c.say("topic message: %s", it.Text)
			msgs <- it.Text
			return nil
		})
		if err != nil && ctx.Err() == nil {
			c.say("topic subscription ended: %v", err)
			failed <- err
		}
	}()
	select {
	case <-ready:
		return msgs, nil
	case err := <-failed:
		return nil, fmt.Errorf("subscribe to %s: %w", demoTopic, err)
	case <-time.After(c.timeout):
		return nil, fmt.Errorf("subscribe to %s: not open within %s", demoTopic, c.timeout)
	}
}

func (c *demoCmd) scenario(ctx context.Context, s *sim.Sim, client demoMomento, topic <-chan string) error {
	db := s.DynamoDB
	item := map[string]types.AttributeValue{
		"Location":               &types.AttributeValueMemberS{Value: "San Diego"},
		"MaxTemp":                &types.AttributeValueMemberN{Value: "42"},
		"MinTemp":                &types.AttributeValueMemberN{Value: "31"},
		"ChancesOfPrecipitation": &types.AttributeValueMemberN{Value: "91"},
		"TTL":                    &types.AttributeValueMemberN{Value: "120"},
	}
	key := map[string]types.AttributeValue{"Location": item["Location"]}
	c.say(`putting {"Location": "San Diego", "MaxTemp": 42, "MinTemp": 31, "ChancesOfPrecipitation": 91, "TTL": 120} into %s`, demoTable)
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(demoTable), Item: item}); err != nil {
		return fmt.Errorf("put item: %w", err)
	}
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(demoTable), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("get item: %w", err)
	}
	c.say("read back from the table: %s", describeItem(got.Item))
	if err := c.awaitTopic(ctx, topic, `"INSERT"`); err != nil {
		return err
	}
	if err := c.awaitCache(ctx, client, true); err != nil {
		return err
	}
	c.say("deleting San Diego from %s", demoTable)
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(demoTable), Key: key}); err != nil {
		return fmt.Errorf("delete item: %w", err)
	}
	if err := c.awaitTopic(ctx, topic, `"REMOVE"`); err != nil {
		return err
	}
	c.say("note: a REMOVE record has no NewImage, so the topic template's NewImage paths found nothing;")
	c.say("      the message above shows what they rendered as (see docs/templates.md, \"Missing paths\", and --missing)")
	if err := c.awaitCache(ctx, client, false); err != nil {
		return err
	}
	c.say("demo complete")
	return nil
}

// awaitTopic waits for a topic message containing want.
func (c *demoCmd) awaitTopic(ctx context.Context, topic <-chan string, want string) error {
	deadline := time.After(c.timeout)
	for {
		select {
		case m := <-topic:
			if strings.Contains(m, want) {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("no %s message on topic %s within %s", want, demoTopic, c.timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// awaitCache polls the cache until San Diego is present (or gone).
func (c *demoCmd) awaitCache(ctx context.Context, client demoMomento, present bool) error {
	deadline := time.Now().Add(c.timeout)
	for time.Now().Before(deadline) {
		v, found, err := client.Get(ctx, demoCache, "San Diego")
		if err != nil {
			return fmt.Errorf("cache get: %w", err)
		}
		if found == present {
			if found {
				c.say("cache %s[San Diego] = %s", demoCache, v)
			} else {
				c.say("cache %s[San Diego]: miss (deleted by the cache-delete pipe)", demoCache)
			}
			return nil
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fmt.Errorf("cache %s[San Diego] not %s within %s", demoCache, map[bool]string{true: "set", false: "deleted"}[present], c.timeout)
}

func describeItem(item map[string]types.AttributeValue) string {
	var parts []string
	for _, k := range []string{"Location", "MaxTemp", "MinTemp", "ChancesOfPrecipitation", "TTL"} {
		switch v := item[k].(type) {
		case *types.AttributeValueMemberS:
			parts = append(parts, fmt.Sprintf("%s: %q", k, v.Value))
		case *types.AttributeValueMemberN:
			parts = append(parts, fmt.Sprintf("%s: %s", k, v.Value))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/config"
)

// noMomentoDesign is a design whose only destination is not Momento; momentoDesign (with
// BatchSize 1) points a pipe at ${MOMENTO_API_ENDPOINT}, and with BatchSize 0 it does not load.
const noMomentoDesign = `
Tables:
  - TableName: orders
    AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    KeySchema: [{AttributeName: id, KeyType: HASH}]
    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_IMAGE}
Connections:
  - {Name: c1, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: Authorization, ApiKeyValue: "${MOMENTO_API_KEY:-none}"}}}
ApiDestinations:
  - {Name: hook, ConnectionArn: c1, InvocationEndpoint: "http://127.0.0.1:9/orders", HttpMethod: POST}
Pipes:
  - {Name: orders, Source: orders, Target: hook, SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: 1}}}
`

func momentoDesign(batchSize string) string {
	d := strings.Replace(noMomentoDesign, `"http://127.0.0.1:9/orders"`, `"${MOMENTO_API_ENDPOINT}/cache/*"`, 1)
	d = "Caches: [orders-cache]\n" + d
	d = strings.Replace(d, "Target: hook,", "Target: hook, TargetParameters: {HttpParameters: {PathParameterValues: [orders-cache]}},", 1)
	return strings.Replace(d, "BatchSize: 1", "BatchSize: "+batchSize, 1)
}

func writeDesign(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipes.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func lookupOf(vars map[string]string) config.Lookup {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// TestLoadWithEmbeddedMomento: replay's embedded Momento starts only for a design that loads
// and points a destination at it, with the design's caches and the given or a made-up key.
func TestLoadWithEmbeddedMomento(t *testing.T) {
	t.Run("no Momento destination", func(t *testing.T) {
		cfg, emb, err := LoadWithEmbeddedMomento(writeDesign(t, noMomentoDesign), nil, config.Options{Lookup: lookupOf(nil)})
		if err != nil || cfg == nil {
			t.Fatalf("load = %v", err)
		}
		if emb != nil {
			emb.Close()
			t.Error("the embedded Momento started for a design without a Momento destination")
		}
	})
	t.Run("bad design", func(t *testing.T) {
		_, emb, err := LoadWithEmbeddedMomento(writeDesign(t, momentoDesign("0")), nil, config.Options{Lookup: lookupOf(nil)})
		if err == nil || !strings.Contains(err.Error(), "BatchSize") {
			t.Errorf("load of a bad design = %v; want the BatchSize error", err)
		}
		if emb != nil {
			emb.Close()
			t.Error("the embedded Momento started for a design that does not load")
		}
	})
	t.Run("real endpoint", func(t *testing.T) {
		vars := map[string]string{EnvMomentoEndpoint: "https://api.cache.example.com", EnvMomentoKey: "k"}
		cfg, emb, err := LoadWithEmbeddedMomento(writeDesign(t, momentoDesign("1")), nil, config.Options{Lookup: lookupOf(vars)})
		if err != nil || emb != nil {
			t.Fatalf("load with MOMENTO_API_ENDPOINT set = %v, %v; want no embedded Momento", emb, err)
		}
		if got := cfg.Destinations["hook"].Endpoint; !strings.HasPrefix(got, "https://api.cache.example.com/") {
			t.Errorf("destination endpoint = %q; want the real endpoint", got)
		}
	})
	for _, tc := range []struct {
		name string
		vars map[string]string
	}{{"made-up key", nil}, {"given key", map[string]string{EnvMomentoKey: "given-key"}}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, emb, err := LoadWithEmbeddedMomento(writeDesign(t, momentoDesign("1")), nil, config.Options{Lookup: lookupOf(tc.vars)})
			if err != nil || emb == nil {
				t.Fatalf("load = %v, %v; want the embedded Momento", emb, err)
			}
			defer emb.Close()
			if got := cfg.Destinations["hook"].Endpoint; !strings.HasPrefix(got, emb.URL+"/") {
				t.Errorf("destination endpoint = %q; want the embedded server's %s", got, emb.URL)
			}
			if !emb.Server.Store().CacheExists("orders-cache") {
				t.Error("the design's cache was not created")
			}
			if want := tc.vars[EnvMomentoKey]; want != "" && (emb.Token != want || emb.MadeUp) {
				t.Errorf("key = %q (made up %t); want the given one", emb.Token, emb.MadeUp)
			}
			if tc.vars == nil && (!emb.MadeUp || !emb.Server.ValidKey(emb.Token) || emb.Server.ValidKey("other")) {
				t.Errorf("made-up key %q (made up %t) is not the only key accepted", emb.Token, emb.MadeUp)
			}
		})
	}
}

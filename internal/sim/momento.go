package sim

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/momento"
)

// Lookup resolves ${VAR} as `pipesim run` does: the environment, then the .env beside pipesFile
// (or in the current directory when pipesFile is ""). An empty value counts as unset.
func Lookup(pipesFile string) (config.Lookup, error) {
	return LookupIn(designDir(pipesFile, nil))
}

// LookupIn is Lookup with the .env of the folder dir.
func LookupIn(dir string) (config.Lookup, error) {
	dotenv, err := config.ReadDotEnv(filepath.Join(dir, ".env"))
	if err != nil {
		return nil, fmt.Errorf("read .env: %w", err)
	}
	lookup := config.Env(dotenv)
	return func(name string) (string, bool) {
		v, ok := lookup(name)
		return v, ok && v != ""
	}, nil
}

// Embedded is an embedded Momento server started for a command that has no real endpoint.
type Embedded struct {
	Server *momento.Server
	URL    string
	Token  string // never logged
	Close  func() error
}

// StartEmbeddedMomento serves the embedded Momento HTTP API on a free loopback port when
// MOMENTO_API_ENDPOINT is not set, the same rule `pipesim run` follows, and returns lookup with
// ${MOMENTO_API_ENDPOINT} (and ${MOMENTO_API_KEY}, made up when unset) pointing at it. With an
// endpoint set it returns lookup unchanged and a nil *Embedded.
func StartEmbeddedMomento(lookup config.Lookup) (config.Lookup, *Embedded, error) {
	if _, ok := lookup(EnvMomentoEndpoint); ok {
		return lookup, nil, nil
	}
	token, ok := lookup(EnvMomentoKey)
	if !ok {
		var b [12]byte
		_, _ = rand.Read(b[:])
		token = "pipesim-local-" + hex.EncodeToString(b[:])
	}
	srv := momento.NewServer(momento.Config{Token: token})
	running, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("start embedded Momento server: %w", err)
	}
	e := &Embedded{Server: srv, URL: running.URL(), Token: token, Close: running.Close}
	return lookup.With(EnvMomentoEndpoint, e.URL).With(EnvMomentoKey, token), e, nil
}

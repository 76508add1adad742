package webui

import (
	"slices"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
)

// The page shows requests through httpdest's redacted views, which are redacted by construction,
// and answers as httpdest's Sender redacted them. Error texts and topic messages are searched for
// the connections' secret values here too, with httpdest's search.

// SecretsOf returns the secret values of the design's connections (httpdest.Connection.Secrets).
// They are kept in memory to redact with, and never shown.
func SecretsOf(cfg *config.Config) []string {
	var out []string
	for _, p := range cfg.Pipes {
		if p.Target == nil {
			continue
		}
		for _, v := range p.Target.Dest.Conn.Secrets() {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// redact replaces every form of each secret in text with httpdest.RedactedValue.
func (s *Server) redact(text string) string { return httpdest.RedactText(text, s.Secrets) }

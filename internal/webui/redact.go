package webui

import (
	"slices"

	"github.com/pipesim/pipesim/internal/config"
)

// The page shows requests through httpdest's redacted views, which are redacted by construction,
// and answers as httpdest's Sender redacted them when they arrived. Error texts and topic
// messages, which pipesim does not make either, are searched here for the connections' secret
// values with httpdest's Redactor.

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
func (s *Server) redact(text string) string { return s.redactor.Redact(text) }

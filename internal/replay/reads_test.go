package replay

import (
	"testing"

	"github.com/pipesim/pipesim/internal/config"
)

func TestReads(t *testing.T) {
	cfg := &config.Config{Pipes: []*config.Pipe{
		{Name: "a", Running: true, Source: "orders"},
		{Name: "b", Running: true, Source: "arn:aws:dynamodb:us-east-1:000000000000:table/carts/stream/2026-01-01T00:00:00.000"},
		{Name: "c", Running: false, Source: "audit"},
	}}
	tests := []struct {
		arn  string
		want bool
	}{
		{"arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2024-07-30T17:20:48.118", true},
		{"arn:aws:dynamodb:ddblocal:000000000000:table/carts/stream/2026-12-01T00:00:00.000", true}, // another generation of the stream
		{"arn:aws:dynamodb:us-east-1:111122223333:table/orders", true},                              // a table ARN, as the docs' sample has
		{"arn:aws:dynamodb:us-east-1:000000000000:table/audit/stream/x", false},                     // its pipe is STOPPED
		{"arn:aws:dynamodb:us-east-1:000000000000:table/users/stream/x", false},
		{"not-an-arn", true}, // names no table: not judged
	}
	for _, tt := range tests {
		if got := Reads(cfg, tt.arn); got != tt.want {
			t.Errorf("Reads(%s) = %t; want %t", tt.arn, got, tt.want)
		}
	}
}

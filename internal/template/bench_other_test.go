//go:build !linux

package template

import "testing"

// reportCPU reports nothing where per-thread CPU time is not available.
func reportCPU(b *testing.B) func() { return func() {} }

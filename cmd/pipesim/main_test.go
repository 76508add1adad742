package main

import (
	"testing"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
)

// TestMain shares one DynamoDB Local between the package's tests and stops it after them.
func TestMain(m *testing.M) { ddblocaltest.Main(m) }

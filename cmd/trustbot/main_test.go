package main

import (
	"testing"

	"github.com/trustbot/trustbot/internal/pgtest"
)

// TestMain stops the PostgreSQL server that pgtest.URL starts for this package's tests.
func TestMain(m *testing.M) { pgtest.Main(m) }

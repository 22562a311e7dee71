package main

import (
	"context"
	"os"
	"testing"
)

// TestQuickRun runs every scenario at its quick size against the test PostgreSQL, so that the
// benchmark program keeps working as the product changes. It checks that each scenario runs
// to the end — loads, serves, answers, compares with its baseline — and asserts no time.
func TestQuickRun(t *testing.T) {
	pg := os.Getenv("FUGONG_TEST_POSTGRES_URL")
	if pg == "" {
		t.Skip("needs PostgreSQL: FUGONG_TEST_POSTGRES_URL is not set")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	if err := runAll(context.Background(), pg, true, []string{"all"}); err != nil {
		t.Fatal(err)
	}
}

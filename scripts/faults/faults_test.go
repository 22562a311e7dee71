package main

import (
	"context"
	"os"
	"testing"

	"fugong/internal/pgbin"
)

// TestQuick runs every scenario at its quick size (a few hundred check-ins each) against the
// test PostgreSQL: the server is killed, loses its database and is told to stop, and nothing
// it acknowledged may be missing afterwards. pgrestart runs a private PostgreSQL cluster of
// its own (never the shared one), so it needs PostgreSQL's initdb and pg_ctl.
func TestQuick(t *testing.T) {
	pg := os.Getenv("FUGONG_TEST_POSTGRES_URL")
	if pg == "" {
		t.Skip("needs PostgreSQL: FUGONG_TEST_POSTGRES_URL is not set")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	ctx := context.Background()
	r, err := newRunner(ctx, pg, true)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, s := range scenarios {
		if clusterScenarios[s.name] {
			continue // they run on the cluster scripts/cluster starts: e2e's TestClusterFaults runs them
		}
		t.Run(s.name, func(t *testing.T) {
			if s.name == "pgrestart" {
				if _, err := pgbin.Dir("initdb", "pg_ctl"); err != nil {
					t.Skipf("pgrestart needs a PostgreSQL cluster of its own: %v", err)
				}
			}
			if err := r.runScenario(ctx, s); err != nil {
				t.Error(err)
			}
		})
	}
}

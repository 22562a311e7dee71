package api

import (
	"io"
	"log/slog"
	"testing"

	"fugong/domain"
)

// TestReplicaRoutesRegistered: every route replicaRoutes names is a route of the API, and a
// GET, so that a route renamed does not silently go back to the primary, and nothing that
// writes is ever sent to a replica.
func TestReplicaRoutesRegistered(t *testing.T) {
	_, routes := New(domain.Services{}, Config{Tokens: &Tokens{Secret: []byte("0123456789abcdef0123456789abcdef")},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	registered := map[string]bool{}
	for _, rt := range routes.List {
		registered[rt.Method+" "+rt.Path] = true
	}
	for r := range replicaRoutes {
		if !registered[r] {
			t.Errorf("replicaRoutes names %q, which is not a route", r)
		}
		if r[:4] != "GET " {
			t.Errorf("replicaRoutes names %q, which is not a GET", r)
		}
	}
}

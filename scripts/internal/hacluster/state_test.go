package hacluster

import (
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"

	"fugong/internal/app"
)

// TestAppEnvIsAValidConfig reads the Fugong processes' environment as fugong serve does
// (app.LoadConfig): every setting the cluster gives must be accepted together — the replica's
// URL beside the primary's, on PostgreSQL, with the read-after-write window longer than the
// lag bound — or each process would refuse to start, which only a running cluster would show.
func TestAppEnvIsAValidConfig(t *testing.T) {
	s := &State{Dir: t.TempDir(), JWTSecret: hex.EncodeToString(make([]byte, 32)),
		DataKey: base64.StdEncoding.EncodeToString(make([]byte, 32))}
	env := s.AppEnv(1)
	getenv := func(name string) string {
		v := ""
		for _, kv := range env { // the last NAME=value wins, as in a process started with env
			if k, val, ok := strings.Cut(kv, "="); ok && k == name {
				v = val
			}
		}
		return v
	}
	cfg, err := app.LoadConfig(getenv, false, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("the cluster's app environment is refused: %v", err)
	}
	if cfg.DatabaseURL != WriteURL(Database) {
		t.Errorf("database URL %q, want the write port's %q", cfg.DatabaseURL, WriteURL(Database))
	}
	if cfg.ReadURL != ReadURL(Database) {
		t.Errorf("read URL %q, want the read port's %q", cfg.ReadURL, ReadURL(Database))
	}
	if cfg.Addr != "127.0.0.1:18452" {
		t.Errorf("process 1 listens on %q, want 127.0.0.1:18452", cfg.Addr)
	}
}

package app

import (
	"strings"
	"testing"
	"time"

	"fugong/repo/dbtest"
)

// TestConfigReadReplica: FUGONG_DATABASE_READ_URL and its settings are read with their
// defaults, and refused, naming the variable, with SQLite, when malformed, and when a writer
// would read the primary for no longer than the replica may lag.
func TestConfigReadReplica(t *testing.T) {
	const pg = "postgres://u@db:5432/fugong"
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		want    Config // ReadURL, ReadMaxConns, ReadMaxLag, ReadAfterWrite
	}{
		{"Unset", map[string]string{"FUGONG_DATABASE_URL": pg}, "", Config{ReadMaxConns: 16, ReadMaxLag: 10 * time.Second, ReadAfterWrite: 15 * time.Second}},
		{"Defaults", map[string]string{"FUGONG_DATABASE_URL": pg, "FUGONG_DATABASE_READ_URL": "postgres://u@replica:5432/fugong", "FUGONG_DB_MAX_CONNS": "8"}, "",
			Config{ReadURL: "postgres://u@replica:5432/fugong", ReadMaxConns: 8, ReadMaxLag: 10 * time.Second, ReadAfterWrite: 15 * time.Second}},
		{"Set", map[string]string{"FUGONG_DATABASE_URL": pg, "FUGONG_DATABASE_READ_URL": pg, "FUGONG_DB_READ_MAX_CONNS": "32",
			"FUGONG_READ_MAX_LAG": "5s", "FUGONG_READ_AFTER_WRITE": "1m"}, "",
			Config{ReadURL: pg, ReadMaxConns: 32, ReadMaxLag: 5 * time.Second, ReadAfterWrite: time.Minute}},
		{"SQLitePrimary", map[string]string{"FUGONG_DATABASE_READ_URL": pg}, "FUGONG_DATABASE_READ_URL needs FUGONG_DATABASE_URL on PostgreSQL", Config{}},
		{"SQLiteReplica", map[string]string{"FUGONG_DATABASE_URL": pg, "FUGONG_DATABASE_READ_URL": "sqlite:x.db"}, "FUGONG_DATABASE_READ_URL must be a postgres:// url", Config{}},
		{"Malformed", map[string]string{"FUGONG_DATABASE_URL": pg, "FUGONG_DATABASE_READ_URL": "replica:5432"}, "FUGONG_DATABASE_READ_URL: database url", Config{}},
		{"BadPool", map[string]string{"FUGONG_DATABASE_URL": pg, "FUGONG_DATABASE_READ_URL": pg, "FUGONG_DB_READ_MAX_CONNS": "0"}, "FUGONG_DB_READ_MAX_CONNS", Config{}},
		{"BadLag", map[string]string{"FUGONG_DATABASE_URL": pg, "FUGONG_DATABASE_READ_URL": pg, "FUGONG_READ_MAX_LAG": "10"}, "FUGONG_READ_MAX_LAG", Config{}},
		{"AfterWriteNotLonger", map[string]string{"FUGONG_DATABASE_URL": pg, "FUGONG_DATABASE_READ_URL": pg, "FUGONG_READ_MAX_LAG": "20s"},
			"FUGONG_READ_AFTER_WRITE (15s) must be longer than FUGONG_READ_MAX_LAG (20s)", Config{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["FUGONG_DATA_DIR"] = t.TempDir()
			c, err := LoadConfig(func(k string) string { return tt.env[k] }, false, dbtest.Quiet)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			case tt.wantErr != "":
				return
			}
			got := Config{ReadURL: c.ReadURL, ReadMaxConns: c.ReadMaxConns, ReadMaxLag: c.ReadMaxLag, ReadAfterWrite: c.ReadAfterWrite}
			if got.ReadURL != tt.want.ReadURL || got.ReadMaxConns != tt.want.ReadMaxConns ||
				got.ReadMaxLag != tt.want.ReadMaxLag || got.ReadAfterWrite != tt.want.ReadAfterWrite {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

package app

import (
	"strings"
	"testing"

	"fugong/repo/dbtest"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		demo    bool
		wantErr string
	}{
		{"Defaults", map[string]string{}, false, ""},
		{"ProductionNeedsSecrets", map[string]string{"FUGONG_ENV": "production"}, false, "FUGONG_JWT_SECRET"},
		{"ProductionNeedsDataKey", map[string]string{"FUGONG_ENV": "production", "FUGONG_JWT_SECRET": strings.Repeat("s", 32)}, false, "FUGONG_DATA_KEY"},
		{"ProductionOK", map[string]string{"FUGONG_ENV": "production", "FUGONG_JWT_SECRET": strings.Repeat("s", 32), "FUGONG_DATA_KEY": strings.Repeat("ab", 32)}, false, ""},
		{"ShortSecret", map[string]string{"FUGONG_JWT_SECRET": "short"}, false, "at least 32 bytes"},
		{"BadDataKey", map[string]string{"FUGONG_DATA_KEY": "not-a-key"}, false, "FUGONG_DATA_KEY must be 32 bytes"},
		{"BadDatabaseURL", map[string]string{"FUGONG_DATABASE_URL": "mysql://x"}, false, "FUGONG_DATABASE_URL"},
		{"BadEnv", map[string]string{"FUGONG_ENV": "staging"}, false, "FUGONG_ENV"},
		{"BadProxy", map[string]string{"FUGONG_TRUSTED_PROXIES": "10.0.0.1"}, false, "CIDR"},
		{"BadAddr", map[string]string{"FUGONG_ADDR": "8080"}, false, "FUGONG_ADDR"},
		{"CheckinLanes", map[string]string{"FUGONG_CHECKIN_LANES": "3"}, false, ""},
		{"BadCheckinLanes", map[string]string{"FUGONG_CHECKIN_LANES": "0"}, false, "FUGONG_CHECKIN_LANES"},
		{"BadDBMaxConns", map[string]string{"FUGONG_DB_MAX_CONNS": "many"}, false, "FUGONG_DB_MAX_CONNS"},
		{"ImportLimits", map[string]string{"FUGONG_IMPORT_SLOTS": "4", "FUGONG_IMPORT_TIMEOUT": "90s"}, false, ""},
		{"BadImportSlots", map[string]string{"FUGONG_IMPORT_SLOTS": "0"}, false, "FUGONG_IMPORT_SLOTS"},
		{"BadImportTimeout", map[string]string{"FUGONG_IMPORT_TIMEOUT": "90"}, false, "FUGONG_IMPORT_TIMEOUT"},
		{"DrainDelay", map[string]string{"FUGONG_DRAIN_DELAY": "2s"}, false, ""},
		{"BadDrainDelay", map[string]string{"FUGONG_DRAIN_DELAY": "2"}, false, "FUGONG_DRAIN_DELAY"},
		{"NegativeDrainDelay", map[string]string{"FUGONG_DRAIN_DELAY": "-1s"}, false, "FUGONG_DRAIN_DELAY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["FUGONG_DATA_DIR"] = t.TempDir()
			_, err := LoadConfig(func(k string) string { return tt.env[k] }, tt.demo, dbtest.Quiet)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

package dbtest_test

import (
	"context"
	"maps"
	"os"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	dbtest.DropTemplates()
	os.Exit(code)
}

// TestFingerprint checks the summary tests use to prove that nothing was written: it holds
// still while nothing is, and moves with an insert and with an update that sets a time.
func TestFingerprint(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		fingerprint := func() map[string]string {
			t.Helper()
			fp, err := dbtest.Fingerprint(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			return fp
		}
		first := fingerprint()
		for _, table := range []string{"townships", "users", "workers", "checkins", "alerts", "refresh_tokens", "audit_events"} {
			if _, ok := first[table]; !ok {
				t.Errorf("got tables %v, want %s among them", first, table)
			}
		}
		if again := fingerprint(); !maps.Equal(again, first) {
			t.Fatalf("nothing written: got %v, then %v", first, again)
		}
		u := domain.User{Username: "fp", Name: "fp", Role: domain.RolePlatformAdmin, Active: true, PasswordHash: "x"}
		if err := (&repo.UserStore{DB: db}).Create(ctx, &u); err != nil {
			t.Fatal(err)
		}
		inserted := fingerprint()
		if inserted["users"] == first["users"] {
			t.Errorf("after an insert: got users %q, want it changed", inserted["users"])
		}
		tokens := &repo.RefreshTokenStore{DB: db}
		at := time.Date(2026, 2, 17, 8, 0, 0, 0, time.UTC)
		tok := domain.RefreshToken{FamilyID: "f", UserID: u.ID, Hash: "h", ExpiresAt: at.Add(time.Hour), CreatedAt: at}
		if err := tokens.Create(ctx, &tok); err != nil {
			t.Fatal(err)
		}
		created := fingerprint()
		if _, err := tokens.Spend(ctx, tok.ID, at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		spent := fingerprint()
		if spent["refresh_tokens"] == created["refresh_tokens"] {
			t.Errorf("after an update of used_at: got refresh_tokens %q, want it changed", spent["refresh_tokens"])
		}
		if spent["users"] != created["users"] {
			t.Errorf("users: got %q, want %q unchanged", spent["users"], created["users"])
		}
	})
}

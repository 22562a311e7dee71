package repo_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// newToken stores a refresh token of user in family, created at start.
func newToken(t *testing.T, s *repo.RefreshTokenStore, userID int64, family, raw string) domain.RefreshToken {
	t.Helper()
	tok := domain.RefreshToken{
		FamilyID: family, UserID: userID, Hash: domain.HashToken(raw),
		ExpiresAt: start.Add(refreshTTL), CreatedAt: start,
	}
	must(t, s.Create(context.Background(), &tok))
	if tok.ID == 0 {
		t.Fatalf("got ID 0, want it set")
	}
	return tok
}

func getToken(t *testing.T, s *repo.RefreshTokenStore, raw string) domain.RefreshToken {
	t.Helper()
	got, err := s.GetByHash(context.Background(), domain.HashToken(raw))
	must(t, err)
	return got
}

func TestRefreshTokenStoreCreateGet(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		s := &repo.RefreshTokenStore{DB: db}
		u := storeUser(t, db, domain.User{Username: "root", Role: domain.RolePlatformAdmin})
		in := newToken(t, s, u.ID, "fam-1", "raw-1")
		got := getToken(t, s, "raw-1")
		if got.ID != in.ID || got.FamilyID != "fam-1" || got.UserID != u.ID || got.Hash != domain.HashToken("raw-1") {
			t.Errorf("got %+v, want %+v", got, in)
		}
		if !got.ExpiresAt.Equal(start.Add(refreshTTL)) || !got.CreatedAt.Equal(start) {
			t.Errorf("got expires %v created %v, want %v and %v", got.ExpiresAt, got.CreatedAt, start.Add(refreshTTL), start)
		}
		if got.UsedAt != nil || got.RevokedAt != nil {
			t.Errorf("got used %v revoked %v, want neither", got.UsedAt, got.RevokedAt)
		}
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.GetByHash(context.Background(), domain.HashToken("raw-2"))
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrConflictSameHash", func(t *testing.T) {
			dup := domain.RefreshToken{FamilyID: "fam-2", UserID: u.ID, Hash: domain.HashToken("raw-1"), ExpiresAt: start, CreatedAt: start}
			wantErr(t, s.Create(context.Background(), &dup), domain.ErrConflict)
		})
	})
}

func TestRefreshTokenStoreSpend(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.RefreshTokenStore{DB: db}
		u := storeUser(t, db, domain.User{Username: "root", Role: domain.RolePlatformAdmin})
		tok := newToken(t, s, u.ID, "fam-1", "raw-1")
		at := start.Add(time.Hour)

		t.Run("OK", func(t *testing.T) {
			won, err := s.Spend(ctx, tok.ID, at)
			must(t, err)
			if !won {
				t.Fatalf("got false, want the first spend to win")
			}
			got := getToken(t, s, "raw-1")
			if got.UsedAt == nil || !got.UsedAt.Equal(at) {
				t.Errorf("got used at %v, want %v", got.UsedAt, at)
			}
		})
		t.Run("Twice", func(t *testing.T) {
			won, err := s.Spend(ctx, tok.ID, at.Add(time.Minute))
			must(t, err)
			if won {
				t.Fatalf("got true, want a spent token not to be spent again")
			}
			if got := getToken(t, s, "raw-1"); !got.UsedAt.Equal(at) {
				t.Errorf("got used at %v, want the first spend's %v kept", got.UsedAt, at)
			}
		})
		t.Run("Revoked", func(t *testing.T) {
			rev := newToken(t, s, u.ID, "fam-2", "raw-2")
			must(t, s.RevokeFamily(ctx, "fam-2", at))
			won, err := s.Spend(ctx, rev.ID, at)
			must(t, err)
			if won {
				t.Fatalf("got true, want a revoked token not to be spent")
			}
		})
		t.Run("Unknown", func(t *testing.T) {
			won, err := s.Spend(ctx, 4242, at)
			must(t, err)
			if won {
				t.Fatalf("got true, want false for a token that does not exist")
			}
		})
	})
}

// TestRefreshTokenStoreSpendConcurrent presents one token twenty times at once: exactly one
// spend wins, on SQLite as on PostgreSQL.
func TestRefreshTokenStoreSpendConcurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		s := &repo.RefreshTokenStore{DB: db}
		u := storeUser(t, db, domain.User{Username: "root", Role: domain.RolePlatformAdmin})
		tok := newToken(t, s, u.ID, "fam-1", "raw-1")

		const n = 20
		var (
			wins  atomic.Int32
			wg    sync.WaitGroup
			ready = make(chan struct{})
			errs  = make(chan error, n)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				won, err := s.Spend(context.Background(), tok.ID, start.Add(time.Duration(i)*time.Second))
				if err != nil {
					errs <- err
					return
				}
				if won {
					wins.Add(1)
				}
			}()
		}
		close(ready)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("got error %v, want nil", err)
		}
		if got := wins.Load(); got != 1 {
			t.Fatalf("got %d winning spends, want exactly 1", got)
		}
		if got := getToken(t, s, "raw-1"); got.UsedAt == nil {
			t.Fatalf("got no used_at, want it set")
		}
	})
}

func TestRefreshTokenStoreRevoke(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.RefreshTokenStore{DB: db}
		alice := storeUser(t, db, domain.User{Username: "alice", Role: domain.RolePlatformAdmin})
		bob := storeUser(t, db, domain.User{Username: "bob", Role: domain.RolePlatformAdmin})
		newToken(t, s, alice.ID, "fam-a1", "a1-1")
		newToken(t, s, alice.ID, "fam-a1", "a1-2")
		newToken(t, s, alice.ID, "fam-a2", "a2-1")
		newToken(t, s, bob.ID, "fam-b1", "b1-1")
		first, later := start.Add(time.Hour), start.Add(2*time.Hour)

		revokedAt := func(t *testing.T, raw string) *time.Time {
			t.Helper()
			return getToken(t, s, raw).RevokedAt
		}
		t.Run("RevokeFamily", func(t *testing.T) {
			must(t, s.RevokeFamily(ctx, "fam-a1", first))
			for _, raw := range []string{"a1-1", "a1-2"} {
				if got := revokedAt(t, raw); got == nil || !got.Equal(first) {
					t.Errorf("%s: got revoked %v, want %v", raw, got, first)
				}
			}
			for _, raw := range []string{"a2-1", "b1-1"} {
				if got := revokedAt(t, raw); got != nil {
					t.Errorf("%s: got revoked %v, want not revoked", raw, got)
				}
			}
		})
		t.Run("RevokeFamilyKeepsFirstTime", func(t *testing.T) {
			must(t, s.RevokeFamily(ctx, "fam-a1", later))
			if got := revokedAt(t, "a1-1"); got == nil || !got.Equal(first) {
				t.Errorf("got revoked %v, want the first revocation %v kept", got, first)
			}
		})
		t.Run("RevokeUser", func(t *testing.T) {
			must(t, s.RevokeUser(ctx, alice.ID, later))
			if got := revokedAt(t, "a2-1"); got == nil || !got.Equal(later) {
				t.Errorf("a2-1: got revoked %v, want %v", got, later)
			}
			if got := revokedAt(t, "a1-2"); got == nil || !got.Equal(first) {
				t.Errorf("a1-2: got revoked %v, want %v kept", got, first)
			}
			if got := revokedAt(t, "b1-1"); got != nil {
				t.Errorf("b1-1: got revoked %v, want bob's session untouched", got)
			}
		})
	})
}

func TestLoginAttemptStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.LoginAttemptStore{DB: db}
		const key, other = "admin|10.0.0.1", "admin|10.0.0.2"
		now := start
		failures := func(t *testing.T, key string, since time.Time) int {
			t.Helper()
			n, err := s.Failures(ctx, key, since)
			must(t, err)
			return n
		}
		record := func(t *testing.T, key string, at time.Time) {
			t.Helper()
			must(t, s.RecordFailure(ctx, key, at, now.Add(-time.Hour)))
		}

		t.Run("Empty", func(t *testing.T) {
			if got := failures(t, key, now.Add(-time.Minute)); got != 0 {
				t.Fatalf("got %d, want 0", got)
			}
		})
		t.Run("CountsWithinWindow", func(t *testing.T) {
			record(t, key, now.Add(-2*time.Minute))
			record(t, key, now.Add(-30*time.Second))
			record(t, key, now.Add(-10*time.Second))
			record(t, key, now.Add(-1500*time.Millisecond))
			record(t, other, now.Add(-5*time.Second))
			if got := failures(t, key, now.Add(-time.Minute)); got != 3 {
				t.Errorf("got %d in the last minute, want 3", got)
			}
			if got := failures(t, key, now.Add(-20*time.Second)); got != 2 {
				t.Errorf("got %d in the last 20s, want 2", got)
			}
			if got := failures(t, key, now.Add(-2*time.Second)); got != 1 {
				t.Errorf("got %d in the last 2s, want 1", got)
			}
			if got := failures(t, key, now.Add(-time.Hour)); got != 4 {
				t.Errorf("got %d in the last hour, want 4", got)
			}
			if got := failures(t, other, now.Add(-time.Minute)); got != 1 {
				t.Errorf("other key: got %d, want 1", got)
			}
		})
		t.Run("RecordFailurePrunes", func(t *testing.T) {
			must(t, s.RecordFailure(ctx, key, now.Add(-3*time.Hour), now.Add(-4*time.Hour)))
			must(t, s.RecordFailure(ctx, other, now.Add(-2*time.Hour), now.Add(-4*time.Hour)))
			if got := failures(t, key, time.Time{}); got != 5 {
				t.Fatalf("got %d before pruning, want 5", got)
			}
			// Pruning is by age for every key, not only the one that failed.
			must(t, s.RecordFailure(ctx, key, now, now.Add(-time.Hour)))
			if got := failures(t, key, time.Time{}); got != 5 {
				t.Errorf("got %d after pruning, want 5 (4 recent + 1 new)", got)
			}
			if got := failures(t, other, time.Time{}); got != 1 {
				t.Errorf("other key: got %d after pruning, want 1", got)
			}
		})
		t.Run("Clear", func(t *testing.T) {
			must(t, s.Clear(ctx, key))
			if got := failures(t, key, time.Time{}); got != 0 {
				t.Errorf("got %d after Clear, want 0", got)
			}
			if got := failures(t, other, time.Time{}); got != 1 {
				t.Errorf("other key: got %d after Clear, want 1 untouched", got)
			}
		})
	})
}

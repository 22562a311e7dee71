package repo_test

import (
	"context"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestFeverAdviceMigration rolls 00022 back under a township and applies it again: the column
// goes and comes back, and the township of before gets the text a new township starts with
// (the SQL's default and domain.DefaultFeverAdvice are one text), which the store then keeps.
func TestFeverAdviceMigration(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		tw := storeTownship(t, db, "371626104", "一区")
		later := migrationsAfter(t, 21) // 00022 and those after it
		for range later {
			must(t, repo.MigrateDown(ctx, db))
		}
		// Fresh connections: PostgreSQL's statements prepared on the newer table would fail.
		pool, err := db.Pool()
		must(t, err)
		pool.SetMaxIdleConns(0)
		pool.SetMaxIdleConns(2)
		var cols []map[string]any
		must(t, repo.RawQuery(ctx, db, "SELECT * FROM townships", &cols))
		if _, ok := cols[0]["fever_advice"]; ok {
			t.Fatalf("got townships %v, want fever_advice gone", cols[0])
		}
		n, err := db.Migrate(ctx)
		must(t, err)
		if n != later {
			t.Fatalf("got %d migrations applied, want 00022 and those after it (%d)", n, later)
		}
		pool.SetMaxIdleConns(0)
		pool.SetMaxIdleConns(2)
		s := &repo.TownshipStore{DB: db}
		got, err := s.Get(ctx, tw.ID)
		must(t, err)
		if got.Policy.FeverAdvice != domain.DefaultFeverAdvice {
			t.Errorf("got %q, want the township of before given %q", got.Policy.FeverAdvice, domain.DefaultFeverAdvice)
		}
		got.Policy.FeverAdvice = "请停工，告知人事，去镇卫生院发热门诊。"
		must(t, s.Update(ctx, got))
		again, err := s.Get(ctx, tw.ID)
		must(t, err)
		if again.Policy.FeverAdvice != got.Policy.FeverAdvice {
			t.Errorf("got %q after an update, want %q", again.Policy.FeverAdvice, got.Policy.FeverAdvice)
		}
		// The database holds the rule too: no township without advice, whatever writes it.
		if err := repo.Exec(ctx, db, "UPDATE townships SET fever_advice = '' WHERE id = ?", tw.ID); err == nil {
			t.Error("got an empty fever_advice written, want the CHECK to refuse it")
		}
	})
}

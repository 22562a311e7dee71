package repo_test

import (
	"context"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestCheckinStoreUpsertOwn holds the contract the check-in route's authentication rests on
// (api's router.standingInWrite): UpsertOwn writes a worker's own report only for a worker still
// on the roster of the report's enterprise and township, not left, whose token generation is
// still the one given, and otherwise writes nothing and answers ErrNotFound. Upsert, HR's
// report, asks the same of the roster but not of the generation. Each case runs on its own
// (on PostgreSQL through the group commit) and in a transaction (one statement on its own).
func TestCheckinStoreUpsertOwn(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		tw := storeTownship(t, db, "371626104", "一区")
		other := storeTownship(t, db, "371626105", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})
		ent2 := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100002", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: tw.Zones[0].ID})
		workers := &repo.WorkerStore{DB: db, Box: dbtest.Box()}
		checkins := repo.NewCheckinStore(db, repo.CheckinOptions{})
		n := 0
		newWorker := func(t *testing.T, status domain.WorkerStatus) domain.Worker {
			t.Helper()
			n++
			return storeWorkerIn(t, workers, domain.Worker{TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "职工",
				IDNumber: personID(n), Phone: phoneOf(n), Status: status})
		}
		bumped := func(t *testing.T, w domain.Worker) domain.Worker {
			t.Helper()
			must(t, workers.BumpGeneration(ctx, w.ID))
			got, err := workers.Standing(ctx, w.ID)
			must(t, err)
			if got.Generation != w.Generation+1 {
				t.Fatalf("got generation %d after a bump, want %d", got.Generation, w.Generation+1)
			}
			return got
		}
		checkinOf := func(w domain.Worker) *domain.Checkin {
			return &domain.Checkin{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID,
				Date: domain.DateFromTime(time.Now()), Slot: domain.SlotAM, Temperature: 365}
		}
		own := func(gen int64) func(ctx context.Context, c *domain.Checkin) (bool, error) {
			return func(ctx context.Context, c *domain.Checkin) (bool, error) { return checkins.UpsertOwn(ctx, c, gen) }
		}

		tests := []struct {
			name    string
			setup   func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error))
			wantErr error
		}{
			{"OK", func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error)) {
				w := newWorker(t, domain.WorkerOnDuty)
				return checkinOf(w), own(w.Generation)
			}, nil},
			{"OKNewGeneration", func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error)) {
				w := bumped(t, newWorker(t, domain.WorkerOnDuty))
				return checkinOf(w), own(w.Generation)
			}, nil},
			{"ErrNotFoundGenerationEnded", func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error)) {
				w := newWorker(t, domain.WorkerOnDuty)
				c := checkinOf(w)
				bumped(t, w) // signed out, PIN reset: the token's generation is over
				return c, own(w.Generation)
			}, domain.ErrNotFound},
			{"ErrNotFoundLeft", func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error)) {
				w := newWorker(t, domain.WorkerLeft)
				return checkinOf(w), own(w.Generation)
			}, domain.ErrNotFound},
			{"ErrNotFoundOtherEnterprise", func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error)) {
				w := newWorker(t, domain.WorkerOnDuty)
				c := checkinOf(w)
				c.EnterpriseID = ent2.ID // a token of the enterprise the worker was moved from
				return c, own(w.Generation)
			}, domain.ErrNotFound},
			{"ErrNotFoundOtherTownship", func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error)) {
				w := newWorker(t, domain.WorkerOnDuty)
				c := checkinOf(w)
				c.TownshipID = other.ID
				return c, own(w.Generation)
			}, domain.ErrNotFound},
			{"ErrNotFoundNoWorker", func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error)) {
				c := checkinOf(newWorker(t, domain.WorkerOnDuty))
				c.WorkerID = 1 << 40
				return c, own(0)
			}, domain.ErrNotFound},
			{"UpsertAnyGeneration", func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error)) {
				w := newWorker(t, domain.WorkerOnDuty)
				bumped(t, w)
				return checkinOf(w), checkins.Upsert // HR's report: the roster decides, not a token
			}, nil},
			{"UpsertErrNotFoundLeft", func(t *testing.T) (*domain.Checkin, func(context.Context, *domain.Checkin) (bool, error)) {
				return checkinOf(newWorker(t, domain.WorkerLeft)), checkins.Upsert
			}, domain.ErrNotFound},
		}
		for _, inTx := range []bool{false, true} {
			for _, tt := range tests {
				name := tt.name
				if inTx {
					name += "InTx"
				}
				t.Run(name, func(t *testing.T) {
					c, upsert := tt.setup(t)
					before := rows(t, db, "checkins")
					var created bool
					var err error
					write := func(ctx context.Context) error {
						created, err = upsert(ctx, c)
						return nil
					}
					if inTx {
						must(t, db.InTx(ctx, write))
					} else {
						must(t, write(ctx))
					}
					if tt.wantErr != nil {
						wantErr(t, err, tt.wantErr)
						if got := rows(t, db, "checkins"); got != before {
							t.Errorf("got %d check-ins after a refused upsert, want %d", got, before)
						}
						return
					}
					must(t, err)
					if !created || c.ID == 0 {
						t.Errorf("got created %v, ID %d, want a new row", created, c.ID)
					}
					if got := rows(t, db, "checkins"); got != before+1 {
						t.Errorf("got %d check-ins, want %d", got, before+1)
					}
				})
			}
		}
	})
}

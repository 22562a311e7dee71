package repo_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// openPostgres is a fresh PostgreSQL database, for what only PostgreSQL does; without one the
// test says so and is skipped.
func openPostgres(t *testing.T) *repo.DB {
	t.Helper()
	for _, e := range dbtest.Engines(t) {
		if e.Name == "postgres" {
			return e.Open(t)
		}
	}
	t.Skipf("needs PostgreSQL (%s)", dbtest.PostgresURLEnv)
	return nil
}

// TestCheckinGroupsConcurrent sends three enterprises' check-ins at once through three lanes of
// the group commit: new slots, repeats of the same slot racing each other, and a worker who
// left. Every answer must match what is stored, and the daily statistics a recount.
func TestCheckinGroupsConcurrent(t *testing.T) {
	db := openPostgres(t)
	w := newWorldOn(t, db, newEnvOn(t, db, repo.StoresWith(db, dbtest.Box(), repo.Options{Checkins: repo.CheckinOptions{Lanes: 3}})))
	if got := repo.CheckinLanes(w.stores.Checkins.(*repo.CheckinStore)); got != 3 {
		t.Fatalf("got %d lanes, want 3", got)
	}
	const each = 8
	var ws []domain.Worker
	for i, hr := range []domain.User{w.hr, w.hr2, w.hr3} {
		for n := range each {
			ws = append(ws, w.back(t, hr, 100*i+n+1))
		}
	}
	gone := w.setStatus(t, w.hr2, ws[each], domain.WorkerLeft)

	type result struct {
		checkin domain.Checkin
		created bool
		err     error
	}
	// Each worker sends the morning twice and the afternoon once, all at the same moment.
	slots := []domain.Slot{domain.SlotAM, domain.SlotAM, domain.SlotPM}
	results := make([][]result, len(ws))
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for i, wk := range ws {
		results[i] = make([]result, len(slots))
		for j, s := range slots {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				r := &results[i][j]
				r.checkin, r.created, r.err = w.checkins.Submit(w.ctx, wk.Actor(), report(s, 36.5+float64(j)/10))
			}()
		}
	}
	close(ready)
	wg.Wait()

	stored := 0
	for i, wk := range ws {
		if wk.ID == gone.ID {
			for _, r := range results[i] {
				wantErr(t, r.err, domain.ErrInvalid, "worker_id")
			}
			continue
		}
		am1, am2, pm := results[i][0], results[i][1], results[i][2]
		for _, r := range results[i] {
			if r.err != nil {
				t.Fatalf("worker %d: got error %v, want nil", wk.ID, r.err)
			}
		}
		if am1.checkin.ID != am2.checkin.ID || am1.created == am2.created {
			t.Errorf("worker %d morning twice: got IDs %d, %d created %v, %v; want one row, created once",
				wk.ID, am1.checkin.ID, am2.checkin.ID, am1.created, am2.created)
		}
		if !pm.created {
			t.Errorf("worker %d afternoon: got created false, want true", wk.ID)
		}
		for _, s := range []domain.Slot{domain.SlotAM, domain.SlotPM} {
			if got := w.stored(t, wk.ID, w.today(), s); got.WorkerID != wk.ID {
				t.Errorf("worker %d %s: got %+v stored", wk.ID, s, got)
			}
		}
		stored += 2
	}
	if got := rows(t, db, "checkins"); got != stored {
		t.Errorf("got %d check-ins stored, want %d", got, stored)
	}
	today := w.today()
	got, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: w.tw.ID}, today, today)
	must(t, err)
	wantDays(t, got, w.recount(t, w.tw, today, today, today))
}

// TestCheckinGroupFailsAlone puts into one group a check-in the database refuses (a
// temperature its CHECK constraint does not allow, which the domain would never send): the
// group's transaction fails, and each check-in is written again on its own, so that only the
// bad one fails. A worker not on any roster in the same group gets "not found" without
// failing the group.
func TestCheckinGroupFailsAlone(t *testing.T) {
	db := openPostgres(t)
	w := newWorld(t, db)
	a, b := w.back(t, w.hr, 1), w.back(t, w.hr2, 2)
	checkin := func(wk domain.Worker, s domain.Slot, temp domain.Temperature) domain.Checkin {
		return domain.Checkin{TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID,
			Date: w.today(), Slot: s, Temperature: temp, Location: domain.AtWork}
	}
	stranger := checkin(a, domain.SlotAM, 365)
	stranger.WorkerID = a.ID + 1000
	for _, tt := range []struct {
		name     string
		group    []domain.Checkin
		wantErrs []bool // which fail
		wantRows int
	}{
		{"OKTogether", []domain.Checkin{checkin(a, domain.SlotAM, 365), stranger, checkin(b, domain.SlotAM, 366)}, []bool{false, true, false}, 2},
		{"BadOneFailsAlone", []domain.Checkin{checkin(a, domain.SlotPM, 365), checkin(b, domain.SlotPM, 999), checkin(b, domain.SlotAM, 367)}, []bool{false, true, false}, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			created, errs := repo.UpsertGroup(w.ctx, w.stores.Checkins.(*repo.CheckinStore), tt.group)
			for i, err := range errs {
				if (err != nil) != tt.wantErrs[i] {
					t.Errorf("check-in %d: got error %v, want failed %v", i, err, tt.wantErrs[i])
				}
			}
			if !created[0] || created[1] {
				t.Errorf("got created %v, want the first new and the second not", created)
			}
			if tt.group[0].ID == 0 {
				t.Errorf("got no ID for the first check-in, want the stored row's")
			}
			if got := rows(t, db, "checkins"); got != tt.wantRows {
				t.Errorf("got %d check-ins stored, want %d", got, tt.wantRows)
			}
		})
	}
	_, errs := repo.UpsertGroup(w.ctx, w.stores.Checkins.(*repo.CheckinStore), []domain.Checkin{stranger})
	if !errors.Is(errs[0], domain.ErrNotFound) {
		t.Errorf("stranger alone: got %v, want not found", errs[0])
	}
	today := w.today()
	got, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: w.tw.ID}, today, today)
	must(t, err)
	wantDays(t, got, w.recount(t, w.tw, today, today, today))
}

// TestCheckinStoreOptions: the group commit is the check-in store's own, with the lanes its
// options give (DefaultCheckinLanes by default), on PostgreSQL only; it stops when the database
// closes, and a check-in sent then is refused as the database being away.
func TestCheckinStoreOptions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		for _, tt := range []struct {
			name  string
			o     repo.CheckinOptions
			lanes int
		}{
			{"Default", repo.CheckinOptions{}, repo.DefaultCheckinLanes()},
			{"Lanes", repo.CheckinOptions{Lanes: 5}, 5},
		} {
			t.Run(tt.name, func(t *testing.T) {
				want := tt.lanes
				if db.Dialect != repo.Postgres {
					want = 0
				}
				if got := repo.CheckinLanes(repo.NewCheckinStore(db, tt.o)); got != want {
					t.Errorf("got %d lanes, want %d", got, want)
				}
			})
		}
		if got := repo.CheckinLanes(&repo.CheckinStore{DB: db}); got != 0 {
			t.Errorf("got %d lanes in a store not made by NewCheckinStore, want 0", got)
		}
	})
	t.Run("StopsWithDB", func(t *testing.T) {
		db := openPostgres(t)
		s := repo.NewCheckinStore(db, repo.CheckinOptions{Lanes: 2})
		must(t, db.Close())
		_, err := s.Upsert(context.Background(), &domain.Checkin{TownshipID: 1, EnterpriseID: 1, WorkerID: 1,
			Date: domain.NewDate(2020, 2, 10), Slot: domain.SlotAM, Temperature: 365})
		wantErr(t, err, domain.ErrUnavailable)
	})
}

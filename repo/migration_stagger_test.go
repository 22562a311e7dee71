package repo_test

import (
	"slices"
	"strings"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestStaggerMigration upgrades a database of migration 00016, in which workers had a free-text
// team (shift_group) and plans kept their batches as JSON only, through 00017: each team of an
// enterprise becomes a shift whose capacity is the larger of the team's size and the plan's
// shift size, its workers are placed in it, and the latest approved version of each plan (not
// an earlier approved one, not a later submitted one) gives the enterprise its return batches,
// numbered by date. Everything is read back through the stores, on both engines.
func TestStaggerMigration(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		v, err := db.MigrationVersion(t.Context())
		must(t, err)
		if v < 17 {
			t.Fatalf("got migration version %d, want 00017's or later", v)
		}
		w := newWorld(t, db)
		ctx, d0 := w.ctx, w.today()
		day := func(n int) domain.Date { return d0.AddDays(n) }

		// ent: v1 approved, v2 (an amendment, three batches, shift size 20) approved, v3 submitted.
		v1 := w.submitted(t, w.hr)
		_, err = w.plans.Approve(ctx, w.sup.Actor(), v1.ID, "同意")
		must(t, err)
		c := planContent(d0)
		c.ExpectedWorkers = 150
		c.Batches = []domain.Batch{{Date: day(12), Workers: 30}, {Date: day(7), Workers: 60}, {Date: day(10), Workers: 60}}
		v2 := w.amended(t, w.hr, w.sup, c, true)
		c.Batches = []domain.Batch{{Date: day(8), Workers: 150}}
		w.amended(t, w.hr, w.sup, c, false)
		// ent2: one approved plan, shift size 2.
		p2, err := w.plans.Create(ctx, w.hr2.Actor(), w.ent2.ID, gatePlan(d0))
		must(t, err)
		_, err = w.plans.Submit(ctx, w.hr2.Actor(), p2.ID)
		must(t, err)
		_, err = w.plans.Approve(ctx, w.sup2.Actor(), p2.ID, "同意")
		must(t, err)
		// ent3: a plan submitted, never approved: no batches.
		w.submitted(t, w.hr3)

		// Teams: ent 甲班 ×3, 乙班 ×1, one without; ent2 甲班 ×3, 乙班 ×1.
		n := 0
		add := func(hr domain.User, group string, count int) []domain.Worker {
			var out []domain.Worker
			for range count {
				n++
				in := workerForm(n, "371681", d0)
				in.ShiftGroup = group
				out = append(out, w.addWorker(t, hr, in))
			}
			return out
		}
		entJia, entYi, entNone := add(w.hr, "甲班", 3), add(w.hr, "乙班", 1), add(w.hr, "", 2)
		ent2Jia, ent2Yi := add(w.hr2, "甲班", 3), add(w.hr2, "乙班", 1)

		for range v - 16 {
			must(t, repo.MigrateDown(ctx, db))
		}
		// A team typed as free text at 00016, which no shift had named.
		must(t, repo.Exec(ctx, db, "UPDATE workers SET shift_group = '夜班' WHERE id = ?", entNone[0].ID))
		must(t, repo.Exec(ctx, db, "UPDATE workers SET shift_group = '' WHERE id = ?", entNone[1].ID))
		applied, err := db.Migrate(ctx)
		must(t, err)
		if applied != int(v)-16 {
			t.Fatalf("got %d migrations applied, want 00017 and those after it (%d)", applied, v-16)
		}

		type shift struct {
			name     string
			capacity int
			workers  []domain.Worker
		}
		for _, tt := range []struct {
			ent  domain.Enterprise
			want []shift
		}{
			{w.ent, []shift{{"乙班", 20, entYi}, {"夜班", 20, entNone[:1]}, {"甲班", 20, entJia}}},
			{w.ent2, []shift{{"乙班", 2, ent2Yi}, {"甲班", 3, ent2Jia}}},
			{w.ent3, nil},
		} {
			got, err := w.stores.Shifts.ForEnterprise(ctx, tt.ent.ID)
			must(t, err)
			slices.SortFunc(got, func(a, b domain.Shift) int { return strings.Compare(a.Name, b.Name) })
			if len(got) != len(tt.want) {
				t.Fatalf("enterprise %s: got shifts %+v, want %+v", tt.ent.Name, got, tt.want)
			}
			for i, sh := range got {
				want := tt.want[i]
				if sh.Name != want.name || sh.Capacity != want.capacity || sh.TownshipID != w.tw.ID || sh.EnterpriseID != tt.ent.ID {
					t.Errorf("enterprise %s: got shift %+v, want %s of capacity %d", tt.ent.Name, sh, want.name, want.capacity)
				}
				for _, wk := range want.workers {
					if got := w.workerNow(t, wk.ID); got.ShiftID != sh.ID || got.ShiftGroup != sh.Name {
						t.Errorf("worker %s: got shift %d %q, want %d %q", wk.Name, got.ShiftID, got.ShiftGroup, sh.ID, sh.Name)
					}
				}
			}
		}
		if got := w.workerNow(t, entNone[1].ID); got.ShiftID != 0 || got.ShiftGroup != "" {
			t.Errorf("got the teamless worker in shift %d %q, want none", got.ShiftID, got.ShiftGroup)
		}

		type batch struct {
			number  int
			date    domain.Date
			planned int
			planID  int64
		}
		for _, tt := range []struct {
			ent  domain.Enterprise
			want []batch
		}{
			{w.ent, []batch{{1, day(7), 60, v2.ID}, {2, day(10), 60, v2.ID}, {3, day(12), 30, v2.ID}}},
			{w.ent2, []batch{{1, day(2), 1, p2.ID}, {2, day(5), 3, p2.ID}}},
			{w.ent3, nil},
		} {
			bs := w.batchesOf(t, tt.ent.ID)
			got := make([]batch, 0, len(bs))
			for _, b := range bs {
				got = append(got, batch{b.Number, b.Date, b.Planned, b.PlanID})
				if b.TownshipID != w.tw.ID || b.EnterpriseID != tt.ent.ID || b.Assigned != 0 {
					t.Errorf("enterprise %s: got batch %+v, want it of its township and enterprise, nobody assigned", tt.ent.Name, b)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("enterprise %s: got batches %+v, want %+v", tt.ent.Name, got, tt.want)
			}
		}
	})
}

// amended has hr copy the enterprise's latest plan, give it content c and submit it; the
// supervisor approves it when approve is set.
func (w *world) amended(t *testing.T, hr, sup domain.User, c domain.PlanContent, approve bool) domain.Plan {
	t.Helper()
	latest, _, err := w.plans.ListForEnterprise(w.ctx, hr.Actor(), hr.EnterpriseID, domain.Page{Limit: 1})
	must(t, err)
	p, err := w.plans.Copy(w.ctx, hr.Actor(), latest[0].ID)
	must(t, err)
	_, err = w.plans.Update(w.ctx, hr.Actor(), p.ID, c)
	must(t, err)
	p, err = w.plans.Submit(w.ctx, hr.Actor(), p.ID)
	must(t, err)
	if approve {
		p, err = w.plans.Approve(w.ctx, sup.Actor(), p.ID, "同意")
		must(t, err)
	}
	return p
}

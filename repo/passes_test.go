package repo_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// passWorld is a township with two enterprises, a second township, and the stores the pass
// and spot-check tests write through.
type passWorld struct {
	tw, other      domain.Township
	entA, entB     domain.Enterprise
	entOther       domain.Enterprise
	checker        domain.User
	workers        *repo.WorkerStore
	checkins       *repo.CheckinStore
	alerts         *repo.AlertStore
	passes         *repo.PassStore
	spots          *repo.SpotCheckStore
	n              int
	today, earlier domain.Date
}

func newPassWorld(t *testing.T, db *repo.DB) *passWorld {
	t.Helper()
	w := &passWorld{tw: storeTownship(t, db, "371626104", "一区", "二区"), other: storeTownship(t, db, "371626105", "一区")}
	w.entA = storeEnterprise(t, db, domain.Enterprise{TownshipID: w.tw.ID, Code: "100001", Name: "甲厂",
		CreditCode: domain.CreditCode(creditCode(1)), ZoneID: w.tw.Zones[0].ID})
	w.entB = storeEnterprise(t, db, domain.Enterprise{TownshipID: w.tw.ID, Code: "100002", Name: "乙厂",
		CreditCode: domain.CreditCode(creditCode(2)), ZoneID: w.tw.Zones[1].ID})
	w.entOther = storeEnterprise(t, db, domain.Enterprise{TownshipID: w.other.ID, Code: "100003", Name: "丙厂",
		CreditCode: domain.CreditCode(creditCode(3)), ZoneID: w.other.Zones[0].ID})
	w.checker = storeUser(t, db, domain.User{Username: "sup", Role: domain.RoleSupervisor, TownshipID: w.tw.ID})
	w.workers = &repo.WorkerStore{DB: db, Box: dbtest.Box()}
	w.checkins = repo.NewCheckinStore(db, repo.CheckinOptions{})
	w.alerts = &repo.AlertStore{DB: db}
	w.passes = &repo.PassStore{DB: db}
	w.spots = &repo.SpotCheckStore{DB: db}
	w.today = domain.NewDate(2020, 2, 10)
	w.earlier = w.today.AddDays(-1)
	return w
}

func (w *passWorld) worker(t *testing.T, e domain.Enterprise, status domain.WorkerStatus) domain.Worker {
	t.Helper()
	w.n++
	return storeWorkerIn(t, w.workers, domain.Worker{TownshipID: e.TownshipID, EnterpriseID: e.ID, Name: "职工",
		IDNumber: personID(w.n), Phone: phoneOf(w.n), Status: status, ArrivedOn: w.today.AddDays(-5)})
}

func (w *passWorld) report(t *testing.T, wk domain.Worker, d domain.Date, slot domain.Slot, temp domain.Temperature, loc domain.Location) {
	t.Helper()
	c := domain.Checkin{TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID, Date: d, Slot: slot,
		Temperature: temp, Location: loc}
	if _, err := w.checkins.Upsert(context.Background(), &c); err != nil {
		t.Fatalf("check-in of %d on %s: %v", wk.ID, d, err)
	}
}

func (w *passWorld) alert(t *testing.T, wk domain.Worker, typ domain.AlertType, d domain.Date, status domain.AlertStatus) {
	t.Helper()
	a := domain.Alert{TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID, Type: typ, Date: d,
		Slot: domain.SlotAM, Status: status, Detail: string(typ)}
	ctx := context.Background()
	if _, err := w.alerts.Raise(ctx, []domain.Alert{a}); err != nil {
		t.Fatalf("alert %s of %d: %v", typ, wk.ID, err)
	}
	if status == domain.AlertOpen {
		return
	}
	found, _, err := w.alerts.List(ctx, domain.AlertFilter{TownshipID: wk.TownshipID, WorkerID: wk.ID, Type: typ, Date: d,
		Page: domain.Page{Limit: 1}})
	if err != nil || len(found) != 1 {
		t.Fatalf("alert %s of %d: got %v, %v", typ, wk.ID, found, err)
	}
	must(t, w.alerts.Handle(ctx, found[0].ID, []domain.AlertStatus{domain.AlertOpen}, status, w.checker.ID, "处理", time.Now()))
}

func factsOf(t *testing.T, facts []domain.PassFacts) map[int64]domain.PassFacts {
	t.Helper()
	out := map[int64]domain.PassFacts{}
	for _, f := range facts {
		if _, ok := out[f.Worker.ID]; ok {
			t.Errorf("worker %d read twice", f.Worker.ID)
		}
		out[f.Worker.ID] = f
	}
	return out
}

// TestPassFacts: Facts reads the reports of the day and the day before only, the unresolved
// alerts of the two types a pass depends on only, revocations, narrows by worker, enterprise and
// phone, and never reads a worker who left or one of another township.
func TestPassFacts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newPassWorld(t, db)
		a1 := w.worker(t, w.entA, domain.WorkerOnDuty)
		a2 := w.worker(t, w.entA, domain.WorkerIsolating)
		b1 := w.worker(t, w.entB, domain.WorkerOnDuty)
		left := w.worker(t, w.entA, domain.WorkerLeft)
		stranger := w.worker(t, w.entOther, domain.WorkerOnDuty)

		// a1: reports of today, yesterday and two days ago (not read).
		w.report(t, a1, w.today, domain.SlotAM, 365, domain.AtWork)
		w.report(t, a1, w.earlier, domain.SlotPM, 381, domain.AtHome)
		w.report(t, a1, w.today.AddDays(-2), domain.SlotAM, 390, domain.AtHome)
		w.report(t, a1, w.today.AddDays(1), domain.SlotAM, 366, domain.AtHome) // tomorrow: not read either
		w.report(t, stranger, w.today, domain.SlotAM, 365, domain.AtWork)
		// a1: an open repeated fever (read), a resolved discrepancy (not), an open fever (not a
		// type a pass reads). a2: an acknowledged discrepancy of last week (read: unresolved).
		w.alert(t, a1, domain.AlertRepeatedFever, w.earlier, domain.AlertOpen)
		w.alert(t, a1, domain.AlertDiscrepancy, w.earlier, domain.AlertResolved)
		w.alert(t, a1, domain.AlertFever, w.today, domain.AlertOpen)
		w.alert(t, a2, domain.AlertDiscrepancy, w.today.AddDays(-7), domain.AlertAcknowledged)
		w.alert(t, stranger, domain.AlertRepeatedFever, w.today, domain.AlertOpen)
		revokedAt := time.Date(2020, 2, 10, 2, 0, 0, 0, time.UTC)
		must(t, w.passes.Revoke(ctx, domain.Revocation{WorkerID: b1.ID, TownshipID: w.tw.ID, EnterpriseID: w.entB.ID,
			Reason: "现场发现发热", RevokedBy: w.checker.ID, RevokedAt: revokedAt}))

		t.Run("OK", func(t *testing.T) {
			facts, err := w.passes.Facts(ctx, w.tw.ID, w.today, domain.PassFactsFilter{})
			must(t, err)
			got := factsOf(t, facts)
			if want := []int64{a1.ID, a2.ID, b1.ID}; !slices.Equal(ids(facts, func(f domain.PassFacts) int64 { return f.Worker.ID }), want) {
				t.Fatalf("got workers %v, want %v (not the one who left, nor another township's)", ids(facts, func(f domain.PassFacts) int64 { return f.Worker.ID }), want)
			}
			f := got[a1.ID]
			var days []domain.Date
			for _, c := range f.Reports {
				days = append(days, c.Date)
			}
			if !slices.Equal(days, []domain.Date{w.earlier, w.today}) {
				t.Errorf("a1: got reports of %v, want of yesterday and today only", days)
			}
			if !slices.Equal(f.Unresolved, []domain.AlertType{domain.AlertRepeatedFever}) {
				t.Errorf("a1: got unresolved %v, want the repeated fever only", f.Unresolved)
			}
			if f.Revoked != nil {
				t.Errorf("a1: got revoked %+v, want none", f.Revoked)
			}
			if f.Worker.EnterpriseName != "甲厂" || f.Zone != "一区" || f.Worker.Status != domain.WorkerOnDuty ||
				f.Worker.ArrivedOn != w.today.AddDays(-5) || f.Worker.Phone != a1.Phone {
				t.Errorf("a1: got %+v in zone %q, want its enterprise, zone, status, arrival and phone", f.Worker, f.Zone)
			}
			if got := got[a2.ID].Unresolved; !slices.Equal(got, []domain.AlertType{domain.AlertDiscrepancy}) {
				t.Errorf("a2: got unresolved %v, want the acknowledged discrepancy", got)
			}
			r := got[b1.ID].Revoked
			if r == nil || r.Reason != "现场发现发热" || r.RevokedBy != w.checker.ID || r.RevokedByName != w.checker.Name ||
				!r.RevokedAt.Equal(revokedAt) {
				t.Errorf("b1: got revocation %+v, want the one kept, with who revoked it", r)
			}
			if got[b1.ID].Zone != "二区" {
				t.Errorf("b1: got zone %q, want 二区", got[b1.ID].Zone)
			}
		})
		t.Run("Narrowed", func(t *testing.T) {
			for _, tt := range []struct {
				name string
				f    domain.PassFactsFilter
				want []int64
			}{
				{"Workers", domain.PassFactsFilter{WorkerIDs: []int64{b1.ID, left.ID, stranger.ID}}, []int64{b1.ID}},
				{"Enterprise", domain.PassFactsFilter{EnterpriseIDs: []int64{w.entA.ID}}, []int64{a1.ID, a2.ID}},
				{"WorkerOutOfEnterprise", domain.PassFactsFilter{WorkerIDs: []int64{b1.ID}, EnterpriseIDs: []int64{w.entA.ID}}, nil},
				{"Phone", domain.PassFactsFilter{Phone: a2.Phone}, []int64{a2.ID}},
				{"PhoneOfOneWhoLeft", domain.PassFactsFilter{Phone: left.Phone}, nil},
				{"PhoneInEnterprise", domain.PassFactsFilter{Phone: a2.Phone, EnterpriseIDs: []int64{w.entB.ID}}, nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					facts, err := w.passes.Facts(ctx, w.tw.ID, w.today, tt.f)
					must(t, err)
					if got := ids(facts, func(f domain.PassFacts) int64 { return f.Worker.ID }); !slices.Equal(got, tt.want) {
						t.Errorf("got %v, want %v", got, tt.want)
					}
				})
			}
			facts, err := w.passes.Facts(ctx, w.tw.ID, w.today, domain.PassFactsFilter{WorkerIDs: []int64{b1.ID}})
			must(t, err)
			if len(facts) != 1 || facts[0].Revoked == nil {
				t.Errorf("got %+v, want b1 read alone with its revocation", facts)
			}
		})
		// EachColorFacts, which the counts read, gives each worker Facts gives, with what a
		// pass's colour reads of them, for every filter: the pass comes out the same.
		t.Run("EachColorFactsAsFacts", func(t *testing.T) {
			now := time.Now()
			for _, f := range []domain.PassFactsFilter{{}, {EnterpriseIDs: []int64{w.entA.ID}},
				{EnterpriseIDs: []int64{w.entB.ID}}, {WorkerIDs: []int64{b1.ID, a2.ID}}, {Phone: a2.Phone}} {
				want, err := w.passes.Facts(ctx, w.tw.ID, w.today, f)
				must(t, err)
				var got []domain.PassFacts
				must(t, w.passes.EachColorFacts(ctx, w.tw.ID, w.today, f, func(pf *domain.PassFacts) error {
					got = append(got, *pf)
					return nil
				}))
				slices.SortFunc(got, func(a, b domain.PassFacts) int { return int(a.Worker.ID - b.Worker.ID) })
				if len(got) != len(want) || len(want) == 0 {
					t.Fatalf("filter %+v: got %d workers, Facts %d (want the same, not none)", f, len(got), len(want))
				}
				for i := range want {
					g, x := got[i], want[i]
					if g.Worker.ID != x.Worker.ID || g.Worker.EnterpriseID != x.Worker.EnterpriseID ||
						g.Worker.EnterpriseName != x.Worker.EnterpriseName || g.Worker.Status != x.Worker.Status ||
						g.Worker.RiskLevel != x.Worker.RiskLevel || g.Worker.ArrivedOn != x.Worker.ArrivedOn ||
						g.Zone != x.Zone || !reflect.DeepEqual(g.Reports, x.Reports) ||
						!slices.Equal(g.Unresolved, x.Unresolved) || !reflect.DeepEqual(g.Revoked, x.Revoked) {
						t.Errorf("filter %+v: got %+v, want what Facts has, %+v", f, g, x)
					}
					if gp, wp := w.tw.Pass(g, w.today, now), w.tw.Pass(x, w.today, now); !reflect.DeepEqual(gp, wp) {
						t.Errorf("worker %d: pass %+v from EachColorFacts, %+v from Facts", x.Worker.ID, gp, wp)
					}
				}
			}
			stop := errors.New("stop")
			calls := 0
			err := w.passes.EachColorFacts(ctx, w.tw.ID, w.today, domain.PassFactsFilter{}, func(*domain.PassFacts) error {
				calls++
				return stop
			})
			if !errors.Is(err, stop) || calls != 1 {
				t.Errorf("got %v after %d calls, want fn's error after its first", err, calls)
			}
		})
		t.Run("RevokeAgainRestore", func(t *testing.T) {
			must(t, w.passes.Revoke(ctx, domain.Revocation{WorkerID: b1.ID, TownshipID: w.tw.ID, EnterpriseID: w.entB.ID,
				Reason: "再次撤销", RevokedBy: w.checker.ID, RevokedAt: revokedAt.Add(time.Hour)}))
			if n := rows(t, db, "pass_revocations"); n != 1 {
				t.Errorf("got %d revocations, want 1: a second replaces the first", n)
			}
			facts, err := w.passes.Facts(ctx, w.tw.ID, w.today, domain.PassFactsFilter{WorkerIDs: []int64{b1.ID}})
			must(t, err)
			if r := facts[0].Revoked; r == nil || r.Reason != "再次撤销" {
				t.Errorf("got %+v, want the second reason", r)
			}
			had, err := w.passes.Restore(ctx, b1.ID)
			must(t, err)
			again, err := w.passes.Restore(ctx, b1.ID)
			must(t, err)
			if !had || again {
				t.Errorf("got restored %v then %v, want true then false", had, again)
			}
			facts, err = w.passes.Facts(ctx, w.tw.ID, w.today, domain.PassFactsFilter{WorkerIDs: []int64{b1.ID}})
			must(t, err)
			if facts[0].Revoked != nil {
				t.Errorf("got %+v after restoring, want none", facts[0].Revoked)
			}
		})
	})
}

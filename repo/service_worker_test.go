package repo_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// The key areas of these tests: Hubei province high-risk, Shanghai medium.
var (
	hubeiHigh      = domain.KeyArea{RegionCode: "420000", RiskLevel: domain.RiskHigh}
	shanghaiMedium = domain.KeyArea{RegionCode: "310000", RiskLevel: domain.RiskMedium}
)

// workerForm is person n's form as HR fills it in: returning from origin on arrived (the
// zero date while not back).
func workerForm(n int, origin string, arrived domain.Date) domain.WorkerInput {
	return domain.WorkerInput{
		Name: fmt.Sprintf("职工%d", n), IDNumber: string(personID(n)), Phone: phoneOf(n), Department: "织造车间",
		OriginRegion: origin, ArrivedOn: arrived.String(),
	}
}

// daysAgo is the township's day n days before the test clock's.
func (w *world) daysAgo(n int) domain.Date { return w.today().AddDays(-n) }

// setDay moves the test clock to the same time of day on day.
func (w *world) setDay(day domain.Date) {
	w.clock.Set(start.Add(time.Duration(startDay.DaysUntil(day)) * 24 * time.Hour))
}

// addWorker puts a worker on hr's roster through the service and fails the test if refused.
func (w *world) addWorker(t *testing.T, hr domain.User, in domain.WorkerInput) domain.Worker {
	t.Helper()
	got, _, err := w.workers.Create(w.ctx, hr.Actor(), hr.EnterpriseID, in)
	if err != nil {
		t.Fatalf("create worker %s: %v", in.Name, err)
	}
	return got
}

// workerNow reads a worker back from the store.
func (w *world) workerNow(t *testing.T, id int64) domain.Worker {
	t.Helper()
	got, err := w.stores.Workers.Get(w.ctx, id)
	must(t, err)
	return got
}

// setPolicy changes township A through the town admin, as the settings page does.
func (w *world) setPolicy(t *testing.T, u domain.TownshipUpdate) {
	t.Helper()
	got, err := w.townships.Update(w.ctx, w.admin.Actor(), w.tw.ID, u)
	must(t, err)
	w.tw = got
}

// setKeyAreas makes areas township A's key areas.
func (w *world) setKeyAreas(t *testing.T, areas ...domain.KeyArea) {
	t.Helper()
	w.setPolicy(t, domain.TownshipUpdate{KeyAreas: &areas})
}

// state is what the rules derive for a worker.
type state struct {
	Risk         domain.RiskLevel
	Status       domain.WorkerStatus
	Start, Until domain.Date
}

// stateOf is the derived state of a worker.
func stateOf(w domain.Worker) state {
	return state{Risk: w.RiskLevel, Status: w.Status, Start: w.IsolationStart, Until: w.IsolationUntil}
}

// wantState fails the test unless the worker is in the state want, as returned and as stored.
func (w *world) wantState(t *testing.T, got domain.Worker, want state) {
	t.Helper()
	if s := stateOf(got); s != want {
		t.Errorf("%s: got %+v, want %+v", got.Name, s, want)
	}
	w.wantStored(t, got, want)
}

// wantStored fails the test unless the worker is stored in the state want.
func (w *world) wantStored(t *testing.T, x domain.Worker, want state) {
	t.Helper()
	if s := stateOf(w.workerNow(t, x.ID)); s != want {
		t.Errorf("%s stored: got %+v, want %+v", x.Name, s, want)
	}
}

// lastEvent returns the newest audit event of township A with action, failing the test if none.
func (w *world) lastEvent(t *testing.T, action string) domain.AuditEvent {
	t.Helper()
	events, _, err := w.stores.Audit.List(w.ctx, domain.AuditFilter{TownshipID: w.tw.ID, Action: action, Page: domain.Page{Limit: 1}})
	must(t, err)
	if len(events) != 1 {
		t.Fatalf("got no %s event, want one", action)
	}
	return events[0]
}

func TestWorkerServiceCreate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.setKeyAreas(t, hubeiHigh)
		ctx := w.ctx
		arrived := w.daysAgo(3)
		count := func(t *testing.T) int { t.Helper(); return rows(t, db, "workers") }

		t.Run("OKHighRiskIsolating", func(t *testing.T) {
			before := w.audit(t)
			got := w.addWorker(t, w.hr, workerForm(1, "420100", arrived))
			w.wantState(t, got, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: arrived, Until: arrived.AddDays(14)})
			if got.RiskReason != "来自高风险地区 湖北省武汉市" {
				t.Errorf("got reason %q, want 来自高风险地区 湖北省武汉市", got.RiskReason)
			}
			if got.ID == 0 || got.TownshipID != w.tw.ID || got.EnterpriseID != w.ent.ID || got.EnterpriseName != w.ent.Name || got.IDNumber != personID(1) || got.ArrivedOn != arrived {
				t.Errorf("got %+v, want person 1 on %s's roster", got, w.ent.Name)
			}
			if n := w.audit(t); n != before+1 {
				t.Fatalf("got %d audit events, want %d", n, before+1)
			}
			ev := w.lastEvent(t, "worker.create")
			if ev.ActorID != w.hr.ID || ev.EntityType != "worker" || ev.EntityID != got.ID {
				t.Errorf("got event %+v, want worker.create of %d by %d", ev, got.ID, w.hr.ID)
			}
		})
		t.Run("OKLowRiskOnDuty", func(t *testing.T) {
			got := w.addWorker(t, w.hr, workerForm(2, "371681", w.daysAgo(1)))
			w.wantState(t, got, state{Risk: domain.RiskLow, Status: domain.WorkerOnDuty})
			if got.RiskReason != "无重点地区旅居史和接触史" {
				t.Errorf("got reason %q, want 无重点地区旅居史和接触史", got.RiskReason)
			}
		})
		t.Run("OKArrivedTodayFromMediumExposure", func(t *testing.T) {
			in := workerForm(3, "371681", w.today())
			in.KeyAreaExposure = true
			got := w.addWorker(t, w.hr, in)
			w.wantState(t, got, state{Risk: domain.RiskMedium, Status: domain.WorkerIsolating, Start: w.today(), Until: w.today().AddDays(14)})
		})
		t.Run("OKNotArrivedExpected", func(t *testing.T) {
			got := w.addWorker(t, w.hr, workerForm(4, "420100", domain.Date{}))
			w.wantState(t, got, state{Risk: domain.RiskHigh, Status: domain.WorkerExpected})
		})
		t.Run("OKContactHistory", func(t *testing.T) {
			in := workerForm(5, "371681", arrived)
			in.ContactHistory = true
			got := w.addWorker(t, w.hr, in)
			w.wantState(t, got, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: arrived, Until: arrived.AddDays(14)})
			if got.RiskReason != "与确诊或疑似病例有接触史" {
				t.Errorf("got reason %q, want the contact history", got.RiskReason)
			}
		})
		t.Run("OKIsolationOverAlready", func(t *testing.T) {
			// Back from Wuhan 20 days ago and only now entered: the isolation the policy demands is
			// over, but the worker stays isolating until HR puts them on duty.
			back := w.daysAgo(20)
			got := w.addWorker(t, w.hr, workerForm(6, "420100", back))
			w.wantState(t, got, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: back, Until: back.AddDays(14)})
		})
		t.Run("OKAsTyped", func(t *testing.T) {
			got := w.addWorker(t, w.hr, domain.WorkerInput{
				Name: "\u3000王 芳 ", IDNumber: " " + strings.ToLower(string(personID(7))) + "\u3000", Phone: "＋８６ １３８ ００００ ０００７",
				Department: " 机修车间 ", OriginRegion: " 湖北省武汉市 ", ArrivedOn: "２０２０年２月７日", Transport: "火车 G1234",
			})
			if got.Name != "王 芳" || got.IDNumber != personID(7) || got.Phone != "13800000007" || got.Department != "机修车间" ||
				got.OriginRegion != "420100" || got.ArrivedOn != domain.NewDate(2020, 2, 7) || got.Transport != "火车 G1234" {
				t.Errorf("got %+v, want the fields cleaned and parsed", got)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			before, audit := count(t), w.audit(t)
			_, _, err := w.workers.Create(ctx, w.hr.Actor(), w.ent.ID, domain.WorkerInput{
				Name: "\u3000", IDNumber: "3.71626198001011E+17", Phone: "0543-4321234", OriginRegion: "火星",
				ArrivedOn: w.today().AddDays(1).String(), Department: strings.Repeat("部", 51),
			})
			wantErr(t, err, domain.ErrInvalid, "name", "id_number", "phone", "origin_region", "arrived_on", "department")
			if got, a := count(t), w.audit(t); got != before || a != audit {
				t.Errorf("got %d workers and %d events, want %d and %d", got, a, before, audit)
			}
		})
		t.Run("ErrInvalidArrivedOn", func(t *testing.T) {
			in := workerForm(8, "371681", domain.Date{})
			in.ArrivedOn = "2020-02-30"
			_, _, err := w.workers.Create(ctx, w.hr.Actor(), w.ent.ID, in)
			wantErr(t, err, domain.ErrInvalid, "arrived_on")
		})
		t.Run("ErrConflict", func(t *testing.T) {
			before := count(t)
			in := workerForm(1, "371681", domain.Date{})
			in.IDNumber = " " + string(personID(1))[:6] + " " + string(personID(1))[6:]
			_, _, err := w.workers.Create(ctx, w.hr.Actor(), w.ent.ID, in)
			wantErr(t, err, domain.ErrConflict, "id_number")
			if got := count(t); got != before {
				t.Errorf("got %d workers, want %d", got, before)
			}
		})
		t.Run("OKSamePersonOtherEnterprise", func(t *testing.T) {
			got := w.addWorker(t, w.hr2, workerForm(1, "420100", arrived))
			if got.EnterpriseID != w.ent2.ID || got.IDNumber != personID(1) {
				t.Errorf("got %+v, want person 1 on %s's roster too", got, w.ent2.Name)
			}
		})
		scope := []struct {
			name  string
			actor domain.Actor
			kind  error
		}{
			{name: "ErrForbiddenTownAdmin", actor: w.admin.Actor(), kind: domain.ErrForbidden},
			{name: "ErrForbiddenSupervisor", actor: w.sup.Actor(), kind: domain.ErrForbidden},
			{name: "ErrForbiddenPlatformAdmin", actor: w.platform, kind: domain.ErrForbidden},
			{name: "ErrNotFoundOtherHR", actor: w.hr2.Actor(), kind: domain.ErrNotFound},
			{name: "ErrNotFoundOtherTownshipHR", actor: w.hrB.Actor(), kind: domain.ErrNotFound},
			{name: "ErrNotFoundUnassignedSupervisor", actor: w.sup2.Actor(), kind: domain.ErrNotFound},
			{name: "ErrNotFoundOtherTownshipAdmin", actor: w.adminB.Actor(), kind: domain.ErrNotFound},
			{name: "ErrNotFoundWorker", actor: w.worker, kind: domain.ErrNotFound},
		}
		for _, tt := range scope {
			t.Run(tt.name, func(t *testing.T) {
				before, audit := count(t), w.audit(t)
				_, _, err := w.workers.Create(ctx, tt.actor, w.ent.ID, workerForm(50, "371681", domain.Date{}))
				wantErr(t, err, tt.kind)
				if got, a := count(t), w.audit(t); got != before || a != audit {
					t.Errorf("got %d workers and %d events, want %d and %d", got, a, before, audit)
				}
			})
		}
		t.Run("ErrNotFoundEnterprise", func(t *testing.T) {
			_, _, err := w.workers.Create(ctx, w.hr.Actor(), 4242, workerForm(51, "371681", domain.Date{}))
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}

func TestWorkerServiceUpdate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.setKeyAreas(t, hubeiHigh)
		ctx := w.ctx
		arrived := w.daysAgo(3) // 2020-02-07: isolation until 2020-02-21
		until := arrived.AddDays(14)
		onDuty := domain.WorkerOnDuty
		update := func(actor domain.User, id int64, u domain.WorkerUpdate) (domain.Worker, error) {
			got, _, err := w.workers.Update(ctx, actor.Actor(), id, u)
			return got, err
		}
		// unchanged fails the test if worker id or the audit trail changed while fn ran.
		unchanged := func(t *testing.T, id int64, fn func()) {
			t.Helper()
			before, audit := w.workerNow(t, id), w.audit(t)
			fn()
			if got := w.workerNow(t, id); got != before {
				t.Errorf("got %+v, want it unchanged: %+v", got, before)
			}
			if a := w.audit(t); a != audit {
				t.Errorf("got %d audit events, want %d", a, audit)
			}
		}
		wuhan := w.addWorker(t, w.hr, workerForm(1, "420100", arrived))
		local := w.addWorker(t, w.hr, workerForm(2, "371681", arrived))
		notBack := w.addWorker(t, w.hr, workerForm(3, "371681", domain.Date{}))

		t.Run("ErrInvalidOnDutyBeforeIsolationEnds", func(t *testing.T) {
			for _, day := range []domain.Date{w.today(), until.AddDays(-1)} {
				w.setDay(day)
				unchanged(t, wuhan.ID, func() {
					_, err := update(w.hr, wuhan.ID, domain.WorkerUpdate{Status: &onDuty})
					wantErr(t, err, domain.ErrInvalid, "status")
				})
			}
			w.setDay(startDay)
		})
		t.Run("ErrInvalidOnDutyNotBack", func(t *testing.T) {
			unchanged(t, notBack.ID, func() {
				_, err := update(w.hr, notBack.ID, domain.WorkerUpdate{Status: &onDuty})
				wantErr(t, err, domain.ErrInvalid, "status")
			})
		})
		t.Run("OKOnDutyWithArrival", func(t *testing.T) {
			got, err := update(w.hr, notBack.ID, domain.WorkerUpdate{Status: &onDuty, ArrivedOn: ptr(w.today().String())})
			must(t, err)
			w.wantState(t, got, state{Risk: domain.RiskLow, Status: domain.WorkerOnDuty})
		})
		t.Run("ErrInvalidIsolatingNeedsUntil", func(t *testing.T) {
			isolating := domain.WorkerIsolating
			for name, u := range map[string]*domain.Date{"None": nil, "Today": ptr(w.today()), "Past": ptr(w.daysAgo(1))} {
				t.Run(name, func(t *testing.T) {
					unchanged(t, local.ID, func() {
						_, err := update(w.hr, local.ID, domain.WorkerUpdate{Status: &isolating, IsolationUntil: u})
						wantErr(t, err, domain.ErrInvalid, "isolation_until")
					})
				})
			}
		})
		t.Run("ErrInvalidExpectedOnceBack", func(t *testing.T) {
			expected := domain.WorkerExpected
			unchanged(t, local.ID, func() {
				_, err := update(w.hr, local.ID, domain.WorkerUpdate{Status: &expected})
				wantErr(t, err, domain.ErrInvalid, "status")
			})
		})
		t.Run("ErrInvalidUnknownStatus", func(t *testing.T) {
			gone := domain.WorkerStatus("gone")
			unchanged(t, local.ID, func() {
				_, err := update(w.hr, local.ID, domain.WorkerUpdate{Status: &gone})
				wantErr(t, err, domain.ErrInvalid, "status")
			})
		})
		t.Run("ErrInvalidFields", func(t *testing.T) {
			unchanged(t, local.ID, func() {
				_, err := update(w.hr, local.ID, domain.WorkerUpdate{Phone: ptr("12345"), OriginRegion: ptr("火星"), Name: ptr("")})
				wantErr(t, err, domain.ErrInvalid, "phone", "origin_region", "name")
			})
		})
		scope := []struct {
			name  string
			actor domain.User
			kind  error
		}{
			{name: "ErrForbiddenSupervisor", actor: w.sup, kind: domain.ErrForbidden},
			{name: "ErrForbiddenTownAdmin", actor: w.admin, kind: domain.ErrForbidden},
			{name: "ErrNotFoundOtherHR", actor: w.hr2, kind: domain.ErrNotFound},
			{name: "ErrNotFoundOtherTownshipHR", actor: w.hrB, kind: domain.ErrNotFound},
			{name: "ErrNotFoundUnassignedSupervisor", actor: w.sup2, kind: domain.ErrNotFound},
		}
		for _, tt := range scope {
			t.Run(tt.name, func(t *testing.T) {
				unchanged(t, local.ID, func() {
					_, err := update(tt.actor, local.ID, domain.WorkerUpdate{Phone: ptr("13900000000")})
					wantErr(t, err, tt.kind)
				})
			})
		}
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := update(w.hr, 4242, domain.WorkerUpdate{Phone: ptr("13900000000")})
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("OKFieldsKeepIDNumber", func(t *testing.T) {
			before := w.audit(t)
			got, err := update(w.hr, local.ID, domain.WorkerUpdate{
				Phone: ptr("139 0000 0000"), Department: ptr("包装车间"), ShiftGroup: ptr("乙班"), Transport: ptr("自驾"),
				IsolationPlace: ptr("宿舍 3 楼"), Name: ptr("职工二"),
			})
			must(t, err)
			if got.Phone != "13900000000" || got.Department != "包装车间" || got.ShiftGroup != "乙班" || got.Transport != "自驾" ||
				got.IsolationPlace != "宿舍 3 楼" || got.Name != "职工二" || got.IDNumber != personID(2) || got.OriginRegion != "371681" || got.ArrivedOn != arrived {
				t.Errorf("got %+v, want the fields changed and the rest kept", got)
			}
			if got != w.workerNow(t, local.ID) {
				t.Errorf("got %+v, want what is stored", got)
			}
			w.wantAudit(t, before, event(w.hr, "worker.update", "worker", local.ID))
		})
		t.Run("OKOriginToKeyAreaIsolates", func(t *testing.T) {
			got, err := update(w.hr, local.ID, domain.WorkerUpdate{OriginRegion: ptr("湖北省武汉市")})
			must(t, err)
			w.wantState(t, got, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: arrived, Until: until})
			got, err = update(w.hr, local.ID, domain.WorkerUpdate{OriginRegion: ptr("371681")})
			must(t, err)
			// The isolation under way runs to its end; the risk follows the origin at once.
			w.wantState(t, got, state{Risk: domain.RiskLow, Status: domain.WorkerIsolating, Start: arrived, Until: until})
		})
		t.Run("OKOnDutyOnceIsolationEnds", func(t *testing.T) {
			defer w.setDay(startDay)
			// The day is the township's: 23:30 in Shanghai on the eve of the end is still too early,
			// 00:30 on the day is not, though it is still the eve in UTC.
			eve := time.Date(2020, 2, 20, 15, 30, 0, 0, time.UTC)
			w.clock.Set(eve)
			unchanged(t, wuhan.ID, func() {
				_, err := update(w.hr, wuhan.ID, domain.WorkerUpdate{Status: &onDuty})
				wantErr(t, err, domain.ErrInvalid, "status")
			})
			w.clock.Set(eve.Add(time.Hour))
			if w.today() != until || w.clock.Now().Day() != 20 {
				t.Fatalf("got today %v at %v, want %v", w.today(), w.clock.Now(), until)
			}
			before := w.audit(t)
			got, err := update(w.hr, wuhan.ID, domain.WorkerUpdate{Status: &onDuty})
			must(t, err)
			w.wantState(t, got, state{Risk: domain.RiskHigh, Status: domain.WorkerOnDuty, Start: arrived, Until: until})
			w.wantAudit(t, before, event(w.hr, "worker.update", "worker", wuhan.ID))
			// Editing another field keeps the worker on duty: the isolation is over.
			got, err = update(w.hr, wuhan.ID, domain.WorkerUpdate{Phone: ptr("13700000001")})
			must(t, err)
			w.wantState(t, got, state{Risk: domain.RiskHigh, Status: domain.WorkerOnDuty, Start: arrived, Until: until})
		})
		t.Run("OKIsolatingByHand", func(t *testing.T) {
			// HR isolates a low-risk worker who has a fever, until a week from today.
			fresh := w.addWorker(t, w.hr, workerForm(4, "371681", arrived))
			isolating, end := domain.WorkerIsolating, w.today().AddDays(7)
			got, err := update(w.hr, fresh.ID, domain.WorkerUpdate{Status: &isolating, IsolationUntil: &end, IsolationPlace: ptr("观察室")})
			must(t, err)
			w.wantState(t, got, state{Risk: domain.RiskLow, Status: domain.WorkerIsolating, Start: w.today(), Until: end})
			if got.IsolationPlace != "观察室" {
				t.Errorf("got place %q, want 观察室", got.IsolationPlace)
			}
			unchanged(t, fresh.ID, func() {
				_, err := update(w.hr, fresh.ID, domain.WorkerUpdate{Status: &onDuty})
				wantErr(t, err, domain.ErrInvalid, "status")
			})
			// Other edits and a change of the key areas leave HR's isolation as it is.
			got, err = update(w.hr, fresh.ID, domain.WorkerUpdate{Department: ptr("质检")})
			must(t, err)
			w.wantState(t, got, state{Risk: domain.RiskLow, Status: domain.WorkerIsolating, Start: w.today(), Until: end})
			w.setKeyAreas(t, hubeiHigh, shanghaiMedium)
			w.wantStored(t, got, state{Risk: domain.RiskLow, Status: domain.WorkerIsolating, Start: w.today(), Until: end})
		})
		t.Run("OKExtendedIsolationStands", func(t *testing.T) {
			// A worker back from Wuhan has a fever on day 3 of the isolation the policy demands;
			// HR extends it. Later edits and a change of policy must not cut it back.
			back := w.daysAgo(3)
			ill := w.addWorker(t, w.hr, workerForm(5, "420100", back))
			isolating, end := domain.WorkerIsolating, back.AddDays(21)
			got, err := update(w.hr, ill.ID, domain.WorkerUpdate{Status: &isolating, IsolationUntil: &end})
			must(t, err)
			ordered := state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: w.today(), Until: end}
			w.wantState(t, got, ordered)
			got, err = update(w.hr, ill.ID, domain.WorkerUpdate{Phone: ptr("13600000005")})
			must(t, err)
			w.wantState(t, got, ordered)
			w.setPolicy(t, domain.TownshipUpdate{IsolationDays: ptr(14)})
			w.wantStored(t, got, ordered)
			w.setDay(back.AddDays(14))
			defer w.setDay(startDay)
			unchanged(t, ill.ID, func() {
				_, err := update(w.hr, ill.ID, domain.WorkerUpdate{Status: &onDuty})
				wantErr(t, err, domain.ErrInvalid, "status")
			})
			// A policy longer than HR's order wins.
			w.setPolicy(t, domain.TownshipUpdate{IsolationDays: ptr(28)})
			w.wantStored(t, got, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: back, Until: back.AddDays(28)})
			w.setPolicy(t, domain.TownshipUpdate{IsolationDays: ptr(14)})
		})
		t.Run("OKLeftStays", func(t *testing.T) {
			left := domain.WorkerLeft
			got, err := update(w.hr, wuhan.ID, domain.WorkerUpdate{Status: &left})
			must(t, err)
			if got.Status != domain.WorkerLeft {
				t.Fatalf("got status %s, want left", got.Status)
			}
			w.setKeyAreas(t, hubeiHigh)
			if got := w.workerNow(t, wuhan.ID); got.Status != domain.WorkerLeft {
				t.Errorf("got status %s after a re-evaluation, want left", got.Status)
			}
		})
	})
}

func TestWorkerServiceReevaluate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		recent, longAgo := w.daysAgo(3), w.daysAgo(20)
		fromWuhan := w.addWorker(t, w.hr, workerForm(1, "420100", recent))
		notBack := w.addWorker(t, w.hr2, workerForm(2, "420103", domain.Date{}))
		local := w.addWorker(t, w.hr, workerForm(3, "371681", recent))
		wuhanLongAgo := w.addWorker(t, w.hr3, workerForm(4, "420100", longAgo))
		fromShanghai := w.addWorker(t, w.hr, workerForm(5, "310104", w.daysAgo(2)))
		otherTownship := w.addWorker(t, w.hrB, workerForm(6, "420100", recent))
		for _, x := range []domain.Worker{fromWuhan, local, wuhanLongAgo, fromShanghai, otherTownship} {
			w.wantState(t, x, state{Risk: domain.RiskLow, Status: domain.WorkerOnDuty})
		}
		w.wantState(t, notBack, state{Risk: domain.RiskLow, Status: domain.WorkerExpected})

		t.Run("AddKeyAreas", func(t *testing.T) {
			w.setKeyAreas(t, hubeiHigh, shanghaiMedium)
			w.wantStored(t, fromWuhan, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: recent, Until: recent.AddDays(14)})
			w.wantStored(t, notBack, state{Risk: domain.RiskHigh, Status: domain.WorkerExpected})
			w.wantStored(t, local, state{Risk: domain.RiskLow, Status: domain.WorkerOnDuty})
			// Back 20 days ago: the 14 days are over, so the worker stays on duty.
			w.wantStored(t, wuhanLongAgo, state{Risk: domain.RiskHigh, Status: domain.WorkerOnDuty, Start: longAgo, Until: longAgo.AddDays(14)})
			w.wantStored(t, fromShanghai, state{Risk: domain.RiskMedium, Status: domain.WorkerIsolating, Start: w.daysAgo(2), Until: w.daysAgo(2).AddDays(14)})
			w.wantStored(t, otherTownship, state{Risk: domain.RiskLow, Status: domain.WorkerOnDuty})
			if got := w.workerNow(t, fromWuhan.ID).RiskReason; got != "来自高风险地区 湖北省武汉市" {
				t.Errorf("got reason %q, want 来自高风险地区 湖北省武汉市", got)
			}
		})
		t.Run("MoreSpecificArea", func(t *testing.T) {
			// Wuhan's 江汉区 becomes low inside high-risk Hubei: only the worker from there changes.
			w.setKeyAreas(t, hubeiHigh, shanghaiMedium, domain.KeyArea{RegionCode: "420103", RiskLevel: domain.RiskLow})
			w.wantStored(t, notBack, state{Risk: domain.RiskLow, Status: domain.WorkerExpected})
			w.wantStored(t, fromWuhan, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: recent, Until: recent.AddDays(14)})
			if got := w.workerNow(t, notBack.ID).RiskReason; got != "来自低风险地区 湖北省武汉市江汉区" {
				t.Errorf("got reason %q, want 来自低风险地区 湖北省武汉市江汉区", got)
			}
		})
		t.Run("LongerIsolation", func(t *testing.T) {
			w.setPolicy(t, domain.TownshipUpdate{IsolationDays: ptr(21)})
			w.wantStored(t, fromWuhan, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: recent, Until: recent.AddDays(21)})
			w.wantStored(t, fromShanghai, state{Risk: domain.RiskMedium, Status: domain.WorkerIsolating, Start: w.daysAgo(2), Until: w.daysAgo(2).AddDays(21)})
			w.wantStored(t, local, state{Risk: domain.RiskLow, Status: domain.WorkerOnDuty})
			// Back 20 days ago and on duty: by the new policy the isolation runs one more day.
			w.wantStored(t, wuhanLongAgo, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: longAgo, Until: longAgo.AddDays(21)})
		})
		t.Run("ShorterIsolation", func(t *testing.T) {
			w.setPolicy(t, domain.TownshipUpdate{IsolationDays: ptr(7)})
			w.wantStored(t, fromWuhan, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: recent, Until: recent.AddDays(7)})
			// Its end is past now, but an isolating worker goes on duty only when HR says so.
			w.wantStored(t, wuhanLongAgo, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: longAgo, Until: longAgo.AddDays(7)})
			w.setPolicy(t, domain.TownshipUpdate{IsolationDays: ptr(14)})
		})
		t.Run("IsolationLevelsAddLow", func(t *testing.T) {
			all := []domain.RiskLevel{domain.RiskHigh, domain.RiskMedium, domain.RiskLow}
			w.setPolicy(t, domain.TownshipUpdate{IsolationLevels: &all})
			w.wantStored(t, local, state{Risk: domain.RiskLow, Status: domain.WorkerIsolating, Start: recent, Until: recent.AddDays(14)})
			w.wantStored(t, otherTownship, state{Risk: domain.RiskLow, Status: domain.WorkerOnDuty})
		})
		t.Run("IsolationLevelsHighOnly", func(t *testing.T) {
			high := []domain.RiskLevel{domain.RiskHigh}
			w.setPolicy(t, domain.TownshipUpdate{IsolationLevels: &high})
			// Isolations under way run to their end; a medium-risk arrival from now on goes to work.
			w.wantStored(t, fromShanghai, state{Risk: domain.RiskMedium, Status: domain.WorkerIsolating, Start: w.daysAgo(2), Until: w.daysAgo(2).AddDays(14)})
			got := w.addWorker(t, w.hr, workerForm(7, "310104", w.today()))
			w.wantState(t, got, state{Risk: domain.RiskMedium, Status: domain.WorkerOnDuty})
			got = w.addWorker(t, w.hr, workerForm(8, "420100", w.today()))
			w.wantState(t, got, state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: w.today(), Until: w.today().AddDays(14)})
		})
		t.Run("RemoveKeyAreas", func(t *testing.T) {
			w.setKeyAreas(t, shanghaiMedium)
			got := w.workerNow(t, fromWuhan.ID)
			if got.RiskLevel != domain.RiskLow || got.RiskReason != "无重点地区旅居史和接触史" {
				t.Errorf("got %s %q, want low without the key area", got.RiskLevel, got.RiskReason)
			}
			if got.Status != domain.WorkerIsolating {
				t.Errorf("got status %s, want the isolation under way to run to its end", got.Status)
			}
			w.wantStored(t, notBack, state{Risk: domain.RiskLow, Status: domain.WorkerExpected})
			w.wantStored(t, wuhanLongAgo, state{Risk: domain.RiskLow, Status: domain.WorkerOnDuty})
			w.wantStored(t, fromShanghai, state{Risk: domain.RiskMedium, Status: domain.WorkerIsolating, Start: w.daysAgo(2), Until: w.daysAgo(2).AddDays(14)})
		})
		t.Run("NoReevaluationForOtherSettings", func(t *testing.T) {
			// Only key areas and isolation policy re-evaluate: a stale stored risk stays as it is
			// when the fever threshold changes.
			stale := w.workerNow(t, local.ID)
			stale.RiskLevel, stale.RiskReason = domain.RiskHigh, "手工"
			must(t, w.stores.Workers.Update(w.ctx, stale))
			w.setPolicy(t, domain.TownshipUpdate{FeverThreshold: ptr(37.5)})
			if got := w.workerNow(t, local.ID); got.RiskLevel != domain.RiskHigh {
				t.Errorf("got risk %s, want the stored one kept", got.RiskLevel)
			}
			w.setPolicy(t, domain.TownshipUpdate{IsolationDays: ptr(14)})
			if got := w.workerNow(t, local.ID); got.RiskLevel != domain.RiskLow || got.RiskReason == "手工" {
				t.Errorf("got %s %q, want it re-evaluated to low", got.RiskLevel, got.RiskReason)
			}
		})
	})
}

// rosterRow is spreadsheet row row describing person n, back from origin on arrived ("" while
// not back), every column filled in as HR would.
func rosterRow(row, n int, origin, arrived string) domain.RosterRow {
	return domain.RosterRow{Row: row, Cells: map[string]string{
		domain.ColName: fmt.Sprintf("职工%d", n), domain.ColIDNumber: string(personID(n)), domain.ColPhone: phoneOf(n),
		domain.ColDepartment: "织造车间", domain.ColShiftGroup: "甲班", domain.ColOriginRegion: origin,
		domain.ColArrivedOn: arrived, domain.ColTransport: "火车", domain.ColKeyAreaExposure: "否",
		domain.ColContactHistory: "否", domain.ColIsolationPlace: "",
	}}
}

// roster is a file of n people from first on, from row 2 (under the header), local and back
// on 2020-02-07.
func roster(first, n int) []domain.RosterRow {
	out := make([]domain.RosterRow, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, rosterRow(i+2, first+i, "山东省滨州市邹平市", "2020-02-07"))
	}
	return out
}

// wantRowErrors fails the test unless got are the errors want, in order: same rows and columns,
// and messages that contain want's.
func wantRowErrors(t *testing.T, got, want []domain.RowError) {
	t.Helper()
	if !slices.EqualFunc(got, want, func(g, w domain.RowError) bool {
		return g.Row == w.Row && g.Column == w.Column && strings.Contains(g.Message, w.Message)
	}) {
		t.Fatalf("got errors %+v, want %+v", got, want)
	}
}

func TestWorkerServiceImport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.setKeyAreas(t, hubeiHigh)
		ctx := w.ctx
		count := func(t *testing.T) int { t.Helper(); return rows(t, db, "workers") }
		file := roster(0, 1000)

		t.Run("OK1000", func(t *testing.T) {
			before := w.audit(t)
			res, err := w.workers.Import(ctx, w.hr.Actor(), w.ent.ID, file, false)
			must(t, err)
			if res.Created != 1000 || res.Updated != 0 || res.Unchanged != 0 || len(res.Errors) != 0 {
				t.Fatalf("got %+v, want 1000 created", res)
			}
			if got := count(t); got != 1000 {
				t.Fatalf("got %d workers, want 1000", got)
			}
			w.wantAudit(t, before, event(w.hr, "roster.import", "enterprise", w.ent.ID))
			if d := w.lastEvent(t, "roster.import").Detail; !strings.Contains(d, "新增 1000 人") {
				t.Errorf("got detail %q, want the count", d)
			}
			found, err := w.stores.Workers.FindByIDNumbers(ctx, w.ent.ID, []domain.IDNumber{personID(0), personID(999)})
			must(t, err)
			got := found[personID(999)]
			want := domain.Worker{
				ID: got.ID, TownshipID: w.tw.ID, EnterpriseID: w.ent.ID, EnterpriseName: w.ent.Name, Name: "职工999",
				IDNumber: personID(999), Phone: phoneOf(999), Department: "织造车间", ShiftID: got.ShiftID, ShiftGroup: "甲班", OriginRegion: "371681",
				ArrivedOn: domain.NewDate(2020, 2, 7), Transport: "火车", RiskLevel: domain.RiskLow,
				RiskReason: "无重点地区旅居史和接触史", Status: domain.WorkerOnDuty, CreatedAt: got.CreatedAt, UpdatedAt: got.UpdatedAt,
			}
			if len(found) != 2 || got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
		t.Run("OKAgainChangesNothing", func(t *testing.T) {
			last := func(t *testing.T) domain.Worker {
				t.Helper()
				found, err := w.stores.Workers.FindByIDNumbers(ctx, w.ent.ID, []domain.IDNumber{personID(999)})
				must(t, err)
				return found[personID(999)]
			}
			before := last(t)
			res, err := w.workers.Import(ctx, w.hr.Actor(), w.ent.ID, file, false)
			must(t, err)
			if res.Created != 0 || res.Updated != 0 || res.Unchanged != 1000 || len(res.Errors) != 0 {
				t.Fatalf("got %+v, want 1000 unchanged", res)
			}
			if got := count(t); got != 1000 {
				t.Fatalf("got %d workers, want 1000", got)
			}
			if got := last(t); got != before || got.ID == 0 {
				t.Errorf("got %+v, want it untouched: %+v", got, before)
			}
		})
		t.Run("OKUpdatesAndCreates", func(t *testing.T) {
			next := roster(0, 1001)
			next[10].Cells[domain.ColPhone] = "13912345678"
			next[20].Cells[domain.ColOriginRegion] = "湖北省武汉市"
			res, err := w.workers.Import(ctx, w.hr.Actor(), w.ent.ID, next, false)
			must(t, err)
			if res.Created != 1 || res.Updated != 2 || res.Unchanged != 998 || len(res.Errors) != 0 {
				t.Fatalf("got %+v, want 1 created, 2 updated, 998 unchanged", res)
			}
			found, err := w.stores.Workers.FindByIDNumbers(ctx, w.ent.ID, []domain.IDNumber{personID(10), personID(20), personID(1000)})
			must(t, err)
			if got := found[personID(10)]; got.Phone != "13912345678" {
				t.Errorf("got phone %s, want 13912345678", got.Phone)
			}
			arrived := domain.NewDate(2020, 2, 7)
			if got := stateOf(found[personID(20)]); got != (state{Risk: domain.RiskHigh, Status: domain.WorkerIsolating, Start: arrived, Until: arrived.AddDays(14)}) {
				t.Errorf("got %+v, want person 20 isolating: now from Wuhan", got)
			}
			if _, ok := found[personID(1000)]; !ok || count(t) != 1001 {
				t.Errorf("got %d workers, want person 1000 added", count(t))
			}
		})
		t.Run("ErrOneBadIDAmong1000", func(t *testing.T) {
			bad := roster(2000, 1000)
			id := bad[499].Cells[domain.ColIDNumber]
			bad[499].Cells[domain.ColIDNumber] = id[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", id[17])+1)%11])
			before, audit := count(t), w.audit(t)
			res, err := w.workers.Import(ctx, w.hr2.Actor(), w.ent2.ID, bad, false)
			must(t, err)
			wantRowErrors(t, res.Errors, []domain.RowError{{Row: 501, Column: "身份证号", Message: "校验位"}})
			if res.Created != 0 || res.Updated != 0 {
				t.Errorf("got %+v, want nothing created or updated", res)
			}
			if got, a := count(t), w.audit(t); got != before || a != audit {
				t.Errorf("got %d workers and %d events, want %d and %d", got, a, before, audit)
			}
		})
		t.Run("ErrEveryErrorOfTheFile", func(t *testing.T) {
			f := roster(3000, 10)
			f[1].Cells[domain.ColPhone] = "0543-4321234"                             // row 3
			f[3].Cells[domain.ColArrivedOn] = "2020-02-30"                           // row 5
			f[3].Cells[domain.ColKeyAreaExposure] = "不清楚"                            // row 5
			f[3].Cells[domain.ColName] = ""                                          // row 5
			f[5].Cells[domain.ColIDNumber] = f[0].Cells[domain.ColIDNumber]          // row 7 = row 2
			f[6].Cells[domain.ColOriginRegion] = "火星"                                // row 8
			f[7].Cells[domain.ColIDNumber] = strings.ToLower(string(personID(3000))) // row 9 = row 2 again
			f[8].Cells[domain.ColIDNumber] = "3.71626198001011E+17"                  // row 10: typed as text
			f[8].Cells[domain.ColContactHistory] = "maybe"                           // row 10
			before := count(t)
			res, err := w.workers.Import(ctx, w.hr3.Actor(), w.ent3.ID, f, false)
			must(t, err)
			wantRowErrors(t, res.Errors, []domain.RowError{
				{Row: 3, Column: "手机号", Message: "11 位"},
				{Row: 5, Column: "14天内到过重点地区", Message: "是"},
				{Row: 5, Column: "姓名", Message: "请填写姓名"},
				{Row: 5, Column: "返岗日期", Message: "2020-02-30"},
				{Row: 7, Column: "身份证号", Message: "与第 2 行是同一人"},
				{Row: 8, Column: "返回地", Message: "火星"},
				{Row: 9, Column: "身份证号", Message: "与第 2 行是同一人"},
				{Row: 10, Column: "接触过确诊或疑似病例", Message: "是"},
				{Row: 10, Column: "身份证号", Message: "转成了数字"},
			})
			if res.Created != 0 || count(t) != before {
				t.Errorf("got %+v and %d workers, want nothing written", res, count(t))
			}
		})
		t.Run("ErrNumericIDCellOneMessage", func(t *testing.T) {
			f := roster(4000, 3)
			f[1].Cells[domain.ColIDNumber] = "3.71626198001011E+17"
			f[1].Numeric = map[string]bool{domain.ColIDNumber: true}
			f[2].Cells[domain.ColIDNumber] = string(personID(4002))[:15] + "000" // how a number cell shows the 18 digits it kept
			f[2].Numeric = map[string]bool{domain.ColIDNumber: true}
			res, err := w.workers.Import(ctx, w.hr3.Actor(), w.ent3.ID, f, false)
			must(t, err)
			wantRowErrors(t, res.Errors, []domain.RowError{
				{Row: 3, Column: "身份证号", Message: "存成了数字"},
				{Row: 4, Column: "身份证号", Message: "存成了数字"},
			})
		})
		t.Run("OKDryRun", func(t *testing.T) {
			f := append(roster(0, 5), roster(5000, 10)...)
			f[0].Cells[domain.ColDepartment] = "质检"
			before, audit := count(t), w.audit(t)
			res, err := w.workers.Import(ctx, w.hr.Actor(), w.ent.ID, f, true)
			must(t, err)
			if res.Created != 10 || res.Updated != 1 || res.Unchanged != 4 || len(res.Errors) != 0 {
				t.Errorf("got %+v, want 10 created, 1 updated, 4 unchanged", res)
			}
			if got, a := count(t), w.audit(t); got != before || a != audit {
				t.Errorf("got %d workers and %d events, want %d and %d: a dry run writes nothing", got, a, before, audit)
			}
			found, err := w.stores.Workers.FindByIDNumbers(ctx, w.ent.ID, []domain.IDNumber{personID(0)})
			must(t, err)
			if got := found[personID(0)].Department; got != "织造车间" {
				t.Errorf("got department %q, want it unchanged by a dry run", got)
			}
		})
		t.Run("ErrDryRunReportsErrors", func(t *testing.T) {
			f := roster(6000, 2)
			f[1].Cells[domain.ColPhone] = "1"
			res, err := w.workers.Import(ctx, w.hr.Actor(), w.ent.ID, f, true)
			must(t, err)
			wantRowErrors(t, res.Errors, []domain.RowError{{Row: 3, Column: "手机号", Message: "11 位"}})
		})
		scope := []struct {
			name  string
			actor domain.Actor
			kind  error
		}{
			{name: "ErrNotFoundOtherHR", actor: w.hr2.Actor(), kind: domain.ErrNotFound},
			{name: "ErrNotFoundOtherTownshipHR", actor: w.hrB.Actor(), kind: domain.ErrNotFound},
			{name: "ErrForbiddenTownAdmin", actor: w.admin.Actor(), kind: domain.ErrForbidden},
			{name: "ErrForbiddenSupervisor", actor: w.sup.Actor(), kind: domain.ErrForbidden},
			{name: "ErrNotFoundUnassignedSupervisor", actor: w.sup2.Actor(), kind: domain.ErrNotFound},
			{name: "ErrNotFoundWorker", actor: w.worker, kind: domain.ErrNotFound},
		}
		for _, tt := range scope {
			t.Run(tt.name, func(t *testing.T) {
				before, audit := count(t), w.audit(t)
				res, err := w.workers.Import(ctx, tt.actor, w.ent.ID, roster(7000, 3), false)
				wantErr(t, err, tt.kind)
				if res.Created != 0 || count(t) != before || w.audit(t) != audit {
					t.Errorf("got %+v, %d workers, want nothing written", res, count(t))
				}
			})
		}
	})
}

func TestWorkerServiceScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.setKeyAreas(t, hubeiHigh)
		ctx := w.ctx
		a := w.addWorker(t, w.hr, workerForm(1, "420100", w.daysAgo(3)))
		b := w.addWorker(t, w.hr, workerForm(2, "371681", w.daysAgo(3)))
		c := w.addWorker(t, w.hr, workerForm(3, "371681", domain.Date{}))
		d := w.addWorker(t, w.hr, workerForm(4, "山东省滨州市邹平市", w.daysAgo(1)))
		other := w.addWorker(t, w.hr2, workerForm(1, "420100", w.daysAgo(3))) // a's person, another enterprise
		all := []domain.Worker{a, b, c, d}

		t.Run("List", func(t *testing.T) {
			for name, actor := range map[string]domain.Actor{
				"HR": w.hr.Actor(), "Supervisor": w.sup.Actor(), "TownAdmin": w.admin.Actor(),
			} {
				t.Run(name, func(t *testing.T) {
					got, total, today, err := w.workers.List(ctx, actor, w.ent.ID, domain.WorkerFilter{})
					must(t, err)
					if !slices.Equal(ids(got, workerID), ids(all, workerID)) || total != 4 || today != w.today() {
						t.Errorf("got %v of %d on %v, want %v of 4 on %v", ids(got, workerID), total, today, ids(all, workerID), w.today())
					}
				})
			}
		})
		// The platform admin reads no roster: refused as a role, before any record is read, so
		// the same for a worker or enterprise that exists and one that does not.
		t.Run("ErrForbiddenPlatformAdmin", func(t *testing.T) {
			before := w.audit(t)
			for _, id := range []int64{w.ent.ID, 4242} {
				_, _, _, err := w.workers.List(ctx, w.platform, id, domain.WorkerFilter{})
				wantErr(t, err, domain.ErrForbidden)
				_, _, _, err = w.workers.Export(ctx, w.platform, id, domain.WorkerFilter{})
				wantErr(t, err, domain.ErrForbidden)
			}
			for _, id := range []int64{a.ID, 4242} {
				_, _, err := w.workers.Get(ctx, w.platform, id, false)
				wantErr(t, err, domain.ErrForbidden)
				_, _, err = w.workers.Update(ctx, w.platform, id, domain.WorkerUpdate{Department: ptr("质检部")})
				wantErr(t, err, domain.ErrForbidden)
			}
			if n := w.audit(t); n != before {
				t.Errorf("got %d audit events, want %d: a refused export is no export", n, before)
			}
		})
		t.Run("ListFilters", func(t *testing.T) {
			tests := []struct {
				name  string
				f     domain.WorkerFilter
				want  []domain.Worker
				total int
			}{
				{name: "Status", f: domain.WorkerFilter{Status: domain.WorkerOnDuty}, want: []domain.Worker{b, d}, total: 2},
				{name: "Risk", f: domain.WorkerFilter{Risk: domain.RiskHigh}, want: []domain.Worker{a}, total: 1},
				{name: "QueryName", f: domain.WorkerFilter{Query: " 职工3\u3000"}, want: []domain.Worker{c}, total: 1},
				{name: "QueryPhone", f: domain.WorkerFilter{Query: phoneOf(4)[5:]}, want: []domain.Worker{d}, total: 1},
				{name: "QueryDepartment", f: domain.WorkerFilter{Query: "织造"}, want: all, total: 4},
				{name: "QueryWholeID", f: domain.WorkerFilter{Query: string(personID(2))}, want: []domain.Worker{b}, total: 1},
				{name: "QueryWholeIDAsTyped", f: domain.WorkerFilter{Query: " " + strings.ToLower(string(personID(1)))}, want: []domain.Worker{a}, total: 1},
				{name: "QueryPartOfID", f: domain.WorkerFilter{Query: string(personID(1))[:14]}, total: 0},
				{name: "Page", f: domain.WorkerFilter{Page: domain.Page{Limit: 3, Offset: 3}}, want: []domain.Worker{d}, total: 4},
				{name: "EnterpriseCannotBeWidened", f: domain.WorkerFilter{EnterpriseID: w.ent2.ID, TownshipID: w.twB.ID}, want: all, total: 4},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, total, _, err := w.workers.List(ctx, w.sup.Actor(), w.ent.ID, tt.f)
					must(t, err)
					if !slices.Equal(ids(got, workerID), ids(tt.want, workerID)) || total != tt.total {
						t.Errorf("got %v of %d, want %v of %d", ids(got, workerID), total, ids(tt.want, workerID), tt.total)
					}
				})
			}
		})
		outOfScope := map[string]domain.Actor{
			"ErrNotFoundUnassignedSupervisor": w.sup2.Actor(), "ErrNotFoundOtherTownshipSupervisor": w.supB.Actor(),
			"ErrNotFoundOtherHR": w.hr2.Actor(), "ErrNotFoundOtherTownshipHR": w.hrB.Actor(),
			"ErrNotFoundOtherTownAdmin": w.adminB.Actor(), "ErrNotFoundWorker": w.worker,
		}
		t.Run("ListOutOfScope", func(t *testing.T) {
			for name, actor := range outOfScope {
				t.Run(name, func(t *testing.T) {
					got, _, _, err := w.workers.List(ctx, actor, w.ent.ID, domain.WorkerFilter{})
					wantErr(t, err, domain.ErrNotFound)
					if len(got) != 0 {
						t.Errorf("got %d workers, want none", len(got))
					}
				})
			}
		})
		t.Run("Get", func(t *testing.T) {
			for name, actor := range map[string]domain.Actor{"HR": w.hr.Actor(), "Supervisor": w.sup.Actor(), "TownAdmin": w.admin.Actor()} {
				t.Run(name, func(t *testing.T) {
					before := w.audit(t)
					got, _, err := w.workers.Get(ctx, actor, a.ID, false)
					must(t, err)
					if got != w.workerNow(t, a.ID) {
						t.Errorf("got %+v, want the stored worker", got)
					}
					if n := w.audit(t); n != before {
						t.Errorf("got %d audit events, want %d: a masked read is not audited", n, before)
					}
				})
			}
		})
		t.Run("GetOutOfScope", func(t *testing.T) {
			for name, actor := range outOfScope {
				t.Run(name, func(t *testing.T) {
					_, _, err := w.workers.Get(ctx, actor, a.ID, false)
					wantErr(t, err, domain.ErrNotFound)
				})
			}
			_, _, err := w.workers.Get(ctx, w.hr.Actor(), other.ID, false)
			wantErr(t, err, domain.ErrNotFound)
			_, _, err = w.workers.Get(ctx, w.hr.Actor(), 4242, false)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("GetRevealHR", func(t *testing.T) {
			before := w.audit(t)
			got, _, err := w.workers.Get(ctx, w.hr.Actor(), a.ID, true)
			must(t, err)
			if got.IDNumber != personID(1) {
				t.Errorf("got %s, want %s", got.IDNumber, personID(1))
			}
			w.wantAudit(t, before, event(w.hr, "worker.reveal", "worker", a.ID))
		})
		t.Run("GetRevealErrForbidden", func(t *testing.T) {
			for name, actor := range map[string]domain.Actor{"Supervisor": w.sup.Actor(), "TownAdmin": w.admin.Actor(), "PlatformAdmin": w.platform} {
				t.Run(name, func(t *testing.T) {
					before := w.audit(t)
					_, _, err := w.workers.Get(ctx, actor, a.ID, true)
					wantErr(t, err, domain.ErrForbidden)
					if n := w.audit(t); n != before {
						t.Errorf("got %d audit events, want %d", n, before)
					}
				})
			}
		})
		t.Run("GetRevealOutOfScope", func(t *testing.T) {
			before := w.audit(t)
			_, _, err := w.workers.Get(ctx, w.hr2.Actor(), a.ID, true)
			wantErr(t, err, domain.ErrNotFound)
			if n := w.audit(t); n != before {
				t.Errorf("got %d audit events, want %d", n, before)
			}
		})
		t.Run("Export", func(t *testing.T) {
			tests := []struct {
				name       string
				actor      domain.User
				wantReveal bool
			}{
				{name: "HR", actor: w.hr, wantReveal: true},
				{name: "Supervisor", actor: w.sup},
				{name: "TownAdmin", actor: w.admin},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := w.audit(t)
					got, reveal, today, err := w.workers.Export(ctx, tt.actor.Actor(), w.ent.ID, domain.WorkerFilter{})
					must(t, err)
					if !slices.Equal(ids(got, workerID), ids(all, workerID)) || reveal != tt.wantReveal || today != w.today() {
						t.Errorf("got %v, reveal %v, on %v, want %v, reveal %v, on %v", ids(got, workerID), reveal, today, ids(all, workerID), tt.wantReveal, w.today())
					}
					w.wantAudit(t, before, event(tt.actor, "roster.export", "enterprise", w.ent.ID))
					detail := w.lastEvent(t, "roster.export").Detail
					if strings.Contains(detail, "完整身份证号") != tt.wantReveal || !strings.Contains(detail, "4 人") {
						t.Errorf("got detail %q, want the count and whether ID numbers were whole", detail)
					}
				})
			}
		})
		t.Run("ExportFiltered", func(t *testing.T) {
			got, _, _, err := w.workers.Export(ctx, w.hr.Actor(), w.ent.ID, domain.WorkerFilter{Status: domain.WorkerOnDuty, Page: domain.Page{Limit: 1}})
			must(t, err)
			if want := []domain.Worker{b, d}; !slices.Equal(ids(got, workerID), ids(want, workerID)) {
				t.Errorf("got %v, want %v: filtered, and not cut to a page", ids(got, workerID), ids(want, workerID))
			}
		})
		t.Run("ExportOutOfScope", func(t *testing.T) {
			for name, actor := range outOfScope {
				t.Run(name, func(t *testing.T) {
					before := w.audit(t)
					_, _, _, err := w.workers.Export(ctx, actor, w.ent.ID, domain.WorkerFilter{})
					wantErr(t, err, domain.ErrNotFound)
					if n := w.audit(t); n != before {
						t.Errorf("got %d audit events, want %d", n, before)
					}
				})
			}
		})
		t.Run("NoPlainIDNumberStored", func(t *testing.T) {
			for _, table := range []string{"workers", "audit_events"} {
				text, err := repo.TableText(ctx, db, table)
				must(t, err)
				if len(text) == 0 {
					t.Fatalf("got no rows in %s, want some", table)
				}
				for _, row := range text {
					for col, v := range row {
						for _, x := range append(all, other) {
							if strings.Contains(v, string(x.IDNumber)) {
								t.Errorf("got %s.%s = %q, want no plain ID number", table, col, v)
							}
						}
					}
				}
			}
		})
	})
}

func TestWorkerServiceExportAll(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		res, err := w.workers.Import(w.ctx, w.hr.Actor(), w.ent.ID, roster(0, 2*domain.MaxPageSize+1), false)
		must(t, err)
		if res.Created != 2*domain.MaxPageSize+1 {
			t.Fatalf("got %+v, want %d created", res, 2*domain.MaxPageSize+1)
		}
		got, _, _, err := w.workers.Export(w.ctx, w.sup.Actor(), w.ent.ID, domain.WorkerFilter{})
		must(t, err)
		seen := map[int64]bool{}
		for _, x := range got {
			seen[x.ID] = true
		}
		if len(got) != 2*domain.MaxPageSize+1 || len(seen) != len(got) {
			t.Errorf("got %d workers (%d different), want all %d once", len(got), len(seen), 2*domain.MaxPageSize+1)
		}
		if d := w.lastEvent(t, "roster.export").Detail; !strings.Contains(d, strconv.Itoa(len(got))+" 人") {
			t.Errorf("got detail %q, want the count", d)
		}
	})
}

package loadtest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fugong/domain"
	"fugong/internal/app"
)

// Dataset is a township loaded for a scenario.
type Dataset struct {
	Township    domain.Township
	Admin       domain.User
	Enterprises []domain.Enterprise
	Workers     []domain.Worker   // in the order they were created, IDs set
	Today       domain.Date       // the township's today when it was seeded
	shifts      map[int64][]int64 // each enterprise's shifts (ShiftNames), by enterprise
}

// origins spread the workers over a few home regions, as a real township's are.
var origins = []string{"371626", "371626", "371626", "370000", "410000", "420100", "340000", "520000"}

// Origins are the home regions Seed gives workers in turn (worker i: Origins()[i%len]), so that
// a program can write a roster that looks like the seeded one.
func Origins() []string { return slices.Clone(origins) }

// Seed creates, in a database the runner opened (Open), a township with nEnt enterprises and
// nWorkers back at work (due to check in), spread evenly: the township and enterprises
// through the services, the workers in bulk through WorkerStore.CreateMany (the roster
// import's own path), then today's roster snapshot. Root and the township admin ("admin")
// sign in with the password NAME-password.
func (r *Runner) Seed(ctx context.Context, a *app.App, nEnt, nWorkers int) (*Dataset, error) {
	st, svc := a.Stores, a.Services
	password := r.opt.Name + "-password"
	root, err := svc.Users.Bootstrap(ctx, "root", password, "平台")
	if err != nil {
		return nil, err
	}
	t, err := svc.Townships.Create(ctx, root.Actor(), domain.NewTownship{Name: r.opt.Town + "镇", Code: "371626199",
		Population: 100000, Zones: []string{"一区", "二区", "三区", "四区", "五区"},
		AdminUsername: "admin", AdminPassword: password, AdminName: "专班"})
	if err != nil {
		return nil, err
	}
	admin, err := st.Users.GetByUsername(ctx, "admin")
	if err != nil {
		return nil, err
	}
	d := &Dataset{Township: t, Admin: admin, Today: t.Today(time.Now()), shifts: map[int64][]int64{}}
	for i := range nEnt {
		e, err := svc.Enterprises.Create(ctx, admin.Actor(), r.enterpriseInput(i, t.Zones[i%len(t.Zones)].Name))
		if err != nil {
			return nil, fmt.Errorf("enterprise %d: %w", i, err)
		}
		d.Enterprises = append(d.Enterprises, e)
		// The shifts the benchmark's and the faults' rosters name their people's 班组 by, never
		// full: the import scenario puts 50,000 people into one enterprise's three shifts (at
		// 10,000 each the roster import refused 20,000 of its rows, over capacity).
		for _, name := range ShiftNames {
			sh := domain.Shift{TownshipID: t.ID, EnterpriseID: e.ID, Name: name, Capacity: 100_000}
			if err := st.Shifts.Create(ctx, &sh); err != nil {
				return nil, fmt.Errorf("shift %s of enterprise %d: %w", name, i, err)
			}
			d.shifts[e.ID] = append(d.shifts[e.ID], sh.ID)
		}
	}
	if d.Workers, err = createWorkers(ctx, st, d, nWorkers); err != nil {
		return nil, err
	}
	return d, st.Stats.SnapshotRoster(ctx, t.ID, nil, d.Today, false)
}

// ShiftNames are the shifts (班组) of every enterprise Seed makes.
var ShiftNames = []string{"甲班", "乙班", "丙班"}

// createWorkers adds n workers to d's enterprises in turn, 5000 to a CreateMany (which sets
// their IDs), all arrived 20 days ago, each in one of their enterprise's shifts in turn (so
// that a morning check-in at work counts its shift's people on duty, as a real one does).
func createWorkers(ctx context.Context, st domain.Stores, d *Dataset, n int) ([]domain.Worker, error) {
	arrived := d.Today.AddDays(-20)
	workers := make([]domain.Worker, 0, n)
	for i := range n {
		e := d.Enterprises[i%len(d.Enterprises)]
		shifts := d.shifts[e.ID]
		workers = append(workers, domain.Worker{ShiftID: shifts[(i/len(d.Enterprises))%len(shifts)],
			TownshipID: d.Township.ID, EnterpriseID: e.ID, Name: fmt.Sprintf("职工%05d", i), IDNumber: IDNumber(i),
			Phone: fmt.Sprintf("138%08d", i), Department: "车间", OriginRegion: origins[i%len(origins)],
			ArrivedOn: arrived, RiskLevel: domain.RiskLow, Status: domain.WorkerOnDuty,
			CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC(),
		})
	}
	for start := 0; start < len(workers); start += 5000 {
		if err := st.Workers.CreateMany(ctx, workers[start:min(start+5000, len(workers))]); err != nil {
			return nil, err
		}
	}
	return workers, nil
}

func (r *Runner) enterpriseInput(i int, zone string) domain.EnterpriseInput {
	name, industry, contact, phone, head := fmt.Sprintf("%s企业%03d有限公司", r.opt.Town, i), "制造业", "王强", "13800000000", 250
	code := CreditCode(i)
	return domain.EnterpriseInput{Name: &name, CreditCode: &code, Industry: &industry, Zone: &zone,
		ContactName: &contact, ContactPhone: &phone, Headcount: &head}
}

// CreditCode is the n-th valid unified social credit code (GB 32100) of a Shandong county:
// enterprise n's in a seeded township.
func CreditCode(n int) string {
	first := fmt.Sprintf("91371626%09d", n)
	return first + string(domain.CreditCheckChar(first))
}

// IDNumber is the n-th valid resident ID number (GB 11643): people born on successive days
// from 1970, a thousand a day. Worker n of a seeded township has it.
func IDNumber(n int) domain.IDNumber {
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	first := fmt.Sprintf("371626%s%03d", birth.Format("20060102"), n%1000)
	return domain.IDNumber(first + string(domain.IDCheckChar(first)))
}

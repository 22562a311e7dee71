package main

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fugong/domain"
)

// dataset is the township a scenario's phones check in to, with a token per worker.
type dataset struct {
	township   domain.Township
	admin      domain.User
	enterprise []domain.Enterprise
	workers    []domain.Worker
	tokens     []string // tokens[i] is workers[i]'s access token
	adminToken string   // the township admin's, for the dashboard's live stream
	today      domain.Date
}

// seed creates a township with nEnt enterprises and nWorkers back at work, spread evenly: the
// township and enterprises through the services, the workers in bulk through
// WorkerStore.CreateMany (the roster import's own path), then today's roster snapshot. The
// same township as scripts/bench's, smaller.
func seed(ctx context.Context, st domain.Stores, nEnt, nWorkers int) (*dataset, error) {
	svc := domain.NewServices(st, domain.Options{Passwords: domain.PasswordHasher{Cost: bcrypt.MinCost}})
	root, err := svc.Users.Bootstrap(ctx, "root", "faults-password", "平台")
	if err != nil {
		return nil, err
	}
	t, err := svc.Townships.Create(ctx, root.Actor(), domain.NewTownship{Name: "故障镇", Code: "371626199",
		Population: 100000, Zones: []string{"一区", "二区"},
		AdminUsername: "admin", AdminPassword: "faults-password", AdminName: "专班"})
	if err != nil {
		return nil, err
	}
	admin, err := st.Users.GetByUsername(ctx, "admin")
	if err != nil {
		return nil, err
	}
	d := &dataset{township: t, admin: admin, today: t.Today(time.Now())}
	for i := range nEnt {
		e, err := svc.Enterprises.Create(ctx, admin.Actor(), enterpriseInput(i, t.Zones[i%len(t.Zones)].Name))
		if err != nil {
			return nil, fmt.Errorf("enterprise %d: %w", i, err)
		}
		d.enterprise = append(d.enterprise, e)
	}
	arrived := d.today.AddDays(-20)
	workers := make([]domain.Worker, 0, nWorkers)
	for i := range nWorkers {
		e := d.enterprise[i%nEnt]
		workers = append(workers, domain.Worker{
			TownshipID: t.ID, EnterpriseID: e.ID, Name: fmt.Sprintf("职工%05d", i), IDNumber: idNumber(i),
			Phone: fmt.Sprintf("138%08d", i), Department: "车间", OriginRegion: "371626",
			ArrivedOn: arrived, RiskLevel: domain.RiskLow, Status: domain.WorkerOnDuty,
			CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC(),
		})
	}
	for start := 0; start < len(workers); start += 5000 {
		if err := st.Workers.CreateMany(ctx, workers[start:min(start+5000, len(workers))]); err != nil {
			return nil, err
		}
	}
	d.workers = workers
	return d, st.Stats.SnapshotRoster(ctx, t.ID, nil, d.today, false)
}

func enterpriseInput(i int, zone string) domain.EnterpriseInput {
	name, industry, contact, phone, head := fmt.Sprintf("故障企业%03d有限公司", i), "制造业", "王强", "13800000000", 250
	code := creditCode(i)
	return domain.EnterpriseInput{Name: &name, CreditCode: &code, Industry: &industry, Zone: &zone,
		ContactName: &contact, ContactPhone: &phone, Headcount: &head}
}

// creditCode is the n-th valid unified social credit code (GB 32100) of a Shandong county.
func creditCode(n int) string {
	first := fmt.Sprintf("91371626%09d", n)
	return first + string(domain.CreditCheckChar(first))
}

// idNumber is the n-th valid resident ID number (GB 11643): people born on successive days
// from 1970, a thousand a day.
func idNumber(n int) domain.IDNumber {
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	first := fmt.Sprintf("371626%s%03d", birth.Format("20060102"), n%1000)
	return domain.IDNumber(first + string(domain.IDCheckChar(first)))
}

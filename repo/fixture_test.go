package repo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// start is the fixed time every test clock starts at: a Monday morning in February 2020.
var start = time.Date(2020, 2, 10, 1, 30, 0, 0, time.UTC)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to at.
func (c *testClock) Set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = at
}

// env is one fresh database with the domain services wired on its stores exactly as app.go
// does (repo.Stores and domain.NewServices, production defaults for token lifetime and the
// sign-in limit), except for bcrypt's minimum cost and a clock the test controls.
type env struct {
	db     *repo.DB
	clock  *testClock
	stores domain.Stores
	gate   *domain.PasswordGate // the services' password checks

	auth        *domain.AuthService
	townships   *domain.TownshipService
	users       *domain.UserService
	enterprises *domain.EnterpriseService
	plans       *domain.PlanService
	inspections *domain.InspectionService
	workers     *domain.WorkerService
	checkins    *domain.CheckinService
	notices     *domain.NoticeService
	audit       *domain.AuditService

	platform domain.Actor
	swept    domain.Swept // what the test's sweeps did, kept as the sweeping process keeps it
}

// refreshTTL is the refresh-token lifetime of DESIGN.md, which NewServices defaults to: the
// tests of sessions hold the services to it.
const refreshTTL = 30 * 24 * time.Hour

func newEnv(t *testing.T, db *repo.DB) *env {
	t.Helper()
	return newEnvOn(t, db, repo.Stores(db, dbtest.Box()))
}

// newEnvOn is newEnv on stores of the test's own making.
func newEnvOn(t *testing.T, db *repo.DB, st domain.Stores) *env {
	t.Helper()
	clock := &testClock{now: start}
	gate := domain.NewPasswordGate(0, 0) // NewServices' own, kept to count the checks
	svc := domain.NewServices(st, domain.Options{
		Passwords: domain.PasswordHasher{Cost: bcrypt.MinCost, Gate: gate}, Clock: clock.Now,
	})
	e := &env{
		db: db, clock: clock, stores: st, gate: gate,
		auth: svc.Auth, townships: svc.Townships, users: svc.Users, enterprises: svc.Enterprises,
		plans: svc.Plans, inspections: svc.Inspections, workers: svc.Workers, checkins: svc.Checkins, notices: svc.Notices,
		audit: svc.Audit,
	}
	root, err := e.users.Bootstrap(context.Background(), "root", password, "平台管理员")
	if err != nil {
		t.Fatalf("bootstrap platform admin: %v", err)
	}
	e.platform = root.Actor()
	return e
}

// password is the password of every account the fixtures create.
const password = "Fugong-2020"

// township opens a township through the service, with its first town admin "admin-<code>".
func (e *env) township(t *testing.T, code string, zones ...string) (domain.Township, domain.User) {
	t.Helper()
	ctx := context.Background()
	tw, err := e.townships.Create(ctx, e.platform, domain.NewTownship{
		Name: "镇" + code, Code: code, Population: 50000, Zones: zones,
		AdminUsername: "admin-" + code, AdminPassword: password, AdminName: "专班" + code,
	})
	if err != nil {
		t.Fatalf("create township %s: %v", code, err)
	}
	admin, err := e.stores.Users.GetByUsername(ctx, "admin-"+code)
	if err != nil {
		t.Fatalf("get admin of %s: %v", code, err)
	}
	return tw, admin
}

// staff creates an account of role in the admin's township.
func (e *env) staff(t *testing.T, admin domain.Actor, role domain.Role, username string, enterpriseID int64) domain.User {
	t.Helper()
	u, err := e.users.Create(context.Background(), admin, domain.NewUser{
		Username: username, Password: password, Role: role, Name: "员工" + username, EnterpriseID: enterpriseID,
	})
	if err != nil {
		t.Fatalf("create %s %s: %v", role, username, err)
	}
	return u
}

// enterprise registers an enterprise through the service.
func (e *env) enterprise(t *testing.T, admin domain.Actor, name string, n int, zone string) domain.Enterprise {
	t.Helper()
	ent, err := e.enterprises.Create(context.Background(), admin, enterpriseInput(name, creditCode(n), zone))
	if err != nil {
		t.Fatalf("create enterprise %s: %v", name, err)
	}
	return ent
}

func enterpriseInput(name, code, zone string) domain.EnterpriseInput {
	return domain.EnterpriseInput{
		Name: ptr(name), CreditCode: ptr(code), Industry: ptr("纺织"), Zone: ptr(zone),
		Address: ptr("工业园 1 号"), ContactName: ptr("王芳"), ContactPhone: ptr("13812345678"),
		Headcount: ptr(100),
	}
}

// creditCode returns the n-th valid unified social credit code of a Shandong county.
func creditCode(n int) string {
	first := fmt.Sprintf("91371626%09d", n)
	return first + string(domain.CreditCheckChar(first))
}

// storeTownship inserts a township straight through the store, for store tests.
func storeTownship(t *testing.T, db *repo.DB, code string, zones ...string) domain.Township {
	t.Helper()
	tw := domain.Township{
		Name: "镇" + code, Code: code, Population: 1000, Timezone: "Asia/Shanghai", Policy: domain.DefaultPolicy,
	}
	for _, z := range zones {
		tw.Zones = append(tw.Zones, domain.Zone{Name: z})
	}
	s := &repo.TownshipStore{DB: db}
	if err := s.Create(context.Background(), &tw); err != nil {
		t.Fatalf("create township %s: %v", code, err)
	}
	got, err := s.Get(context.Background(), tw.ID)
	if err != nil {
		t.Fatalf("get township %s: %v", code, err)
	}
	return got
}

// storeEnterprise inserts an enterprise straight through the store, for store tests.
func storeEnterprise(t *testing.T, db *repo.DB, e domain.Enterprise) domain.Enterprise {
	t.Helper()
	if e.Status == "" {
		e.Status = domain.StatusNotApplied
	}
	if e.Industry == "" {
		e.Industry = "纺织"
	}
	s := &repo.EnterpriseStore{DB: db}
	if err := s.Create(context.Background(), &e); err != nil {
		t.Fatalf("create enterprise %s: %v", e.Name, err)
	}
	if e.ID == 0 {
		t.Fatalf("create enterprise %s: got ID 0, want it set", e.Name)
	}
	got, err := s.Get(context.Background(), e.ID)
	if err != nil {
		t.Fatalf("get enterprise %s: %v", e.Name, err)
	}
	return got
}

// storeUser inserts a user straight through the store, for store tests.
func storeUser(t *testing.T, db *repo.DB, u domain.User) domain.User {
	t.Helper()
	if u.Name == "" {
		u.Name = "姓名" + u.Username
	}
	if u.PasswordHash == "" {
		u.PasswordHash = "hash"
	}
	u.Active = true
	if err := (&repo.UserStore{DB: db}).Create(context.Background(), &u); err != nil {
		t.Fatalf("create user %s: %v", u.Username, err)
	}
	if u.ID == 0 {
		t.Fatalf("create user %s: got ID 0, want it set", u.Username)
	}
	return u
}

// rows counts the rows of a table, outside any transaction.
func rows(t *testing.T, db *repo.DB, table string) int {
	t.Helper()
	n, err := dbtest.CountRows(context.Background(), db, table)
	must(t, err)
	return n
}

func ptr[T any](v T) *T { return &v }

// fieldNames returns the fields a *domain.Error names, sorted.
func fieldNames(err error) []string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return nil
	}
	var out []string
	for _, f := range de.Fields {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

// wantErr fails the test unless err is of kind and, when fields are given, names exactly those.
func wantErr(t *testing.T, err, kind error, fields ...string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got error %v, want kind %v", err, kind)
	}
	if len(fields) == 0 {
		return
	}
	want := slices.Clone(fields)
	slices.Sort(want)
	if got := fieldNames(err); !slices.Equal(got, want) {
		t.Fatalf("got fields %v, want %v (error %v)", got, want, err)
	}
}

// must fails the test on an unexpected error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
}

// ids returns the IDs of a list, in order.
func ids[T any](items []T, id func(T) int64) []int64 {
	out := make([]int64, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func enterpriseID(e domain.Enterprise) int64 { return e.ID }
func userID(u domain.User) int64             { return u.ID }
func townshipID(t domain.Township) int64     { return t.ID }
func zoneNames(t domain.Township) []string {
	var out []string
	for _, z := range t.Zones {
		out = append(out, z.Name)
	}
	return out
}

// dashSummary is the dashboard's summary of the actor's view, asked as the API asks it: the view
// first, then its answer.
func dashSummary(ctx context.Context, d *domain.DashboardService, actor domain.Actor, q domain.DashboardQuery) (domain.Summary, error) {
	v, err := d.View(ctx, actor, q)
	if err != nil {
		return domain.Summary{}, err
	}
	return d.Summary(ctx, v)
}

// dashDays is dashSummary for the dashboard's enterprise rows, with their day.
func dashDays(ctx context.Context, d *domain.DashboardService, actor domain.Actor, q domain.DashboardQuery) ([]domain.EnterpriseDay, domain.Date, error) {
	v, err := d.View(ctx, actor, q)
	if err != nil {
		return nil, domain.Date{}, err
	}
	days, err := d.EnterpriseDays(ctx, v)
	return days, v.Date(), err
}

// dashTrend is dashSummary for the dashboard's trend.
func dashTrend(ctx context.Context, d *domain.DashboardService, actor domain.Actor, q domain.DashboardQuery, from, to domain.Date) ([]domain.TrendPoint, error) {
	v, err := d.TrendView(ctx, actor, q, from, to)
	if err != nil {
		return nil, err
	}
	return d.Trend(ctx, v)
}

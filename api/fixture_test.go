package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"fugong/api"
	"fugong/domain"
	"fugong/internal/app"
	"fugong/live"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	dbtest.DropTemplates()
	os.Exit(code)
}

const password = "secret-pass-1"

// Valid credit codes for fixtures (GB 32100 check characters computed).
var (
	codeA1 = validCode("91371626MA3C8A01")
	codeA2 = validCode("91371626MA3C8A02")
	codeB1 = validCode("91371626MA3C8B01")
)

func validCode(prefix string) string {
	s := prefix + "0"
	return s + string(domain.CreditCheckChar(s))
}

// fixture is the real Echo app on a real database, served over real HTTP, with two townships:
// A (enterprises A1 with supervisor supA and HR hrA1, and A2 with supervisor supA2) and B
// (enterprise B1).
type fixture struct {
	t      testing.TB // a fuzz target's fixture outlives each input's test; see FuzzWriteRoutes
	db     *repo.DB
	svc    domain.Services
	e      *echo.Echo
	routes *api.Routes
	srv    *httptest.Server
	logs   *syncBuffer // everything the server logged
	hub    *live.Hub   // the live changes behind the dashboard's stream
	tokens *api.Tokens // what signs the access tokens
	// gate and imports are the services' password checks and roster imports under way.
	gate    *domain.PasswordGate
	imports *domain.ImportSlots
	// ahead moves the services' clock on from the real time (pastRefreshGrace); the access
	// tokens keep the real time.
	ahead atomic.Int64

	townA, townB      domain.Township
	entA1, entA2      domain.Enterprise
	entB1             domain.Enterprise
	platform          domain.User
	adminA, adminB    domain.User
	supA, supA2, hrA1 domain.User
}

// newFixture builds the fixture; opts change the services' options first.
func newFixture(t testing.TB, db *repo.DB, opts ...func(*domain.Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, logs: &syncBuffer{}, hub: live.NewHub(), gate: domain.NewPasswordGate(0, 0),
		imports: &domain.ImportSlots{}}
	o := domain.Options{
		Passwords: domain.PasswordHasher{Cost: bcrypt.MinCost, Gate: f.gate}, Changes: f.hub, Imports: f.imports,
		Clock:  func() time.Time { return time.Now().Add(time.Duration(f.ahead.Load())) },
		Robots: f.robots(),
	}
	for _, opt := range opts {
		opt(&o)
	}
	f.gate, f.imports = o.Passwords.Gate, o.Imports
	f.svc = domain.NewServices(repo.Stores(db, dbtest.Box()), o)
	f.tokens = app.Tokens([]byte("0123456789abcdef0123456789abcdef"), 15*time.Minute)
	f.e, f.routes = api.New(f.svc, api.Config{
		Tokens: f.tokens,
		Log:    slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Ready: db.Ping, BodyLimit: "64K", Metrics: api.NewMetrics(),
		Live: &api.Live{Hub: f.hub, StreamConfig: api.StreamConfig{KeepAlive: 100 * time.Millisecond, MinInterval: 20 * time.Millisecond,
			Recheck: 50 * time.Millisecond}},
	})
	f.srv = httptest.NewServer(f.e)
	t.Cleanup(f.srv.Close)
	t.Cleanup(f.hub.Close) // open streams end before the server closes
	f.seed()
	return f
}

// robots reach the group robots as the server does (package notify); the tests' robots are
// notifytest servers on loopback.
func (f *fixture) robots() domain.Robots { return app.NewRobots(nil) }

func (f *fixture) seed() {
	t, ctx := f.t, context.Background()
	t.Helper()
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	f.platform, err = f.svc.Users.Bootstrap(ctx, "root", password, "平台")
	must(err)
	pa := f.platform.Actor()
	f.townA, err = f.svc.Townships.Create(ctx, pa, domain.NewTownship{Name: "长山镇", Code: "371626102",
		Population: 73000, Zones: []string{"一区", "二区"}, AdminUsername: "admina", AdminPassword: password})
	must(err)
	f.townB, err = f.svc.Townships.Create(ctx, pa, domain.NewTownship{Name: "好生街道", Code: "371626001",
		Population: 50000, Zones: []string{"北区"}, AdminUsername: "adminb", AdminPassword: password})
	must(err)
	f.adminA, err = f.svc.Users.Get(ctx, pa, f.user("admina").ID)
	must(err)
	f.adminB = f.user("adminb")
	f.entA1 = f.enterprise(f.adminA, "长山一号纺织有限公司", codeA1, "一区")
	f.entA2 = f.enterprise(f.adminA, "长山二号机械有限公司", codeA2, "二区")
	f.entB1 = f.enterprise(f.adminB, "好生食品有限公司", codeB1, "北区")
	f.supA = f.staff(f.adminA, "supa", domain.RoleSupervisor, 0)
	f.supA2 = f.staff(f.adminA, "supa2", domain.RoleSupervisor, 0)
	f.hrA1 = f.staff(f.adminA, "hra1", domain.RoleEnterpriseHR, f.entA1.ID)
	_, err = f.svc.Enterprises.SetSupervisors(ctx, f.adminA.Actor(), f.entA1.ID, []int64{f.supA.ID})
	must(err)
	_, err = f.svc.Enterprises.SetSupervisors(ctx, f.adminA.Actor(), f.entA2.ID, []int64{f.supA2.ID})
	must(err)
}

func (f *fixture) user(username string) domain.User {
	f.t.Helper()
	u, err := repo.Stores(f.db, dbtest.Box()).Users.GetByUsername(context.Background(), username)
	if err != nil {
		f.t.Fatalf("user %s: %v", username, err)
	}
	return u
}

func (f *fixture) enterprise(admin domain.User, name, code, zone string) domain.Enterprise {
	f.t.Helper()
	industry, contact, phone, hc := "纺织服装", "王强", "13800000001", 100
	e, err := f.svc.Enterprises.Create(context.Background(), admin.Actor(), domain.EnterpriseInput{
		Name: &name, CreditCode: &code, Industry: &industry, Zone: &zone,
		ContactName: &contact, ContactPhone: &phone, Headcount: &hc,
	})
	if err != nil {
		f.t.Fatalf("enterprise %s: %v", name, err)
	}
	// The shifts the roster tests name their people's 班组 by: large enough for any import.
	for _, shift := range []string{"甲班", "乙班"} {
		sh := domain.Shift{TownshipID: e.TownshipID, EnterpriseID: e.ID, Name: shift, Capacity: 10_000}
		if err := repo.Stores(f.db, dbtest.Box()).Shifts.Create(context.Background(), &sh); err != nil {
			f.t.Fatalf("shift %s of %s: %v", shift, name, err)
		}
	}
	return e
}

func (f *fixture) staff(admin domain.User, username string, role domain.Role, enterpriseID int64) domain.User {
	f.t.Helper()
	u, err := f.svc.Users.Create(context.Background(), admin.Actor(), domain.NewUser{
		Username: username, Password: password, Role: role, Name: username, EnterpriseID: enterpriseID,
	})
	if err != nil {
		f.t.Fatalf("user %s: %v", username, err)
	}
	return u
}

// login signs in over HTTP and returns the access and refresh tokens.
func (f *fixture) login(username string) (access, refresh string) {
	f.t.Helper()
	res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
	if res.status != http.StatusOK {
		f.t.Fatalf("login %s: got %d %s", username, res.status, res.body)
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	res.decode(f.t, &tok)
	return tok.AccessToken, tok.RefreshToken
}

func (f *fixture) token(username string) string {
	f.t.Helper()
	a, _ := f.login(username)
	return a
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorFields returns the field names of an error answer.
func (r response) errorFields(t *testing.T) []string {
	t.Helper()
	var b struct {
		Error struct {
			Code   string `json:"code"`
			Fields []struct {
				Field string `json:"field"`
			} `json:"fields"`
		} `json:"error"`
	}
	r.decode(t, &b)
	var out []string
	for _, fe := range b.Error.Fields {
		out = append(out, fe.Field)
	}
	return out
}

// do sends a request; body may be nil, a string (sent as is) or a value (sent as JSON).
func (f *fixture) do(method, path, token string, body any) response {
	f.t.Helper()
	return f.doWith(method, path, token, body, nil)
}

// doWith is do with more request headers (Accept-Language, say).
func (f *fixture) doWith(method, path, token string, body any, header http.Header) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// count returns how many rows a table has, to prove that a refused request changed nothing.
func (f *fixture) count(table string) int {
	f.t.Helper()
	n, err := dbtest.CountRows(context.Background(), f.db, table)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// events returns the audit events of an action or a family of them ("" for all), newest first.
func (f *fixture) events(action string) []domain.AuditEvent {
	f.t.Helper()
	q := domain.AuditFilter{Page: domain.Page{Limit: domain.MaxPageSize}}
	if strings.Contains(action, ".") {
		q.Action = action
	} else {
		q.ActionFamily = action
	}
	es, _, err := repo.Stores(f.db, dbtest.Box()).Audit.List(context.Background(), q)
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

// changes counts the audit events of changes and reads of records: all but sign-ins (auth.*)
// and refused requests (access.*), which a request that changes nothing still leaves.
func (f *fixture) changes() int {
	f.t.Helper()
	return f.count("audit_events") - len(f.events("auth")) - len(f.events("access"))
}

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testPIN is the PIN the tests' workers enrol with: six digits no rule of domain.CheckPIN
// refuses.
const testPIN = "731946"

var (
	pinHashOnce sync.Once
	pinHash     string
)

// testPINHash is testPIN's hash at bcrypt's lowest cost, made once, for workers a test enrols
// through the store rather than the API.
func testPINHash(t testing.TB) string {
	t.Helper()
	pinHashOnce.Do(func() {
		pinHash, _ = domain.PasswordHasher{Cost: bcrypt.MinCost}.Hash(testPIN)
	})
	if pinHash == "" {
		t.Fatal("hashing the test PIN failed")
	}
	return pinHash
}

package domain_test

// The services refuse wrong roles and invalid input before they touch a store, so these tests
// run them with no stores at all: any store call would panic on a nil interface. The rules that
// need stored state (scope, policy updates, conflicts) are tested on real databases in repo.

import (
	"context"
	"strings"
	"testing"

	"fugong/domain"
)

var (
	platformAdmin = domain.Actor{UserID: 1, Role: domain.RolePlatformAdmin}
	townAdmin     = domain.Actor{UserID: 2, Role: domain.RoleTownAdmin, TownshipID: 10}
	supervisor    = domain.Actor{UserID: 3, Role: domain.RoleSupervisor, TownshipID: 10}
	hr            = domain.Actor{UserID: 4, Role: domain.RoleEnterpriseHR, TownshipID: 10, EnterpriseID: 7}
	worker        = domain.Actor{Role: domain.RoleWorker, TownshipID: 10, EnterpriseID: 7, WorkerID: 9}
)

func TestTownshipServiceCreateRefuses(t *testing.T) {
	valid := domain.NewTownship{
		Name: "长山镇", Code: "371626104", Population: 73000, Zones: []string{"一区"},
		AdminUsername: "changshan", AdminPassword: "password-1",
	}
	tests := []struct {
		name       string
		actor      domain.Actor
		in         domain.NewTownship
		wantKind   error
		wantFields []string
	}{
		{name: "ErrForbiddenTownAdmin", actor: townAdmin, in: valid, wantKind: domain.ErrForbidden},
		{name: "ErrForbiddenSupervisor", actor: supervisor, in: valid, wantKind: domain.ErrForbidden},
		{
			name: "ErrInvalidEverything", actor: platformAdmin,
			in: domain.NewTownship{
				Name: " \u3000", Code: "12", Population: -1, Timezone: "Mars/Olympus",
				Zones: []string{"一区", "\u3000一区", ""}, AdminUsername: "A!", AdminPassword: "short",
			},
			wantKind:   domain.ErrInvalid,
			wantFields: []string{"name", "code", "population", "timezone", "zones[1]", "zones[2]", "admin_username", "admin_password"},
		},
		{
			name: "ErrInvalidCodeLength", actor: platformAdmin,
			in:       withTownship(valid, func(n *domain.NewTownship) { n.Code = "3716261041" }),
			wantKind: domain.ErrInvalid, wantFields: []string{"code"},
		},
		{
			name: "ErrInvalidPopulation", actor: platformAdmin,
			in:       withTownship(valid, func(n *domain.NewTownship) { n.Population = 10_000_001 }),
			wantKind: domain.ErrInvalid, wantFields: []string{"population"},
		},
		{
			name: "ErrInvalidZoneTooLong", actor: platformAdmin,
			in:       withTownship(valid, func(n *domain.NewTownship) { n.Zones = []string{"一区", strings.Repeat("区", 31)} }),
			wantKind: domain.ErrInvalid, wantFields: []string{"zones[1]"},
		},
		{
			name: "ErrInvalidAdminName", actor: platformAdmin,
			in:       withTownship(valid, func(n *domain.NewTownship) { n.AdminName = strings.Repeat("名", 33) }),
			wantKind: domain.ErrInvalid, wantFields: []string{"admin_name"},
		},
		{
			name: "ErrInvalidAdminPasswordTooLong", actor: platformAdmin,
			in:       withTownship(valid, func(n *domain.NewTownship) { n.AdminPassword = strings.Repeat("p", 73) }),
			wantKind: domain.ErrInvalid, wantFields: []string{"admin_password"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storeless().Townships
			_, err := s.Create(context.Background(), tt.actor, tt.in)
			wantErr(t, err, tt.wantKind, tt.wantFields...)
		})
	}
}

func withTownship(n domain.NewTownship, change func(*domain.NewTownship)) domain.NewTownship {
	change(&n)
	return n
}

func TestTownshipServiceScope(t *testing.T) {
	s := storeless().Townships
	ctx := context.Background()
	other := townAdmin.TownshipID + 1
	t.Run("GetErrNotFoundOtherTownship", func(t *testing.T) {
		_, err := s.Get(ctx, townAdmin, other)
		wantErr(t, err, domain.ErrNotFound)
	})
	t.Run("UpdateErrNotFoundOtherTownship", func(t *testing.T) {
		_, err := s.Update(ctx, townAdmin, other, domain.TownshipUpdate{Name: ptr("别的镇")})
		wantErr(t, err, domain.ErrNotFound)
	})
	for _, a := range []domain.Actor{supervisor, hr, worker} {
		t.Run("GetErrForbidden/"+string(a.Role), func(t *testing.T) {
			_, err := s.Get(ctx, a, a.TownshipID)
			wantErr(t, err, domain.ErrForbidden)
		})
		t.Run("UpdateErrForbidden/"+string(a.Role), func(t *testing.T) {
			_, err := s.Update(ctx, a, a.TownshipID, domain.TownshipUpdate{})
			wantErr(t, err, domain.ErrForbidden)
		})
	}
	for _, a := range []domain.Actor{townAdmin, supervisor, hr} {
		t.Run("ListErrForbidden/"+string(a.Role), func(t *testing.T) {
			_, _, err := s.List(ctx, a, domain.Page{})
			wantErr(t, err, domain.ErrForbidden)
		})
	}
}

func TestUserServiceCreateRefuses(t *testing.T) {
	valid := domain.NewUser{Username: "li.si", Password: "password-1", Role: domain.RoleSupervisor, Name: "李四", Reason: "新增监督员"}
	with := func(change func(*domain.NewUser)) domain.NewUser {
		u := valid
		change(&u)
		return u
	}
	tests := []struct {
		name       string
		actor      domain.Actor
		in         domain.NewUser
		wantKind   error
		wantFields []string
	}{
		{name: "ErrForbiddenSupervisor", actor: supervisor, in: valid, wantKind: domain.ErrForbidden},
		// HR makes its own guards' accounts (gate), nothing else.
		{name: "ErrInvalidHRMakesSupervisor", actor: hr, in: valid, wantKind: domain.ErrInvalid, wantFields: []string{"role"}},
		{name: "ErrInvalidWorkerRole", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Role = domain.RoleWorker }), wantKind: domain.ErrInvalid, wantFields: []string{"role"}},
		{name: "ErrInvalidPlatformAdminRole", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Role = domain.RolePlatformAdmin }), wantKind: domain.ErrInvalid, wantFields: []string{"role"}},
		{name: "ErrInvalidUnknownRole", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Role = "boss" }), wantKind: domain.ErrInvalid, wantFields: []string{"role"}},
		{name: "ErrInvalidNoTownship", actor: platformAdmin, in: with(func(u *domain.NewUser) { u.Role = domain.RoleTownAdmin }), wantKind: domain.ErrInvalid, wantFields: []string{"township_id"}},
		// The operator opens a township's way in: its town admins, nobody else.
		{name: "ErrInvalidPlatformAdminMakesSupervisor", actor: platformAdmin, in: with(func(u *domain.NewUser) { u.TownshipID = 10 }), wantKind: domain.ErrInvalid, wantFields: []string{"role"}},
		{name: "ErrInvalidPlatformAdminMakesHR", actor: platformAdmin, in: with(func(u *domain.NewUser) { u.Role, u.TownshipID, u.EnterpriseID = domain.RoleEnterpriseHR, 10, 7 }), wantKind: domain.ErrInvalid, wantFields: []string{"role"}},
		// The platform admin's town admin opens the township's rosters: it needs a reason.
		{name: "ErrInvalidPlatformAdminNoReason", actor: platformAdmin, in: with(func(u *domain.NewUser) { u.Role, u.TownshipID, u.Reason = domain.RoleTownAdmin, 10, " " }), wantKind: domain.ErrInvalid, wantFields: []string{"reason"}},
		{name: "ErrInvalidReasonLong", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Reason = strings.Repeat("因", domain.MaxReason+1) }), wantKind: domain.ErrInvalid, wantFields: []string{"reason"}},
		{name: "ErrInvalidUsernameShort", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Username = "ab" }), wantKind: domain.ErrInvalid, wantFields: []string{"username"}},
		{name: "ErrInvalidUsernameChinese", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Username = "李四" }), wantKind: domain.ErrInvalid, wantFields: []string{"username"}},
		{name: "ErrInvalidUsernameLeadingDot", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Username = ".lisi" }), wantKind: domain.ErrInvalid, wantFields: []string{"username"}},
		{name: "ErrInvalidPasswordShort", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Password = "1234567" }), wantKind: domain.ErrInvalid, wantFields: []string{"password"}},
		{name: "ErrInvalidNameEmpty", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Name = "\u3000" }), wantKind: domain.ErrInvalid, wantFields: []string{"name"}},
		{name: "ErrInvalidPhone", actor: townAdmin, in: with(func(u *domain.NewUser) { u.Phone = "0543-4321234" }), wantKind: domain.ErrInvalid, wantFields: []string{"phone"}},
		{
			name: "ErrInvalidAllAtOnce", actor: townAdmin,
			in:       domain.NewUser{Username: "x", Password: "x", Role: domain.RoleWorker, Phone: "123"},
			wantKind: domain.ErrInvalid, wantFields: []string{"username", "password", "name", "phone", "role"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storeless().Users
			_, err := s.Create(context.Background(), tt.actor, tt.in)
			wantErr(t, err, tt.wantKind, tt.wantFields...)
		})
	}
}

func TestUserServiceBootstrapRefuses(t *testing.T) {
	s := storeless().Users
	_, err := s.Bootstrap(context.Background(), "Root!", "short", "")
	wantErr(t, err, domain.ErrInvalid, "username", "password")
}

func TestUserServiceListForbidden(t *testing.T) {
	s := storeless().Users
	// (HR lists its own enterprise's gate accounts.)
	for _, a := range []domain.Actor{supervisor, worker} {
		t.Run(string(a.Role), func(t *testing.T) {
			_, _, err := s.List(context.Background(), a, domain.UserFilter{})
			wantErr(t, err, domain.ErrForbidden)
		})
	}
	// The platform admin lists town admins; the township's other accounts are the town's.
	for _, r := range []domain.Role{domain.RoleSupervisor, domain.RoleEnterpriseHR, domain.RolePlatformAdmin} {
		t.Run("PlatformAdminErrInvalid/"+string(r), func(t *testing.T) {
			_, _, err := s.List(context.Background(), platformAdmin, domain.UserFilter{Role: r})
			wantErr(t, err, domain.ErrInvalid, "role")
		})
	}
}

// TestPlatformAdminOutsideTenants calls every service method about a township's business as
// the platform admin, on services without stores: each must refuse with ErrForbidden before it
// reads anything (a store call would panic), so that the refusal is the same whether the
// record exists or not.
func TestPlatformAdminOutsideTenants(t *testing.T) {
	ctx := context.Background()
	ents := storeless().Enterprises
	plans := storeless().Plans
	insp := storeless().Inspections
	workers := storeless().Workers
	checkins := storeless().Checkins
	dash, reports := storeless().Dashboard, storeless().Reports
	today := domain.Date{}
	calls := map[string]func() error{
		"Enterprises.Get":    func() error { _, err := ents.Get(ctx, platformAdmin, 1); return err },
		"Enterprises.List":   func() error { _, _, err := ents.List(ctx, platformAdmin, domain.EnterpriseFilter{}); return err },
		"Enterprises.Update": func() error { _, err := ents.Update(ctx, platformAdmin, 1, domain.EnterpriseInput{}); return err },
		"Enterprises.SetSupervisors": func() error {
			_, err := ents.SetSupervisors(ctx, platformAdmin, 1, nil)
			return err
		},
		"Plans.Create":            func() error { _, err := plans.Create(ctx, platformAdmin, 1, domain.PlanContent{}); return err },
		"Plans.Get":               func() error { _, err := plans.Get(ctx, platformAdmin, 1); return err },
		"Plans.ListForEnterprise": func() error { _, _, err := plans.ListForEnterprise(ctx, platformAdmin, 1, domain.Page{}); return err },
		"Plans.Queue":             func() error { _, _, err := plans.Queue(ctx, platformAdmin, nil, domain.Page{}); return err },
		"Plans.Update":            func() error { _, err := plans.Update(ctx, platformAdmin, 1, domain.PlanContent{}); return err },
		"Plans.Submit":            func() error { _, err := plans.Submit(ctx, platformAdmin, 1); return err },
		"Plans.Approve":           func() error { _, err := plans.Approve(ctx, platformAdmin, 1, "同意"); return err },
		"Plans.Reject":            func() error { _, err := plans.Reject(ctx, platformAdmin, 1, "补充"); return err },
		"Plans.ConfirmReopening":  func() error { _, err := plans.ConfirmReopening(ctx, platformAdmin, 1, today, ""); return err },
		"Inspections.Create": func() error {
			_, _, err := insp.Create(ctx, platformAdmin, 1, domain.NewInspection{})
			return err
		},
		"Inspections.List":   func() error { _, _, _, err := insp.List(ctx, platformAdmin, 1, domain.Page{}); return err },
		"Inspections.Open":   func() error { _, _, _, err := insp.Open(ctx, platformAdmin, false, domain.Page{}); return err },
		"Workers.CanWrite":   func() error { return workers.CanWrite(ctx, platformAdmin, 1) },
		"Workers.Create":     func() error { _, _, err := workers.Create(ctx, platformAdmin, 1, domain.WorkerInput{}); return err },
		"Workers.Get":        func() error { _, _, err := workers.Get(ctx, platformAdmin, 1, false); return err },
		"Workers.List":       func() error { _, _, _, err := workers.List(ctx, platformAdmin, 1, domain.WorkerFilter{}); return err },
		"Workers.Update":     func() error { _, _, err := workers.Update(ctx, platformAdmin, 1, domain.WorkerUpdate{}); return err },
		"Workers.Import":     func() error { _, err := workers.Import(ctx, platformAdmin, 1, nil, true); return err },
		"Workers.Export":     func() error { _, _, _, err := workers.Export(ctx, platformAdmin, 1, domain.WorkerFilter{}); return err },
		"Checkins.DayStatus": func() error { _, _, err := checkins.DayStatus(ctx, platformAdmin, 1, today); return err },
		"Checkins.SubmitForWorkers": func() error {
			_, err := checkins.SubmitForWorkers(ctx, platformAdmin, 1, nil)
			return err
		},
		"Checkins.ListAlerts":  func() error { _, _, err := checkins.ListAlerts(ctx, platformAdmin, domain.AlertFilter{}); return err },
		"Checkins.Acknowledge": func() error { _, err := checkins.Acknowledge(ctx, platformAdmin, 1, ""); return err },
		"Checkins.Resolve":     func() error { _, err := checkins.Resolve(ctx, platformAdmin, 1, "已处理"); return err },
		"Dashboard.View":       func() error { _, err := dash.View(ctx, platformAdmin, domain.DashboardQuery{}); return err },
		"Dashboard.TrendView": func() error {
			_, err := dash.TrendView(ctx, platformAdmin, domain.DashboardQuery{}, today, today)
			return err
		},
		// A view the service did not make (the zero one) is refused as well.
		"Dashboard.Summary": func() error { _, err := dash.Summary(ctx, domain.DashboardView{}); return err },
		"Dashboard.Trend":   func() error { _, err := dash.Trend(ctx, domain.DashboardView{}); return err },
		"Dashboard.EnterpriseDays": func() error {
			_, err := dash.EnterpriseDays(ctx, domain.DashboardView{})
			return err
		},
		"Dashboard.Watch":  func() error { _, err := dash.Watch(ctx, platformAdmin, domain.DashboardQuery{}); return err },
		"Reports.Township": func() error { _, err := reports.Township(ctx, platformAdmin); return err },
		"Reports.Daily":    func() error { _, err := reports.DailyReport(ctx, platformAdmin, today); return err },
		"Reports.Range": func() error {
			return reports.RangeReport(ctx, platformAdmin, today, today, func(domain.RangeRow) error { return nil })
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantErr(t, call(), domain.ErrForbidden)
		})
	}
}

func TestEnterpriseServiceCreateRefuses(t *testing.T) {
	// Every case leaves the zone out, which fails without reading the township, so that the
	// service never reaches its (absent) stores.
	valid := domain.EnterpriseInput{
		Name: ptr("滨州长山纺织有限公司"), CreditCode: ptr("91350100M000100Y43"), Industry: ptr("纺织"),
		Address: ptr("长山镇工业园 8 号"), ContactName: ptr("王芳"), ContactPhone: ptr("13812345678"),
		Headcount: ptr(120),
	}
	with := func(change func(*domain.EnterpriseInput)) domain.EnterpriseInput {
		in := valid
		change(&in)
		return in
	}
	tests := []struct {
		name       string
		actor      domain.Actor
		in         domain.EnterpriseInput
		wantKind   error
		wantFields []string
	}{
		{name: "ErrForbiddenPlatformAdmin", actor: platformAdmin, in: valid, wantKind: domain.ErrForbidden},
		{name: "ErrForbiddenSupervisor", actor: supervisor, in: valid, wantKind: domain.ErrForbidden},
		{name: "ErrForbiddenHR", actor: hr, in: valid, wantKind: domain.ErrForbidden},
		{name: "ErrInvalidEmpty", actor: townAdmin, in: domain.EnterpriseInput{}, wantKind: domain.ErrInvalid,
			wantFields: []string{"name", "credit_code", "industry", "zone", "contact_name", "contact_phone"}},
		{name: "ErrInvalidOnlyZone", actor: townAdmin, in: valid, wantKind: domain.ErrInvalid, wantFields: []string{"zone"}},
		{name: "LandlineAccepted", actor: townAdmin, in: with(func(in *domain.EnterpriseInput) { in.ContactPhone = ptr("0543-4321234") }),
			wantKind: domain.ErrInvalid, wantFields: []string{"zone"}},
		{name: "MobileWithCountryCodeAccepted", actor: townAdmin, in: with(func(in *domain.EnterpriseInput) { in.ContactPhone = ptr("+86 138 1234 5678") }),
			wantKind: domain.ErrInvalid, wantFields: []string{"zone"}},
		{name: "ErrInvalidContactPhone", actor: townAdmin, in: with(func(in *domain.EnterpriseInput) { in.ContactPhone = ptr("4321234") }),
			wantKind: domain.ErrInvalid, wantFields: []string{"zone", "contact_phone"}},
		{name: "ErrInvalidCreditCode", actor: townAdmin, in: with(func(in *domain.EnterpriseInput) { in.CreditCode = ptr("91350100M000100Y44") }),
			wantKind: domain.ErrInvalid, wantFields: []string{"zone", "credit_code"}},
		{name: "ErrInvalidHeadcount", actor: townAdmin, in: with(func(in *domain.EnterpriseInput) { in.Headcount = ptr(-1) }),
			wantKind: domain.ErrInvalid, wantFields: []string{"zone", "headcount"}},
		{name: "ErrInvalidLongFields", actor: townAdmin, in: with(func(in *domain.EnterpriseInput) {
			in.Name = ptr(strings.Repeat("厂", 81))
			in.Address = ptr(strings.Repeat("路", 121))
			in.Industry = ptr(strings.Repeat("业", 31))
		}), wantKind: domain.ErrInvalid, wantFields: []string{"zone", "name", "address", "industry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storeless().Enterprises
			_, err := s.Create(context.Background(), tt.actor, tt.in)
			wantErr(t, err, tt.wantKind, tt.wantFields...)
		})
	}
}

func TestEnterpriseServiceForbidden(t *testing.T) {
	s := storeless().Enterprises
	ctx := context.Background()
	for _, a := range []domain.Actor{platformAdmin, supervisor, hr} {
		t.Run("SetSupervisors/"+string(a.Role), func(t *testing.T) {
			_, err := s.SetSupervisors(ctx, a, 1, []int64{3})
			wantErr(t, err, domain.ErrForbidden)
		})
	}
	t.Run("ListWorker", func(t *testing.T) {
		_, _, err := s.List(ctx, worker, domain.EnterpriseFilter{})
		wantErr(t, err, domain.ErrForbidden)
	})
}

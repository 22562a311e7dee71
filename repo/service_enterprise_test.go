package repo_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

var loginCodeRe = regexp.MustCompile(`^[0-9]{6}$`)

func TestEnterpriseServiceCreate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		tw, admin := e.township(t, "371626104", "一区", "二区")
		_, adminB := e.township(t, "371626105", "一区")
		count := func(t *testing.T) int {
			t.Helper()
			_, total, err := e.enterprises.List(ctx, admin.Actor(), domain.EnterpriseFilter{})
			must(t, err)
			return total
		}

		t.Run("OK", func(t *testing.T) {
			in := enterpriseInput(" 滨州长山纺织有限公司 ", "\u300091350100m000100y43 ", "二区")
			in.ContactPhone = ptr("+86 138-1234-5678")
			got, err := e.enterprises.Create(ctx, admin.Actor(), in)
			must(t, err)
			if got.ID == 0 || got.TownshipID != tw.ID || got.Name != "滨州长山纺织有限公司" || got.CreditCode != "91350100M000100Y43" {
				t.Errorf("got %+v, want it in township %d with cleaned name and code", got, tw.ID)
			}
			if got.Zone != "二区" || got.ZoneID != tw.Zones[1].ID || got.Status != domain.StatusNotApplied || got.ContactPhone != "13812345678" || got.Headcount != 100 {
				t.Errorf("got %+v, want zone 二区, status not_applied, normalised phone", got)
			}
			if !loginCodeRe.MatchString(got.Code) {
				t.Errorf("got login code %q, want 6 digits", got.Code)
			}
			if got.Supervisors == nil || len(got.Supervisors) != 0 {
				t.Errorf("got supervisors %v, want an empty list", got.Supervisors)
			}
		})
		t.Run("LoginCodesUnique", func(t *testing.T) {
			seen := map[string]bool{}
			for i := range 12 {
				got := e.enterprise(t, admin.Actor(), "企业", 100+i, "一区")
				if !loginCodeRe.MatchString(got.Code) {
					t.Errorf("got login code %q, want 6 digits", got.Code)
				}
				if seen[got.Code] {
					t.Errorf("got login code %q twice, want unique codes", got.Code)
				}
				seen[got.Code] = true
				taken, err := e.stores.Enterprises.CodeTaken(ctx, got.Code)
				must(t, err)
				if !taken {
					t.Errorf("got CodeTaken(%q) false, want true", got.Code)
				}
			}
		})
		before := count(t)
		t.Run("ErrInvalidCreditCode", func(t *testing.T) {
			_, err := e.enterprises.Create(ctx, admin.Actor(), enterpriseInput("坏代码厂", "91350100M000100Y44", "一区"))
			wantErr(t, err, domain.ErrInvalid, "credit_code")
			if got := count(t); got != before {
				t.Errorf("got %d enterprises, want %d", got, before)
			}
		})
		t.Run("ErrInvalidUnknownZone", func(t *testing.T) {
			_, err := e.enterprises.Create(ctx, admin.Actor(), enterpriseInput("无区厂", creditCode(900), "九区"))
			wantErr(t, err, domain.ErrInvalid, "zone")
			if got := count(t); got != before {
				t.Errorf("got %d enterprises, want %d", got, before)
			}
		})
		t.Run("ErrInvalidSeveral", func(t *testing.T) {
			in := enterpriseInput("厂", "91350100M000100Y4", "九区")
			in.ContactPhone, in.Headcount = ptr("12345"), ptr(-3)
			_, err := e.enterprises.Create(ctx, admin.Actor(), in)
			wantErr(t, err, domain.ErrInvalid, "name", "credit_code", "zone", "contact_phone", "headcount")
		})
		t.Run("ErrConflictCreditCode", func(t *testing.T) {
			_, err := e.enterprises.Create(ctx, admin.Actor(), enterpriseInput("重复厂", "91350100M000100Y43", "一区"))
			wantErr(t, err, domain.ErrConflict, "credit_code")
			if got := count(t); got != before {
				t.Errorf("got %d enterprises, want %d", got, before)
			}
		})
		t.Run("SameCreditCodeOtherTownship", func(t *testing.T) {
			got, err := e.enterprises.Create(ctx, adminB.Actor(), enterpriseInput("滨州长山纺织有限公司", "91350100M000100Y43", "一区"))
			must(t, err)
			if got.TownshipID != adminB.TownshipID {
				t.Errorf("got township %d, want %d", got.TownshipID, adminB.TownshipID)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			sup := e.staff(t, admin.Actor(), domain.RoleSupervisor, "sup-1", 0)
			for _, a := range []domain.Actor{sup.Actor(), e.platform} {
				_, err := e.enterprises.Create(ctx, a, enterpriseInput("越权厂", creditCode(901), "一区"))
				wantErr(t, err, domain.ErrForbidden)
			}
			if got := count(t); got != before {
				t.Errorf("got %d enterprises, want %d", got, before)
			}
		})
	})
}

// scopeFixture is two townships: A with two enterprises, a supervisor of the first and its HR;
// B with one enterprise and its own supervisor.
type scopeFixture struct {
	adminA, adminB     domain.User
	entA1, entA2, entB domain.Enterprise
	supA, supB, hrA    domain.User
}

func newScopeFixture(t *testing.T, e *env) scopeFixture {
	t.Helper()
	var f scopeFixture
	_, f.adminA = e.township(t, "371626104", "一区", "二区")
	_, f.adminB = e.township(t, "371626105", "一区")
	f.entA1 = e.enterprise(t, f.adminA.Actor(), "甲厂", 1, "一区")
	f.entA2 = e.enterprise(t, f.adminA.Actor(), "乙厂", 2, "二区")
	f.entB = e.enterprise(t, f.adminB.Actor(), "丙厂", 3, "一区")
	f.supA = e.staff(t, f.adminA.Actor(), domain.RoleSupervisor, "sup-a", 0)
	f.supB = e.staff(t, f.adminB.Actor(), domain.RoleSupervisor, "sup-b", 0)
	f.hrA = e.staff(t, f.adminA.Actor(), domain.RoleEnterpriseHR, "hr-a", f.entA1.ID)
	var err error
	f.entA1, err = e.enterprises.SetSupervisors(context.Background(), f.adminA.Actor(), f.entA1.ID, []int64{f.supA.ID})
	must(t, err)
	return f
}

func TestEnterpriseServiceScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		f := newScopeFixture(t, e)

		list := []struct {
			name  string
			actor domain.Actor
			f     domain.EnterpriseFilter
			want  []int64
		}{
			{name: "TownAdminA", actor: f.adminA.Actor(), want: []int64{f.entA1.ID, f.entA2.ID}},
			{name: "TownAdminB", actor: f.adminB.Actor(), want: []int64{f.entB.ID}},
			{name: "TownAdminBAsksForA", actor: f.adminB.Actor(), f: domain.EnterpriseFilter{TownshipID: f.adminA.TownshipID}, want: []int64{f.entB.ID}},
			{name: "TownAdminBAsksForAByID", actor: f.adminB.Actor(), f: domain.EnterpriseFilter{ID: f.entA1.ID}, want: []int64{}},
			{name: "SupervisorAssigned", actor: f.supA.Actor(), want: []int64{f.entA1.ID}},
			{name: "SupervisorUnassigned", actor: f.supB.Actor(), want: []int64{}},
			{name: "SupervisorAsksForOthers", actor: f.supA.Actor(), f: domain.EnterpriseFilter{SupervisorID: f.supB.ID}, want: []int64{f.entA1.ID}},
			{name: "HR", actor: f.hrA.Actor(), want: []int64{f.entA1.ID}},
			{name: "HRAsksForAnother", actor: f.hrA.Actor(), f: domain.EnterpriseFilter{ID: f.entA2.ID}, want: []int64{f.entA1.ID}},
		}
		for _, tt := range list {
			t.Run("List/"+tt.name, func(t *testing.T) {
				got, total, err := e.enterprises.List(ctx, tt.actor, tt.f)
				must(t, err)
				if g := ids(got, enterpriseID); !slices.Equal(g, tt.want) {
					t.Errorf("got %v, want %v", g, tt.want)
				}
				if total != len(tt.want) {
					t.Errorf("got total %d, want %d", total, len(tt.want))
				}
			})
		}

		get := []struct {
			name  string
			actor domain.Actor
			id    int64
			ok    bool
		}{
			{name: "TownAdminOwn", actor: f.adminA.Actor(), id: f.entA1.ID, ok: true},
			{name: "TownAdminOtherTownship", actor: f.adminB.Actor(), id: f.entA1.ID},
			{name: "SupervisorAssigned", actor: f.supA.Actor(), id: f.entA1.ID, ok: true},
			{name: "SupervisorUnassigned", actor: f.supA.Actor(), id: f.entA2.ID},
			{name: "HROwn", actor: f.hrA.Actor(), id: f.entA1.ID, ok: true},
			{name: "HROther", actor: f.hrA.Actor(), id: f.entA2.ID},
			{name: "Missing", actor: f.adminA.Actor(), id: 4242},
		}
		// The platform admin reads no township's enterprises: refused as a role, for one that
		// exists and one that does not alike.
		t.Run("List/ErrForbiddenPlatformAdmin", func(t *testing.T) {
			_, _, err := e.enterprises.List(ctx, e.platform, domain.EnterpriseFilter{})
			wantErr(t, err, domain.ErrForbidden)
		})
		for _, id := range []int64{f.entB.ID, 4242} {
			t.Run(fmt.Sprintf("Get/ErrForbiddenPlatformAdmin%d", id), func(t *testing.T) {
				_, err := e.enterprises.Get(ctx, e.platform, id)
				wantErr(t, err, domain.ErrForbidden)
			})
		}
		for _, tt := range get {
			t.Run("Get/"+tt.name, func(t *testing.T) {
				got, err := e.enterprises.Get(ctx, tt.actor, tt.id)
				if !tt.ok {
					wantErr(t, err, domain.ErrNotFound)
					return
				}
				must(t, err)
				if got.ID != tt.id {
					t.Errorf("got %d, want %d", got.ID, tt.id)
				}
			})
		}

		t.Run("OtherTownshipUpdateErrNotFound", func(t *testing.T) {
			_, err := e.enterprises.Update(ctx, f.adminB.Actor(), f.entA1.ID, domain.EnterpriseInput{Address: ptr("被改了")})
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("OtherTownshipSetSupervisorsErrNotFound", func(t *testing.T) {
			_, err := e.enterprises.SetSupervisors(ctx, f.adminB.Actor(), f.entA1.ID, []int64{f.supB.ID})
			wantErr(t, err, domain.ErrNotFound)
			_, err = e.enterprises.SetSupervisors(ctx, f.adminB.Actor(), f.entA1.ID, nil)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("OtherTownshipChangedNothing", func(t *testing.T) {
			got, err := e.enterprises.Get(ctx, f.adminA.Actor(), f.entA1.ID)
			must(t, err)
			if !equalEnterprise(got, f.entA1) {
				t.Errorf("got %+v, want unchanged %+v", got, f.entA1)
			}
		})
		t.Run("SupervisorUpdateErrForbidden", func(t *testing.T) {
			_, err := e.enterprises.Update(ctx, f.supA.Actor(), f.entA1.ID, domain.EnterpriseInput{Address: ptr("被改了")})
			wantErr(t, err, domain.ErrForbidden)
		})
		t.Run("PlatformAdminUpdateErrForbidden", func(t *testing.T) {
			_, err := e.enterprises.Update(ctx, e.platform, f.entA1.ID, domain.EnterpriseInput{Address: ptr("被改了")})
			wantErr(t, err, domain.ErrForbidden)
		})
		t.Run("HRUpdateOtherErrNotFound", func(t *testing.T) {
			_, err := e.enterprises.Update(ctx, f.hrA.Actor(), f.entA2.ID, domain.EnterpriseInput{Address: ptr("被改了")})
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("HRUpdateCreditCodeErrForbidden", func(t *testing.T) {
			_, err := e.enterprises.Update(ctx, f.hrA.Actor(), f.entA1.ID, domain.EnterpriseInput{
				CreditCode: ptr(creditCode(50)), Address: ptr("新地址"),
			})
			wantErr(t, err, domain.ErrForbidden, "credit_code")
			_, err = e.enterprises.Update(ctx, f.hrA.Actor(), f.entA1.ID, domain.EnterpriseInput{
				Name: ptr("新名字"), Zone: ptr("二区"), Industry: ptr("化工"),
			})
			wantErr(t, err, domain.ErrForbidden, "name", "zone", "industry")
			got, err := e.enterprises.Get(ctx, f.hrA.Actor(), f.entA1.ID)
			must(t, err)
			if !equalEnterprise(got, f.entA1) {
				t.Errorf("got %+v, want unchanged %+v", got, f.entA1)
			}
		})
		t.Run("HRUpdateContactOK", func(t *testing.T) {
			got, err := e.enterprises.Update(ctx, f.hrA.Actor(), f.entA1.ID, domain.EnterpriseInput{
				Address: ptr(" 长山镇工业园 9 号 "), ContactName: ptr("赵六"), ContactPhone: ptr("0543-4321234"), Headcount: ptr(150),
			})
			must(t, err)
			if got.Address != "长山镇工业园 9 号" || got.ContactName != "赵六" || got.ContactPhone != "0543-4321234" || got.Headcount != 150 {
				t.Errorf("got %+v, want the contact fields changed", got)
			}
			if got.Name != f.entA1.Name || got.CreditCode != f.entA1.CreditCode || got.Zone != f.entA1.Zone {
				t.Errorf("got %+v, want identity and zone kept", got)
			}
		})
		t.Run("HRUpdateErrInvalid", func(t *testing.T) {
			_, err := e.enterprises.Update(ctx, f.hrA.Actor(), f.entA1.ID, domain.EnterpriseInput{Headcount: ptr(-1)})
			wantErr(t, err, domain.ErrInvalid, "headcount")
		})
	})
}

func TestEnterpriseServiceUpdate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		tw, admin := e.township(t, "371626104", "一区", "二区")
		first := e.enterprise(t, admin.Actor(), "甲厂", 1, "一区")
		second := e.enterprise(t, admin.Actor(), "乙厂", 2, "一区")

		t.Run("OK", func(t *testing.T) {
			got, err := e.enterprises.Update(ctx, admin.Actor(), second.ID, domain.EnterpriseInput{
				Name: ptr("乙厂新名"), Zone: ptr("二区"), Industry: ptr("食品"), CreditCode: ptr(creditCode(20)),
			})
			must(t, err)
			if got.Name != "乙厂新名" || got.Zone != "二区" || got.ZoneID != tw.Zones[1].ID || got.Industry != "食品" || string(got.CreditCode) != creditCode(20) {
				t.Errorf("got %+v, want the fields changed", got)
			}
			if got.Code != second.Code || got.ContactName != second.ContactName {
				t.Errorf("got %+v, want the login code and unset fields kept", got)
			}
		})
		t.Run("OwnCreditCodeAgain", func(t *testing.T) {
			got, err := e.enterprises.Update(ctx, admin.Actor(), first.ID, domain.EnterpriseInput{CreditCode: ptr(string(first.CreditCode))})
			must(t, err)
			if got.CreditCode != first.CreditCode {
				t.Errorf("got %s, want %s", got.CreditCode, first.CreditCode)
			}
		})
		t.Run("ErrConflictCreditCode", func(t *testing.T) {
			_, err := e.enterprises.Update(ctx, admin.Actor(), second.ID, domain.EnterpriseInput{CreditCode: ptr(string(first.CreditCode))})
			wantErr(t, err, domain.ErrConflict, "credit_code")
		})
		t.Run("ErrInvalidZone", func(t *testing.T) {
			_, err := e.enterprises.Update(ctx, admin.Actor(), second.ID, domain.EnterpriseInput{Zone: ptr("九区")})
			wantErr(t, err, domain.ErrInvalid, "zone")
			got, err := e.enterprises.Get(ctx, admin.Actor(), second.ID)
			must(t, err)
			if got.Zone != "二区" {
				t.Errorf("got zone %q, want 二区 kept", got.Zone)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := e.enterprises.Update(ctx, admin.Actor(), 4242, domain.EnterpriseInput{Address: ptr("x")})
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}

func TestEnterpriseServiceSetSupervisors(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		f := newScopeFixture(t, e)
		admin := f.adminA.Actor()
		sup2 := e.staff(t, admin, domain.RoleSupervisor, "sup-a2", 0)
		disabled := e.staff(t, admin, domain.RoleSupervisor, "sup-off", 0)
		if _, err := e.users.Update(ctx, admin, disabled.ID, domain.UserUpdate{Active: ptr(false)}); err != nil {
			t.Fatalf("disable supervisor: %v", err)
		}
		supervisors := func(t *testing.T) []int64 {
			t.Helper()
			got, err := e.enterprises.Get(ctx, admin, f.entA2.ID)
			must(t, err)
			return ids(got.Supervisors, func(r domain.UserRef) int64 { return r.ID })
		}

		t.Run("OK", func(t *testing.T) {
			got, err := e.enterprises.SetSupervisors(ctx, admin, f.entA2.ID, []int64{sup2.ID, f.supA.ID, sup2.ID})
			must(t, err)
			want := []domain.UserRef{{ID: f.supA.ID, Username: "sup-a", Name: f.supA.Name}, {ID: sup2.ID, Username: "sup-a2", Name: sup2.Name}}
			if !slices.Equal(got.Supervisors, want) {
				t.Errorf("got %v, want %v", got.Supervisors, want)
			}
			list, _, err := e.enterprises.List(ctx, sup2.Actor(), domain.EnterpriseFilter{})
			must(t, err)
			if g := ids(list, enterpriseID); !slices.Equal(g, []int64{f.entA2.ID}) {
				t.Errorf("supervisor 2 sees %v, want [%d]", g, f.entA2.ID)
			}
		})
		reject := []struct {
			name string
			id   int64
		}{
			{name: "OtherTownshipSupervisor", id: f.supB.ID},
			{name: "DisabledSupervisor", id: disabled.ID},
			{name: "TownAdmin", id: f.adminA.ID},
			{name: "HR", id: f.hrA.ID},
			{name: "Missing", id: 4242},
		}
		for _, tt := range reject {
			t.Run("ErrInvalid"+tt.name, func(t *testing.T) {
				_, err := e.enterprises.SetSupervisors(ctx, admin, f.entA2.ID, []int64{sup2.ID, tt.id})
				wantErr(t, err, domain.ErrInvalid, "user_ids[1]")
				if got := supervisors(t); !slices.Equal(got, []int64{f.supA.ID, sup2.ID}) {
					t.Errorf("got %v, want the assignment unchanged", got)
				}
			})
		}
		t.Run("Clear", func(t *testing.T) {
			got, err := e.enterprises.SetSupervisors(ctx, admin, f.entA2.ID, nil)
			must(t, err)
			if len(got.Supervisors) != 0 {
				t.Errorf("got %v, want none", got.Supervisors)
			}
			_, err = e.enterprises.Get(ctx, sup2.Actor(), f.entA2.ID)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := e.enterprises.SetSupervisors(ctx, admin, 4242, []int64{sup2.ID})
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}

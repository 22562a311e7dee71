package repo_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestTownshipServiceCreate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		in := domain.NewTownship{
			Name: " 长山镇 ", Code: "371626104", Population: 73000,
			Zones:         []string{"第一责任区", "\u3000第二责任区"},
			AdminUsername: " Admin.CS ", AdminPassword: password,
		}
		townships := func(t *testing.T) int {
			t.Helper()
			_, total, err := e.townships.List(ctx, e.platform, domain.Page{})
			must(t, err)
			return total
		}

		var tw domain.Township
		t.Run("OK", func(t *testing.T) {
			var err error
			tw, err = e.townships.Create(ctx, e.platform, in)
			must(t, err)
			if tw.ID == 0 || tw.Name != "长山镇" || tw.Code != "371626104" || tw.Population != 73000 || tw.Timezone != "Asia/Shanghai" {
				t.Errorf("got %+v, want the cleaned fields and the default timezone", tw)
			}
			if !reflect.DeepEqual(tw.Policy, domain.DefaultPolicy) {
				t.Errorf("got policy %+v, want %+v", tw.Policy, domain.DefaultPolicy)
			}
			if got := zoneNames(tw); !slices.Equal(got, []string{"第一责任区", "第二责任区"}) {
				t.Errorf("got zones %v, want them cleaned and in order", got)
			}
			admin, err := e.stores.Users.GetByUsername(ctx, "admin.cs")
			must(t, err)
			if admin.Role != domain.RoleTownAdmin || admin.TownshipID != tw.ID || !admin.Active || admin.Name != "长山镇管理员" || admin.TownshipName != "长山镇" {
				t.Errorf("got admin %+v, want an active town admin of %d named 长山镇管理员", admin, tw.ID)
			}
			s, err := e.auth.Login(ctx, "admin.cs", password, "10.0.0.1")
			must(t, err)
			if s.User.ID != admin.ID {
				t.Errorf("got user %d signed in, want %d", s.User.ID, admin.ID)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			admin, err := e.stores.Users.GetByUsername(ctx, "admin.cs")
			must(t, err)
			next := in
			next.Code, next.AdminUsername = "371626105", "admin.next"
			_, err = e.townships.Create(ctx, admin.Actor(), next)
			wantErr(t, err, domain.ErrForbidden)
			if got := townships(t); got != 1 {
				t.Errorf("got %d townships, want 1", got)
			}
		})
		t.Run("ErrConflictAdminUsernameLeavesNoTownship", func(t *testing.T) {
			usersBefore := rows(t, db, "users")
			next := in
			next.Name, next.Code, next.AdminUsername = "黛溪街道", "371626001", "ADMIN.cs"
			_, err := e.townships.Create(ctx, e.platform, next)
			wantErr(t, err, domain.ErrConflict, "admin_username")
			if got := townships(t); got != 1 {
				t.Fatalf("got %d townships, want 1: the township must roll back with its admin", got)
			}
			for table, want := range map[string]int{"townships": 1, "zones": 2, "users": usersBefore} {
				if got := rows(t, db, table); got != want {
					t.Errorf("got %d rows in %s, want %d", got, table, want)
				}
			}
			// The code is still free, which it would not be if the township had been kept.
			next.AdminUsername = "admin.dx"
			got, err := e.townships.Create(ctx, e.platform, next)
			must(t, err)
			if got.Code != "371626001" {
				t.Errorf("got code %q, want 371626001", got.Code)
			}
		})
		t.Run("ErrConflictCode", func(t *testing.T) {
			next := in
			next.AdminUsername = "admin.other"
			_, err := e.townships.Create(ctx, e.platform, next)
			wantErr(t, err, domain.ErrConflict, "code")
			_, err = e.stores.Users.GetByUsername(ctx, "admin.other")
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			next := in
			next.Code, next.Zones, next.AdminUsername = "3716", []string{"一区", "一区"}, "admin.bad"
			_, err := e.townships.Create(ctx, e.platform, next)
			wantErr(t, err, domain.ErrInvalid, "code", "zones[1]")
			if got := townships(t); got != 2 {
				t.Errorf("got %d townships, want 2", got)
			}
		})
	})
}

func TestTownshipServiceUpdateValidation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		tw, admin := e.township(t, "371626104", "一区", "二区")
		areas := func(a ...domain.KeyArea) *[]domain.KeyArea { return &a }
		zones := func(z ...string) *[]string { return &z }
		tests := []struct {
			name       string
			u          domain.TownshipUpdate
			wantFields []string
		}{
			{name: "FeverThresholdLow", u: domain.TownshipUpdate{FeverThreshold: ptr(36.9)}, wantFields: []string{"fever_threshold"}},
			{name: "FeverThresholdHigh", u: domain.TownshipUpdate{FeverThreshold: ptr(38.6)}, wantFields: []string{"fever_threshold"}},
			{name: "IsolationDaysZero", u: domain.TownshipUpdate{IsolationDays: ptr(0)}, wantFields: []string{"isolation_days"}},
			{name: "IsolationDaysTooMany", u: domain.TownshipUpdate{IsolationDays: ptr(29)}, wantFields: []string{"isolation_days"}},
			{name: "CutoffAMHour", u: domain.TownshipUpdate{CutoffAM: ptr("24:00")}, wantFields: []string{"checkin_cutoff_am"}},
			{name: "CutoffAMFormat", u: domain.TownshipUpdate{CutoffAM: ptr("9:00")}, wantFields: []string{"checkin_cutoff_am"}},
			{name: "CutoffPMMinute", u: domain.TownshipUpdate{CutoffPM: ptr("16:60")}, wantFields: []string{"checkin_cutoff_pm"}},
			{name: "CutoffPMBeforeAM", u: domain.TownshipUpdate{CutoffPM: ptr("09:30")}, wantFields: []string{"checkin_cutoff_pm"}},
			{name: "CutoffPMEqualsAM", u: domain.TownshipUpdate{CutoffAM: ptr("12:00"), CutoffPM: ptr("12:00")}, wantFields: []string{"checkin_cutoff_pm"}},
			{name: "KeyAreaRegionCode", u: domain.TownshipUpdate{KeyAreas: areas(domain.KeyArea{RegionCode: "4201", RiskLevel: domain.RiskHigh})}, wantFields: []string{"key_areas[0].region_code"}},
			{name: "KeyAreaRegionCodeLeadingNine", u: domain.TownshipUpdate{KeyAreas: areas(domain.KeyArea{RegionCode: "920100", RiskLevel: domain.RiskHigh})}, wantFields: []string{"key_areas[0].region_code"}},
			{name: "KeyAreaUnknownRegion", u: domain.TownshipUpdate{KeyAreas: areas(domain.KeyArea{RegionCode: "420110", RiskLevel: domain.RiskHigh})}, wantFields: []string{"key_areas[0].region_code"}},
			{name: "KeyAreaDuplicate", u: domain.TownshipUpdate{KeyAreas: areas(
				domain.KeyArea{RegionCode: "420100", RiskLevel: domain.RiskHigh},
				domain.KeyArea{RegionCode: " 420100", RiskLevel: domain.RiskLow},
			)}, wantFields: []string{"key_areas[1].region_code"}},
			{name: "KeyAreaRiskLevel", u: domain.TownshipUpdate{KeyAreas: areas(domain.KeyArea{RegionCode: "420100", RiskLevel: "severe"})}, wantFields: []string{"key_areas[0].risk_level"}},
			{name: "ZoneDuplicate", u: domain.TownshipUpdate{Zones: zones("一区", "一区")}, wantFields: []string{"zones[1]"}},
			{name: "ZoneEmpty", u: domain.TownshipUpdate{Zones: zones("一区", "\u3000")}, wantFields: []string{"zones[1]"}},
			{name: "Name", u: domain.TownshipUpdate{Name: ptr("镇")}, wantFields: []string{"name"}},
			{name: "Timezone", u: domain.TownshipUpdate{Timezone: ptr("Asia/Atlantis")}, wantFields: []string{"timezone"}},
			{name: "Population", u: domain.TownshipUpdate{Population: ptr(-5)}, wantFields: []string{"population"}},
			{name: "Several", u: domain.TownshipUpdate{
				FeverThreshold: ptr(39.0), IsolationDays: ptr(-1), CutoffAM: ptr("ten"),
				KeyAreas: areas(domain.KeyArea{RegionCode: "x", RiskLevel: domain.RiskLow}), Zones: zones("", "二区"),
			}, wantFields: []string{"fever_threshold", "isolation_days", "checkin_cutoff_am", "key_areas[0].region_code", "zones[0]"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.townships.Update(ctx, admin.Actor(), tw.ID, tt.u)
				wantErr(t, err, domain.ErrInvalid, tt.wantFields...)
				got, err := e.townships.Get(ctx, admin.Actor(), tw.ID)
				must(t, err)
				if !reflect.DeepEqual(got, tw) {
					t.Errorf("got %+v, want the township unchanged %+v", got, tw)
				}
			})
		}
	})
}

func TestTownshipServiceUpdate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		tw, admin := e.township(t, "371626104", "一区", "二区")
		other, otherAdmin := e.township(t, "371626105", "一区")
		z1, z2 := tw.Zones[0].ID, tw.Zones[1].ID

		t.Run("OK", func(t *testing.T) {
			got, err := e.townships.Update(ctx, admin.Actor(), tw.ID, domain.TownshipUpdate{
				Name: ptr(" 长山镇 "), FeverThreshold: ptr(37.5), IsolationDays: ptr(21),
				CutoffAM: ptr("09:00"), CutoffPM: ptr("15:30"),
				KeyAreas: &[]domain.KeyArea{{RegionCode: " 420100 ", RiskLevel: domain.RiskHigh}, {RegionCode: "310000", RiskLevel: domain.RiskLow}},
				Zones:    &[]string{"二区", "一区", "三区"},
			})
			must(t, err)
			if got.Name != "长山镇" || got.Population != tw.Population || got.Code != tw.Code {
				t.Errorf("got %+v, want the name changed and the rest kept", got)
			}
			if want := (domain.Policy{FeverThreshold: 37.5, IsolationDays: 21, CutoffAM: "09:00", CutoffPM: "15:30", IsolationLevels: domain.DefaultPolicy.IsolationLevels, RetentionDays: 180, SpotCheckPercent: 10,
				RemindMinutes: 30, SummaryAt: "08:30", FeverAdvice: domain.DefaultFeverAdvice}); !reflect.DeepEqual(got.Policy, want) {
				t.Errorf("got policy %+v, want %+v", got.Policy, want)
			}
			wantAreas := []domain.KeyArea{{RegionCode: "310000", RiskLevel: domain.RiskLow}, {RegionCode: "420100", RiskLevel: domain.RiskHigh}}
			if !slices.Equal(got.KeyAreas, wantAreas) {
				t.Errorf("got key areas %v, want %v", got.KeyAreas, wantAreas)
			}
			if names := zoneNames(got); !slices.Equal(names, []string{"二区", "一区", "三区"}) {
				t.Fatalf("got zones %v, want [二区 一区 三区]", names)
			}
			if got.Zones[0].ID != z2 || got.Zones[1].ID != z1 || got.Zones[2].ID == 0 {
				t.Errorf("got zone IDs %v, want %d, %d kept and a new one", got.Zones, z2, z1)
			}
		})
		t.Run("OnlyPolicy", func(t *testing.T) {
			got, err := e.townships.Update(ctx, admin.Actor(), tw.ID, domain.TownshipUpdate{IsolationDays: ptr(14)})
			must(t, err)
			if got.Policy.IsolationDays != 14 || got.Policy.FeverThreshold != 37.5 || len(got.KeyAreas) != 2 || len(got.Zones) != 3 {
				t.Errorf("got %+v, want only isolation days changed", got)
			}
		})
		t.Run("ErrConflictZoneInUse", func(t *testing.T) {
			ent := e.enterprise(t, admin.Actor(), "长山纺织", 1, "一区")
			before, err := e.townships.Get(ctx, admin.Actor(), tw.ID)
			must(t, err)
			_, err = e.townships.Update(ctx, admin.Actor(), tw.ID, domain.TownshipUpdate{
				FeverThreshold: ptr(37.2), Zones: &[]string{"二区", "三区"},
			})
			wantErr(t, err, domain.ErrConflict, "zones")
			after, err := e.townships.Get(ctx, admin.Actor(), tw.ID)
			must(t, err)
			if !reflect.DeepEqual(after, before) {
				t.Errorf("got %+v, want unchanged %+v", after, before)
			}
			got, err := e.enterprises.Get(ctx, admin.Actor(), ent.ID)
			must(t, err)
			if got.Zone != "一区" || got.ZoneID != z1 {
				t.Errorf("got zone %q %d, want the enterprise still in 一区 %d", got.Zone, got.ZoneID, z1)
			}
		})
		t.Run("RemoveEmptyZone", func(t *testing.T) {
			got, err := e.townships.Update(ctx, admin.Actor(), tw.ID, domain.TownshipUpdate{Zones: &[]string{"一区", "二区"}})
			must(t, err)
			want := []domain.Zone{{ID: z1, Name: "一区", Enterprises: 1}, {ID: z2, Name: "二区"}}
			if !slices.Equal(got.Zones, want) {
				t.Errorf("got %v, want %v", got.Zones, want)
			}
		})
		t.Run("ErrNotFoundOtherTownship", func(t *testing.T) {
			_, err := e.townships.Update(ctx, otherAdmin.Actor(), tw.ID, domain.TownshipUpdate{Name: ptr("被改了")})
			wantErr(t, err, domain.ErrNotFound)
			_, err = e.townships.Get(ctx, otherAdmin.Actor(), tw.ID)
			wantErr(t, err, domain.ErrNotFound)
			got, err := e.townships.Get(ctx, admin.Actor(), tw.ID)
			must(t, err)
			if got.Name != "长山镇" {
				t.Errorf("got name %q, want 长山镇", got.Name)
			}
		})
		t.Run("PlatformAdmin", func(t *testing.T) {
			got, err := e.townships.Update(ctx, e.platform, other.ID, domain.TownshipUpdate{Population: ptr(12345)})
			must(t, err)
			if got.Population != 12345 {
				t.Errorf("got population %d, want 12345", got.Population)
			}
		})
		t.Run("ErrForbiddenSupervisor", func(t *testing.T) {
			sup := e.staff(t, admin.Actor(), domain.RoleSupervisor, "sup-1", 0)
			_, err := e.townships.Update(ctx, sup.Actor(), tw.ID, domain.TownshipUpdate{Name: ptr("被改了")})
			wantErr(t, err, domain.ErrForbidden)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := e.townships.Update(ctx, e.platform, 4242, domain.TownshipUpdate{Name: ptr("不存在的镇")})
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}

package repo_test

import (
	"context"
	"slices"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestUserStoreCreateGet(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.UserStore{DB: db}
		tw := storeTownship(t, db, "371626104", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{
			TownshipID: tw.ID, Code: "100001", Name: "长山纺织", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID,
		})
		root := storeUser(t, db, domain.User{Username: "root", Role: domain.RolePlatformAdmin})
		in := domain.User{
			Username: "wang.fang", Name: "王芳", Phone: "13812345678", Role: domain.RoleEnterpriseHR,
			TownshipID: tw.ID, EnterpriseID: ent.ID, Active: true, PasswordHash: "$2a$04$hash",
		}
		must(t, s.Create(ctx, &in))

		t.Run("Get", func(t *testing.T) {
			got, err := s.Get(ctx, in.ID)
			must(t, err)
			want := in
			want.TownshipName, want.TownshipZone, want.EnterpriseName = "镇371626104", "Asia/Shanghai", "长山纺织"
			want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if got.CreatedAt.IsZero() {
				t.Errorf("got zero CreatedAt, want it set")
			}
		})
		t.Run("GetByUsername", func(t *testing.T) {
			got, err := s.GetByUsername(ctx, "wang.fang")
			must(t, err)
			if got.ID != in.ID || got.TownshipName != "镇371626104" || got.EnterpriseName != "长山纺织" {
				t.Errorf("got %+v, want user %d with township and enterprise names", got, in.ID)
			}
		})
		t.Run("PlatformAdminHasNoTownship", func(t *testing.T) {
			got, err := s.Get(ctx, root.ID)
			must(t, err)
			if got.TownshipID != 0 || got.EnterpriseID != 0 || got.TownshipName != "" || got.EnterpriseName != "" || got.Role != domain.RolePlatformAdmin {
				t.Errorf("got %+v, want a platform admin with no township or enterprise", got)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.Get(ctx, 4242)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrNotFoundByUsername", func(t *testing.T) {
			_, err := s.GetByUsername(ctx, "nobody")
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrConflictUsername", func(t *testing.T) {
			dup := domain.User{Username: "wang.fang", Name: "另一个", Role: domain.RoleSupervisor, TownshipID: tw.ID, Active: true, PasswordHash: "x"}
			wantErr(t, s.Create(ctx, &dup), domain.ErrConflict)
			_, total, err := s.List(ctx, domain.UserFilter{Page: domain.Page{Limit: 50}})
			must(t, err)
			if total != 2 {
				t.Errorf("got %d users, want 2", total)
			}
		})
	})
}

func TestUserStoreList(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.UserStore{DB: db}
		a := storeTownship(t, db, "371626104", "一区")
		b := storeTownship(t, db, "371626105", "一区")
		entA := storeEnterprise(t, db, domain.Enterprise{TownshipID: a.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: a.Zones[0].ID})
		entA2 := storeEnterprise(t, db, domain.Enterprise{TownshipID: a.ID, Code: "100002", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: a.Zones[0].ID})

		root := storeUser(t, db, domain.User{Username: "root", Role: domain.RolePlatformAdmin})
		adminA := storeUser(t, db, domain.User{Username: "admin-a", Name: "张镇长", Role: domain.RoleTownAdmin, TownshipID: a.ID})
		supA1 := storeUser(t, db, domain.User{Username: "li_ming", Name: "李明", Role: domain.RoleSupervisor, TownshipID: a.ID})
		supA2 := storeUser(t, db, domain.User{Username: "liaming", Name: "李阿明", Role: domain.RoleSupervisor, TownshipID: a.ID})
		hrA := storeUser(t, db, domain.User{Username: "hr-jia", Name: "王芳", Role: domain.RoleEnterpriseHR, TownshipID: a.ID, EnterpriseID: entA.ID})
		hrA2 := storeUser(t, db, domain.User{Username: "hr-yi", Name: "赵明", Role: domain.RoleEnterpriseHR, TownshipID: a.ID, EnterpriseID: entA2.ID})
		adminB := storeUser(t, db, domain.User{Username: "admin-b", Name: "孙镇长", Role: domain.RoleTownAdmin, TownshipID: b.ID})
		supB := storeUser(t, db, domain.User{Username: "sup-b", Name: "周明", Role: domain.RoleSupervisor, TownshipID: b.ID})

		page := domain.Page{Limit: 50}
		tests := []struct {
			name      string
			f         domain.UserFilter
			want      []int64
			wantTotal int
		}{
			{name: "All", f: domain.UserFilter{Page: page}, want: []int64{root.ID, adminA.ID, supA1.ID, supA2.ID, hrA.ID, hrA2.ID, adminB.ID, supB.ID}, wantTotal: 8},
			{name: "Township", f: domain.UserFilter{TownshipID: a.ID, Page: page}, want: []int64{adminA.ID, supA1.ID, supA2.ID, hrA.ID, hrA2.ID}, wantTotal: 5},
			{name: "OtherTownship", f: domain.UserFilter{TownshipID: b.ID, Page: page}, want: []int64{adminB.ID, supB.ID}, wantTotal: 2},
			{name: "Role", f: domain.UserFilter{Role: domain.RoleSupervisor, Page: page}, want: []int64{supA1.ID, supA2.ID, supB.ID}, wantTotal: 3},
			{name: "RoleAndTownship", f: domain.UserFilter{TownshipID: b.ID, Role: domain.RoleSupervisor, Page: page}, want: []int64{supB.ID}, wantTotal: 1},
			{name: "Enterprise", f: domain.UserFilter{EnterpriseID: entA.ID, Page: page}, want: []int64{hrA.ID}, wantTotal: 1},
			{name: "QueryName", f: domain.UserFilter{Query: "明", Page: page}, want: []int64{supA1.ID, supA2.ID, hrA2.ID, supB.ID}, wantTotal: 4},
			{name: "QueryUsername", f: domain.UserFilter{Query: "admin", Page: page}, want: []int64{adminA.ID, adminB.ID}, wantTotal: 2},
			{name: "QueryUnderscoreIsLiteral", f: domain.UserFilter{Query: "li_", Page: page}, want: []int64{supA1.ID}, wantTotal: 1},
			{name: "QueryPercentIsLiteral", f: domain.UserFilter{Query: "%", Page: page}, want: []int64{}, wantTotal: 0},
			{name: "QueryAndTownship", f: domain.UserFilter{Query: "明", TownshipID: a.ID, Role: domain.RoleSupervisor, Page: page}, want: []int64{supA1.ID, supA2.ID}, wantTotal: 2},
			{name: "Paged", f: domain.UserFilter{TownshipID: a.ID, Page: domain.Page{Limit: 2, Offset: 2}}, want: []int64{supA2.ID, hrA.ID}, wantTotal: 5},
			{name: "PastTheEnd", f: domain.UserFilter{TownshipID: a.ID, Page: domain.Page{Limit: 2, Offset: 6}}, want: []int64{}, wantTotal: 5},
			{name: "NoMatch", f: domain.UserFilter{Query: "nobody", Page: page}, want: []int64{}, wantTotal: 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.List(ctx, tt.f)
				must(t, err)
				if g := ids(got, userID); !slices.Equal(g, tt.want) {
					t.Errorf("got %v, want %v", g, tt.want)
				}
				if total != tt.wantTotal {
					t.Errorf("got total %d, want %d", total, tt.wantTotal)
				}
			})
		}
		t.Run("Names", func(t *testing.T) {
			got, _, err := s.List(ctx, domain.UserFilter{EnterpriseID: entA2.ID, Page: page})
			must(t, err)
			if len(got) != 1 || got[0].TownshipName != "镇371626104" || got[0].EnterpriseName != "乙厂" || got[0].Name != "赵明" {
				t.Errorf("got %+v, want hr-yi with township and enterprise names", got)
			}
		})
	})
}

func TestUserStoreUpdate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.UserStore{DB: db}
		tw := storeTownship(t, db, "371626104", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})
		u := storeUser(t, db, domain.User{Username: "hr-jia", Name: "王芳", Role: domain.RoleEnterpriseHR, TownshipID: tw.ID})

		t.Run("OK", func(t *testing.T) {
			cur, err := s.Get(ctx, u.ID)
			must(t, err)
			cur.Name, cur.Phone, cur.PasswordHash, cur.Active, cur.EnterpriseID = "王芳芳", "13900001111", "new-hash", false, ent.ID
			cur.Username, cur.Role = "renamed", domain.RoleTownAdmin // neither may change
			must(t, s.Update(ctx, cur))
			got, err := s.Get(ctx, u.ID)
			must(t, err)
			if got.Name != "王芳芳" || got.Phone != "13900001111" || got.PasswordHash != "new-hash" || got.Active || got.EnterpriseID != ent.ID || got.EnterpriseName != "甲厂" {
				t.Errorf("got %+v, want name, phone, hash, active and enterprise saved", got)
			}
			if got.Username != "hr-jia" || got.Role != domain.RoleEnterpriseHR {
				t.Errorf("got username %q role %q, want hr-jia enterprise_hr kept", got.Username, got.Role)
			}
		})
		t.Run("ClearEnterprise", func(t *testing.T) {
			cur, err := s.Get(ctx, u.ID)
			must(t, err)
			cur.EnterpriseID = 0
			must(t, s.Update(ctx, cur))
			got, err := s.Get(ctx, u.ID)
			must(t, err)
			if got.EnterpriseID != 0 || got.EnterpriseName != "" {
				t.Errorf("got enterprise %d %q, want none", got.EnterpriseID, got.EnterpriseName)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			missing := u
			missing.ID = 4242
			wantErr(t, s.Update(ctx, missing), domain.ErrNotFound)
		})
	})
}

package repo_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestEnterpriseStoreCreateGet(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.EnterpriseStore{DB: db}
		tw := storeTownship(t, db, "371626104", "一区", "二区")
		in := domain.Enterprise{
			TownshipID: tw.ID, Code: "482913", Name: "滨州长山纺织有限公司", CreditCode: domain.CreditCode(creditCode(7)),
			Industry: "纺织", ZoneID: tw.Zones[1].ID, Address: "长山镇工业园 8 号", ContactName: "王芳",
			ContactPhone: "0543-4321234", Headcount: 320, Status: domain.StatusNotApplied,
		}
		must(t, s.Create(ctx, &in))
		if in.ID == 0 {
			t.Fatalf("got ID 0, want it set")
		}
		got, err := s.Get(ctx, in.ID)
		must(t, err)
		want := in
		want.Zone = "二区"
		want.Supervisors = []domain.UserRef{}
		want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
		if !equalEnterprise(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if got.Supervisors == nil {
			t.Errorf("got nil supervisors, want an empty list")
		}
		if got.CreatedAt.IsZero() {
			t.Errorf("got zero CreatedAt, want it set")
		}

		t.Run("WithSupervisors", func(t *testing.T) {
			s1 := storeUser(t, db, domain.User{Username: "sup-1", Name: "李明", Role: domain.RoleSupervisor, TownshipID: tw.ID})
			s2 := storeUser(t, db, domain.User{Username: "sup-2", Name: "周明", Role: domain.RoleSupervisor, TownshipID: tw.ID})
			must(t, s.SetSupervisors(ctx, in.ID, []int64{s2.ID, s1.ID}))
			got, err := s.Get(ctx, in.ID)
			must(t, err)
			want := []domain.UserRef{{ID: s1.ID, Username: "sup-1", Name: "李明"}, {ID: s2.ID, Username: "sup-2", Name: "周明"}}
			if !slices.Equal(got.Supervisors, want) {
				t.Errorf("got %v, want %v", got.Supervisors, want)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.Get(ctx, 4242)
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}

// equalEnterprise compares enterprises field by field.
func equalEnterprise(a, b domain.Enterprise) bool {
	if !slices.Equal(a.Supervisors, b.Supervisors) {
		return false
	}
	a.Supervisors, b.Supervisors = nil, nil
	if !a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) {
		return false
	}
	a.CreatedAt, a.UpdatedAt, b.CreatedAt, b.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func TestEnterpriseStoreConflicts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.EnterpriseStore{DB: db}
		a := storeTownship(t, db, "371626104", "一区")
		b := storeTownship(t, db, "371626105", "一区")
		first := storeEnterprise(t, db, domain.Enterprise{TownshipID: a.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: a.Zones[0].ID})

		t.Run("ErrConflictCreditCodeSameTownship", func(t *testing.T) {
			dup := domain.Enterprise{TownshipID: a.ID, Code: "100002", Name: "甲厂分厂", CreditCode: first.CreditCode, Industry: "纺织", ZoneID: a.Zones[0].ID, Status: domain.StatusNotApplied}
			wantErr(t, s.Create(ctx, &dup), domain.ErrConflict)
			_, total, err := s.List(ctx, domain.EnterpriseFilter{TownshipID: a.ID, Page: domain.Page{Limit: 10}})
			must(t, err)
			if total != 1 {
				t.Errorf("got %d enterprises, want 1", total)
			}
		})
		t.Run("SameCreditCodeOtherTownship", func(t *testing.T) {
			other := domain.Enterprise{TownshipID: b.ID, Code: "200001", Name: "甲厂", CreditCode: first.CreditCode, Industry: "纺织", ZoneID: b.Zones[0].ID, Status: domain.StatusNotApplied}
			must(t, s.Create(ctx, &other))
			got, err := s.Get(ctx, other.ID)
			must(t, err)
			if got.TownshipID != b.ID || got.CreditCode != first.CreditCode {
				t.Errorf("got %+v, want the code registered in township b too", got)
			}
		})
		t.Run("ErrConflictLoginCode", func(t *testing.T) {
			dup := domain.Enterprise{TownshipID: b.ID, Code: "100001", Name: "丙厂", CreditCode: domain.CreditCode(creditCode(3)), Industry: "纺织", ZoneID: b.Zones[0].ID, Status: domain.StatusNotApplied}
			wantErr(t, s.Create(ctx, &dup), domain.ErrConflict)
		})
		t.Run("ErrConflictUpdateCreditCode", func(t *testing.T) {
			second := storeEnterprise(t, db, domain.Enterprise{TownshipID: a.ID, Code: "100003", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: a.Zones[0].ID})
			second.CreditCode = first.CreditCode
			wantErr(t, s.Update(ctx, second), domain.ErrConflict)
			got, err := s.Get(ctx, second.ID)
			must(t, err)
			if got.CreditCode != domain.CreditCode(creditCode(2)) {
				t.Errorf("got %s, want the credit code unchanged", got.CreditCode)
			}
		})
	})
}

func TestEnterpriseStoreList(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.EnterpriseStore{DB: db}
		a := storeTownship(t, db, "371626104", "一区", "二区")
		b := storeTownship(t, db, "371626105", "一区")
		mk := func(tw domain.Township, zone int, code, name string, n int, industry string, status domain.EnterpriseStatus) domain.Enterprise {
			t.Helper()
			return storeEnterprise(t, db, domain.Enterprise{
				TownshipID: tw.ID, Code: code, Name: name, CreditCode: domain.CreditCode(creditCode(n)),
				Industry: industry, ZoneID: tw.Zones[zone].ID, Status: status,
			})
		}
		e1 := mk(a, 0, "100001", "长山纺织有限公司", 1, "纺织", domain.StatusNotApplied)
		e2 := mk(a, 1, "100002", "长山铝业有限公司", 2, "有色金属", domain.StatusApproved)
		e3 := mk(a, 1, "100003", "魏桥纺织分厂", 3, "纺织", domain.StatusReopened)
		e4 := mk(a, 0, "100100", "百分之百_食品厂", 4, "食品", domain.StatusApproved)
		e5 := mk(b, 0, "200001", "长山纺织有限公司", 1, "纺织", domain.StatusApproved)

		sup := storeUser(t, db, domain.User{Username: "sup-a", Role: domain.RoleSupervisor, TownshipID: a.ID})
		other := storeUser(t, db, domain.User{Username: "sup-a2", Role: domain.RoleSupervisor, TownshipID: a.ID})
		must(t, s.SetSupervisors(ctx, e1.ID, []int64{sup.ID}))
		must(t, s.SetSupervisors(ctx, e3.ID, []int64{sup.ID, other.ID}))
		must(t, s.SetSupervisors(ctx, e2.ID, []int64{other.ID}))

		page := domain.Page{Limit: 50}
		code2 := string(e2.CreditCode)
		tests := []struct {
			name      string
			f         domain.EnterpriseFilter
			want      []int64
			wantTotal int
		}{
			{name: "All", f: domain.EnterpriseFilter{Page: page}, want: []int64{e1.ID, e2.ID, e3.ID, e4.ID, e5.ID}, wantTotal: 5},
			{name: "Township", f: domain.EnterpriseFilter{TownshipID: a.ID, Page: page}, want: []int64{e1.ID, e2.ID, e3.ID, e4.ID}, wantTotal: 4},
			{name: "OtherTownship", f: domain.EnterpriseFilter{TownshipID: b.ID, Page: page}, want: []int64{e5.ID}, wantTotal: 1},
			{name: "Supervisor", f: domain.EnterpriseFilter{TownshipID: a.ID, SupervisorID: sup.ID, Page: page}, want: []int64{e1.ID, e3.ID}, wantTotal: 2},
			{name: "SupervisorNone", f: domain.EnterpriseFilter{SupervisorID: 4242, Page: page}, want: []int64{}, wantTotal: 0},
			{name: "ID", f: domain.EnterpriseFilter{TownshipID: a.ID, ID: e3.ID, Page: page}, want: []int64{e3.ID}, wantTotal: 1},
			{name: "IDOtherTownship", f: domain.EnterpriseFilter{TownshipID: a.ID, ID: e5.ID, Page: page}, want: []int64{}, wantTotal: 0},
			{name: "Zone", f: domain.EnterpriseFilter{TownshipID: a.ID, Zone: "二区", Page: page}, want: []int64{e2.ID, e3.ID}, wantTotal: 2},
			{name: "ZoneNameInEveryTownship", f: domain.EnterpriseFilter{Zone: "一区", Page: page}, want: []int64{e1.ID, e4.ID, e5.ID}, wantTotal: 3},
			{name: "Status", f: domain.EnterpriseFilter{Status: domain.StatusApproved, Page: page}, want: []int64{e2.ID, e4.ID, e5.ID}, wantTotal: 3},
			{name: "StatusAndTownship", f: domain.EnterpriseFilter{TownshipID: a.ID, Status: domain.StatusApproved, Page: page}, want: []int64{e2.ID, e4.ID}, wantTotal: 2},
			{name: "Industry", f: domain.EnterpriseFilter{TownshipID: a.ID, Industry: "纺织", Page: page}, want: []int64{e1.ID, e3.ID}, wantTotal: 2},
			{name: "QueryName", f: domain.EnterpriseFilter{TownshipID: a.ID, Query: "纺织", Page: page}, want: []int64{e1.ID, e3.ID}, wantTotal: 2},
			{name: "QueryCreditCodePart", f: domain.EnterpriseFilter{Query: code2[10:], Page: page}, want: []int64{e2.ID}, wantTotal: 1},
			{name: "QueryCreditCodeWhole", f: domain.EnterpriseFilter{Query: code2, Page: page}, want: []int64{e2.ID}, wantTotal: 1},
			{name: "QueryLoginCodeExact", f: domain.EnterpriseFilter{Query: "100003", Page: page}, want: []int64{e3.ID}, wantTotal: 1},
			{name: "QueryLoginCodePartNoMatch", f: domain.EnterpriseFilter{Query: "10000", Page: page}, want: []int64{}, wantTotal: 0},
			{name: "QueryUnderscoreIsLiteral", f: domain.EnterpriseFilter{Query: "百_", Page: page}, want: []int64{e4.ID}, wantTotal: 1},
			{name: "QueryUnderscoreNoWildcard", f: domain.EnterpriseFilter{Query: "长_", Page: page}, want: []int64{}, wantTotal: 0},
			{name: "Combined", f: domain.EnterpriseFilter{TownshipID: a.ID, SupervisorID: sup.ID, Zone: "二区", Status: domain.StatusReopened, Industry: "纺织", Query: "魏桥", Page: page}, want: []int64{e3.ID}, wantTotal: 1},
			{name: "Paged", f: domain.EnterpriseFilter{TownshipID: a.ID, Page: domain.Page{Limit: 3}}, want: []int64{e1.ID, e2.ID, e3.ID}, wantTotal: 4},
			{name: "SecondPage", f: domain.EnterpriseFilter{TownshipID: a.ID, Page: domain.Page{Limit: 3, Offset: 3}}, want: []int64{e4.ID}, wantTotal: 4},
			{name: "PagedFiltered", f: domain.EnterpriseFilter{Status: domain.StatusApproved, Page: domain.Page{Limit: 1, Offset: 1}}, want: []int64{e4.ID}, wantTotal: 3},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.List(ctx, tt.f)
				must(t, err)
				if g := ids(got, enterpriseID); !slices.Equal(g, tt.want) {
					t.Errorf("got %v, want %v", g, tt.want)
				}
				if total != tt.wantTotal {
					t.Errorf("got total %d, want %d", total, tt.wantTotal)
				}
			})
		}
		t.Run("ZoneNamesAndSupervisors", func(t *testing.T) {
			got, _, err := s.List(ctx, domain.EnterpriseFilter{TownshipID: a.ID, Page: page})
			must(t, err)
			wantZones := []string{"一区", "二区", "二区", "一区"}
			wantSups := [][]int64{{sup.ID}, {other.ID}, {sup.ID, other.ID}, {}}
			for i, e := range got {
				if e.Zone != wantZones[i] {
					t.Errorf("%s: got zone %q, want %q", e.Name, e.Zone, wantZones[i])
				}
				if g := ids(e.Supervisors, func(r domain.UserRef) int64 { return r.ID }); !slices.Equal(g, wantSups[i]) {
					t.Errorf("%s: got supervisors %v, want %v", e.Name, g, wantSups[i])
				}
			}
		})
	})
}

func TestEnterpriseStoreUpdate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.EnterpriseStore{DB: db}
		a := storeTownship(t, db, "371626104", "一区", "二区")
		b := storeTownship(t, db, "371626105", "一区")
		e := storeEnterprise(t, db, domain.Enterprise{TownshipID: a.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: a.Zones[0].ID})

		t.Run("OK", func(t *testing.T) {
			up := e
			up.Name, up.CreditCode, up.Industry, up.ZoneID = "甲厂新名", domain.CreditCode(creditCode(9)), "食品", a.Zones[1].ID
			up.Address, up.ContactName, up.ContactPhone, up.Headcount = "新地址", "赵六", "13900001111", 88
			// The status changes only with its history (SetStatus): an update leaves it.
			up.Status, up.ReopenedOn = domain.StatusReopened, domain.NewDate(2020, 2, 20)
			up.TownshipID, up.Code = b.ID, "999999" // neither may change
			must(t, s.Update(ctx, up))
			got, err := s.Get(ctx, e.ID)
			must(t, err)
			want := up
			want.TownshipID, want.Code, want.Zone = a.ID, "100001", "二区"
			want.Status, want.ReopenedOn = domain.StatusNotApplied, domain.Date{}
			want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
			if !equalEnterprise(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if !got.CreatedAt.Equal(e.CreatedAt) {
				t.Errorf("got created %v, want %v kept", got.CreatedAt, e.CreatedAt)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			missing := e
			missing.ID = 4242
			wantErr(t, s.Update(ctx, missing), domain.ErrNotFound)
		})
	})
}

func TestEnterpriseStoreSetSupervisors(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.EnterpriseStore{DB: db}
		tw := storeTownship(t, db, "371626104", "一区")
		e := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})
		other := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100002", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: tw.Zones[0].ID})
		s1 := storeUser(t, db, domain.User{Username: "sup-1", Role: domain.RoleSupervisor, TownshipID: tw.ID})
		s2 := storeUser(t, db, domain.User{Username: "sup-2", Role: domain.RoleSupervisor, TownshipID: tw.ID})
		s3 := storeUser(t, db, domain.User{Username: "sup-3", Role: domain.RoleSupervisor, TownshipID: tw.ID})
		must(t, s.SetSupervisors(ctx, other.ID, []int64{s1.ID}))

		supervisors := func(t *testing.T, id int64) []int64 {
			t.Helper()
			got, err := s.Get(ctx, id)
			must(t, err)
			return ids(got.Supervisors, func(r domain.UserRef) int64 { return r.ID })
		}
		steps := []struct {
			name string
			set  []int64
			want []int64
		}{
			{name: "Set", set: []int64{s1.ID, s2.ID}, want: []int64{s1.ID, s2.ID}},
			{name: "Replace", set: []int64{s3.ID, s2.ID}, want: []int64{s2.ID, s3.ID}},
			{name: "Clear", set: nil, want: []int64{}},
			{name: "SetAgain", set: []int64{s3.ID}, want: []int64{s3.ID}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				must(t, s.SetSupervisors(ctx, e.ID, st.set))
				if got := supervisors(t, e.ID); !slices.Equal(got, st.want) {
					t.Errorf("got %v, want %v", got, st.want)
				}
				if got := supervisors(t, other.ID); !slices.Equal(got, []int64{s1.ID}) {
					t.Errorf("other enterprise: got %v, want [%d] untouched", got, s1.ID)
				}
			})
		}
		t.Run("ErrNotFound", func(t *testing.T) {
			wantErr(t, s.SetSupervisors(ctx, 4242, []int64{s1.ID}), domain.ErrNotFound)
		})
		t.Run("UnknownUserRollsBack", func(t *testing.T) {
			if err := s.SetSupervisors(ctx, e.ID, []int64{s1.ID, 4242}); err == nil {
				t.Fatalf("got nil, want an error for a user that does not exist")
			}
			if got := supervisors(t, e.ID); !slices.Equal(got, []int64{s3.ID}) {
				t.Errorf("got %v, want [%d] kept", got, s3.ID)
			}
		})
	})
}

func TestEnterpriseStoreTaken(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.EnterpriseStore{DB: db}
		a := storeTownship(t, db, "371626104", "一区")
		b := storeTownship(t, db, "371626105", "一区")
		code := domain.CreditCode(creditCode(1))
		e := storeEnterprise(t, db, domain.Enterprise{TownshipID: a.ID, Code: "100001", Name: "甲厂", CreditCode: code, ZoneID: a.Zones[0].ID})

		credit := []struct {
			name     string
			township int64
			code     domain.CreditCode
			except   int64
			want     bool
		}{
			{name: "Taken", township: a.ID, code: code, want: true},
			{name: "ExceptItself", township: a.ID, code: code, except: e.ID, want: false},
			{name: "ExceptAnother", township: a.ID, code: code, except: e.ID + 1, want: true},
			{name: "OtherTownship", township: b.ID, code: code, want: false},
			{name: "OtherCode", township: a.ID, code: domain.CreditCode(creditCode(2)), want: false},
		}
		for _, tt := range credit {
			t.Run("CreditCode"+tt.name, func(t *testing.T) {
				got, err := s.CreditCodeTaken(ctx, tt.township, tt.code, tt.except)
				must(t, err)
				if got != tt.want {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			})
		}
		login := []struct {
			code string
			want bool
		}{{"100001", true}, {"100002", false}, {"10000", false}}
		for _, tt := range login {
			t.Run("Code"+tt.code, func(t *testing.T) {
				got, err := s.CodeTaken(ctx, tt.code)
				must(t, err)
				if got != tt.want {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			})
		}
	})
}

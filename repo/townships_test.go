package repo_test

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestTownshipStoreCreateGet(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.TownshipStore{DB: db}
		in := domain.Township{
			Name: "长山镇", Code: "371626104", Population: 73000, Timezone: "Asia/Shanghai",
			Policy: domain.Policy{FeverThreshold: 37.5, IsolationDays: 21, CutoffAM: "09:30", CutoffPM: "15:00", RetentionDays: 365, SpotCheckPercent: 10,
				FeverAdvice: "请停工就医"},
			KeyAreas: []domain.KeyArea{
				{RegionCode: "420100", RiskLevel: domain.RiskHigh},
				{RegionCode: "110000", RiskLevel: domain.RiskMedium},
			},
			Zones: []domain.Zone{{Name: "第一责任区"}, {Name: "第二责任区"}, {Name: "第三责任区"}},
		}
		must(t, s.Create(ctx, &in))
		if in.ID == 0 {
			t.Fatalf("got ID 0, want it set")
		}
		got, err := s.Get(ctx, in.ID)
		must(t, err)
		if got.Name != "长山镇" || got.Code != "371626104" || got.Population != 73000 || got.Timezone != "Asia/Shanghai" {
			t.Errorf("got %+v, want the fields created", got)
		}
		if !reflect.DeepEqual(got.Policy, in.Policy) {
			t.Errorf("got policy %+v, want %+v", got.Policy, in.Policy)
		}
		wantAreas := []domain.KeyArea{
			{RegionCode: "110000", RiskLevel: domain.RiskMedium},
			{RegionCode: "420100", RiskLevel: domain.RiskHigh},
		}
		if !slices.Equal(got.KeyAreas, wantAreas) {
			t.Errorf("got key areas %v, want %v (by region code)", got.KeyAreas, wantAreas)
		}
		if names, want := zoneNames(got), []string{"第一责任区", "第二责任区", "第三责任区"}; !slices.Equal(names, want) {
			t.Errorf("got zones %v, want %v", names, want)
		}
		seen := map[int64]bool{}
		for _, z := range got.Zones {
			if z.ID == 0 || seen[z.ID] || z.Enterprises != 0 {
				t.Errorf("got zone %+v, want a fresh distinct ID and no enterprises", z)
			}
			seen[z.ID] = true
		}
		if got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
			t.Errorf("got created %v updated %v, want both set", got.CreatedAt, got.UpdatedAt)
		}
	})
}

func TestTownshipStoreCreateConflict(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.TownshipStore{DB: db}
		storeTownship(t, db, "371626104", "一区")
		dup := domain.Township{Name: "另一个镇", Code: "371626104", Timezone: "Asia/Shanghai", Policy: domain.DefaultPolicy}
		wantErr(t, s.Create(ctx, &dup), domain.ErrConflict)
		_, total, err := s.List(ctx, domain.Page{Limit: 10})
		must(t, err)
		if total != 1 {
			t.Fatalf("got %d townships, want 1", total)
		}
	})
}

func TestTownshipStoreGetNotFound(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		_, err := (&repo.TownshipStore{DB: db}).Get(context.Background(), 4242)
		wantErr(t, err, domain.ErrNotFound)
	})
}

func TestTownshipStoreList(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.TownshipStore{DB: db}
		var all []int64
		for i := range 5 {
			all = append(all, storeTownship(t, db, "37162610"+strconv.Itoa(i), "一区").ID)
		}
		tests := []struct {
			name string
			page domain.Page
			want []int64
		}{
			{name: "FirstPage", page: domain.Page{Limit: 2}, want: all[:2]},
			{name: "SecondPage", page: domain.Page{Limit: 2, Offset: 2}, want: all[2:4]},
			{name: "LastPage", page: domain.Page{Limit: 2, Offset: 4}, want: all[4:]},
			{name: "PastTheEnd", page: domain.Page{Limit: 2, Offset: 10}, want: []int64{}},
			{name: "All", page: domain.Page{Limit: 20}, want: all},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.List(ctx, tt.page)
				must(t, err)
				if total != 5 {
					t.Errorf("got total %d, want 5", total)
				}
				if g := ids(got, townshipID); !slices.Equal(g, tt.want) {
					t.Errorf("got %v, want %v", g, tt.want)
				}
			})
		}
		got, _, err := s.List(ctx, domain.Page{Limit: 1})
		must(t, err)
		if got[0].Name != "镇371626100" || !reflect.DeepEqual(got[0].Policy, domain.DefaultPolicy) {
			t.Errorf("got %+v, want the first township with its policy", got[0])
		}
	})
}

func TestTownshipStoreUpdate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.TownshipStore{DB: db}
		tw := storeTownship(t, db, "371626104", "A", "B", "C")
		tw.KeyAreas = []domain.KeyArea{{RegionCode: "420100", RiskLevel: domain.RiskHigh}}
		must(t, s.Update(ctx, tw))
		a, b, c := tw.Zones[0].ID, tw.Zones[1].ID, tw.Zones[2].ID

		t.Run("Fields", func(t *testing.T) {
			up := tw
			up.Name, up.Population, up.Timezone = "长山镇", 73000, "Asia/Urumqi"
			up.Policy = domain.Policy{FeverThreshold: 37.1, IsolationDays: 7, CutoffAM: "08:00", CutoffPM: "14:30", RetentionDays: 90, SpotCheckPercent: 25,
				FeverAdvice: "请立即停止工作，告知人事，到镇卫生院发热门诊就诊。"}
			up.Code = "999999" // the code never changes
			must(t, s.Update(ctx, up))
			got, err := s.Get(ctx, tw.ID)
			must(t, err)
			if got.Name != "长山镇" || got.Population != 73000 || got.Timezone != "Asia/Urumqi" || got.Code != "371626104" {
				t.Errorf("got %+v, want name, population and timezone changed and code kept", got)
			}
			if !reflect.DeepEqual(got.Policy, up.Policy) {
				t.Errorf("got policy %+v, want %+v", got.Policy, up.Policy)
			}
			if names := zoneNames(got); !slices.Equal(names, []string{"A", "B", "C"}) {
				t.Errorf("got zones %v, want them untouched", names)
			}
		})

		t.Run("KeyAreasReplaced", func(t *testing.T) {
			cur, err := s.Get(ctx, tw.ID)
			must(t, err)
			cur.KeyAreas = []domain.KeyArea{
				{RegionCode: "310000", RiskLevel: domain.RiskLow},
				{RegionCode: "420100", RiskLevel: domain.RiskMedium},
			}
			must(t, s.Update(ctx, cur))
			got, err := s.Get(ctx, tw.ID)
			must(t, err)
			if !slices.Equal(got.KeyAreas, cur.KeyAreas) {
				t.Errorf("got %v, want %v", got.KeyAreas, cur.KeyAreas)
			}
			cur.KeyAreas = nil
			must(t, s.Update(ctx, cur))
			got, err = s.Get(ctx, tw.ID)
			must(t, err)
			if len(got.KeyAreas) != 0 {
				t.Errorf("got %v, want no key areas", got.KeyAreas)
			}
		})

		t.Run("ZonesRenamedAddedReorderedRemoved", func(t *testing.T) {
			cur, err := s.Get(ctx, tw.ID)
			must(t, err)
			cur.Zones = []domain.Zone{{ID: c, Name: "C"}, {ID: a, Name: "A2"}, {Name: "D"}}
			must(t, s.Update(ctx, cur))
			got, err := s.Get(ctx, tw.ID)
			must(t, err)
			if names := zoneNames(got); !slices.Equal(names, []string{"C", "A2", "D"}) {
				t.Fatalf("got zones %v, want [C A2 D]", names)
			}
			if got.Zones[0].ID != c || got.Zones[1].ID != a {
				t.Errorf("got IDs %d, %d, want the kept zones' %d, %d", got.Zones[0].ID, got.Zones[1].ID, c, a)
			}
			if d := got.Zones[2].ID; d == 0 || d == a || d == b || d == c {
				t.Errorf("got ID %d for the new zone, want a new one", d)
			}
		})

		t.Run("ZonesSwapNames", func(t *testing.T) {
			cur, err := s.Get(ctx, tw.ID)
			must(t, err)
			// C takes A2's name and A2 takes C's: the unique name index must not trip.
			cur.Zones = []domain.Zone{{ID: c, Name: "A2"}, {ID: a, Name: "C"}, cur.Zones[2]}
			must(t, s.Update(ctx, cur))
			got, err := s.Get(ctx, tw.ID)
			must(t, err)
			want := []domain.Zone{{ID: c, Name: "A2"}, {ID: a, Name: "C"}, cur.Zones[2]}
			if !slices.Equal(got.Zones, want) {
				t.Errorf("got %v, want %v", got.Zones, want)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			missing := tw
			missing.ID = 4242
			wantErr(t, s.Update(ctx, missing), domain.ErrNotFound)
		})
	})
}

// TestTownshipStoreUpdateZoneInUse removes a zone that an enterprise is in: the update fails as
// a whole, and nothing of it stays.
func TestTownshipStoreUpdateZoneInUse(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.TownshipStore{DB: db}
		tw := storeTownship(t, db, "371626104", "一区", "二区")
		storeEnterprise(t, db, domain.Enterprise{
			TownshipID: tw.ID, Code: "100001", Name: "长山纺织", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[1].ID,
		})
		before, err := s.Get(ctx, tw.ID)
		must(t, err)
		if before.Zones[1].Enterprises != 1 || before.Zones[0].Enterprises != 0 {
			t.Fatalf("got zones %+v, want one enterprise in 二区", before.Zones)
		}

		up := before
		up.Name = "改名镇"
		up.Policy.IsolationDays = 7
		up.KeyAreas = []domain.KeyArea{{RegionCode: "420100", RiskLevel: domain.RiskHigh}}
		up.Zones = []domain.Zone{{ID: before.Zones[0].ID, Name: "一区改"}, {Name: "三区"}}
		wantErr(t, s.Update(ctx, up), domain.ErrConflict)

		after, err := s.Get(ctx, tw.ID)
		must(t, err)
		if after.Name != before.Name || !reflect.DeepEqual(after.Policy, before.Policy) || len(after.KeyAreas) != 0 {
			t.Errorf("got %+v, want the township unchanged", after)
		}
		if !slices.Equal(after.Zones, before.Zones) {
			t.Errorf("got zones %+v, want %+v", after.Zones, before.Zones)
		}
	})
}

package repo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fugong/domain"
	"fugong/pii"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// personID returns the n-th valid ID number (n < 1,000,000) of a person from Zouping: a
// thousand people share each birth day from 1 January 1980, men and women alternating.
func personID(n int) domain.IDNumber {
	born := domain.NewDate(1980, 1, 1).AddDays(n / 1000).Time().Format("20060102")
	first := fmt.Sprintf("371626%s%03d", born, n%1000)
	return domain.IDNumber(first + string(domain.IDCheckChar(first)))
}

// phoneOf returns the n-th mobile number of a range that is clearly fictitious.
func phoneOf(n int) string { return fmt.Sprintf("170%08d", n) }

func workerID(w domain.Worker) int64 { return w.ID }

// storeWorkerIn inserts a worker straight through the store, for store tests; the fields the
// database requires are filled in when the test leaves them empty.
func storeWorkerIn(t *testing.T, s *repo.WorkerStore, w domain.Worker) domain.Worker {
	t.Helper()
	if w.Phone == "" {
		w.Phone = phoneOf(int(w.EnterpriseID))
	}
	if w.RiskLevel == "" {
		w.RiskLevel = domain.RiskLow
	}
	if w.Status == "" {
		w.Status = domain.WorkerExpected
	}
	if err := s.Create(context.Background(), &w); err != nil {
		t.Fatalf("create worker %s: %v", w.Name, err)
	}
	if w.ID == 0 {
		t.Fatalf("create worker %s: got ID 0, want it set", w.Name)
	}
	return w
}

func TestWorkerStoreRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.WorkerStore{DB: db, Box: dbtest.Box()}
		tw := storeTownship(t, db, "371626104", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})

		shift := storeShift(t, db, ent, "甲班")

		t.Run("EveryField", func(t *testing.T) {
			in := domain.Worker{
				TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "张三", IDNumber: personID(1), Phone: "13800000001",
				Department: "织造车间", ShiftID: shift.ID, ShiftGroup: "甲班", OriginRegion: "420100", ArrivedOn: domain.NewDate(2020, 2, 7),
				Transport: "火车 G1234", KeyAreaExposure: true, ContactHistory: true,
				RiskLevel: domain.RiskHigh, RiskReason: "来自高风险地区 湖北省武汉市", Status: domain.WorkerIsolating,
				IsolationPlace: "东厂区一楼 2 间", IsolationStart: domain.NewDate(2020, 2, 7), IsolationUntil: domain.NewDate(2020, 2, 21),
			}
			w := in
			must(t, s.Create(ctx, &w))
			if w.ID == 0 || w.CreatedAt.IsZero() || w.UpdatedAt.IsZero() {
				t.Fatalf("got ID %d, created %v, updated %v, want them set", w.ID, w.CreatedAt, w.UpdatedAt)
			}
			got, err := s.Get(ctx, w.ID)
			must(t, err)
			want := in
			want.ID, want.EnterpriseName, want.CreatedAt, want.UpdatedAt = w.ID, "甲厂", got.CreatedAt, got.UpdatedAt
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
				t.Errorf("got created %v, updated %v, want them stored", got.CreatedAt, got.UpdatedAt)
			}
		})
		t.Run("ZeroFields", func(t *testing.T) {
			in := domain.Worker{
				TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "李四", IDNumber: "11010519491231002X", Phone: "13800000002",
				RiskLevel: domain.RiskLow, Status: domain.WorkerExpected,
			}
			w := in
			must(t, s.Create(ctx, &w))
			got, err := s.Get(ctx, w.ID)
			must(t, err)
			want := in
			want.ID, want.EnterpriseName, want.CreatedAt, want.UpdatedAt = w.ID, "甲厂", got.CreatedAt, got.UpdatedAt
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.Get(ctx, 4242)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrTamperedWithOtherKey", func(t *testing.T) {
			// A database read with another key must fail loudly, not hand out garbage numbers.
			other := &repo.WorkerStore{DB: db, Box: otherBox(t)}
			list, _, err := s.List(ctx, domain.WorkerFilter{EnterpriseID: ent.ID, Page: domain.Page{Limit: 1}})
			must(t, err)
			if len(list) != 1 {
				t.Fatalf("got %d workers, want 1", len(list))
			}
			if _, err := other.Get(ctx, list[0].ID); err == nil {
				t.Errorf("got no error opening an ID number with another key, want one")
			}
		})
	})
}

func TestWorkerStoreIDNumberNotInTheClear(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.WorkerStore{DB: db, Box: dbtest.Box()}
		tw := storeTownship(t, db, "371626104", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})
		ent2 := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100002", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: tw.Zones[0].ID})
		id, id2 := domain.IDNumber("11010519491231002X"), personID(2)
		a := storeWorkerIn(t, s, domain.Worker{TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "张三", IDNumber: id})
		b := storeWorkerIn(t, s, domain.Worker{TownshipID: tw.ID, EnterpriseID: ent2.ID, Name: "张三", IDNumber: id})
		c := storeWorkerIn(t, s, domain.Worker{TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "李四", IDNumber: id2})

		table, err := repo.TableText(ctx, db, "workers")
		must(t, err)
		if len(table) != 3 {
			t.Fatalf("got %d rows, want 3", len(table))
		}
		byID := map[int64]map[string]string{}
		for _, row := range table {
			rowID, err := strconv.ParseInt(row["id"], 10, 64)
			must(t, err)
			byID[rowID] = row
			if len(row) < 20 {
				t.Fatalf("got columns %v, want every column of the table", row)
			}
			for col, v := range row {
				for _, plain := range []string{string(id), string(id)[:17], string(id2), string(id2)[:17], strings.ToLower(string(id))} {
					if strings.Contains(v, plain) {
						t.Errorf("got column %s = %q, want no plain ID number in it", col, v)
					}
				}
			}
			if sealed, index := row["id_number_sealed"], row["id_number_index"]; len(sealed) < 18 || len(index) != 64 {
				t.Errorf("got sealed %q and index %q, want a ciphertext and a 64-hex index", sealed, index)
			}
		}
		// The same person in two enterprises: equal blind indexes (one record per person per
		// enterprise rests on them), different ciphertexts (a fresh nonce each time).
		ra, rb, rc := byID[a.ID], byID[b.ID], byID[c.ID]
		if ra["id_number_index"] != rb["id_number_index"] || ra["id_number_sealed"] == rb["id_number_sealed"] {
			t.Errorf("got indexes %s, %s and sealed %s, %s, want equal indexes and different ciphertexts",
				ra["id_number_index"], rb["id_number_index"], ra["id_number_sealed"], rb["id_number_sealed"])
		}
		if rc["id_number_index"] == ra["id_number_index"] || rc["id_number_index"] == "" {
			t.Errorf("got index %q for another person, want a different one", rc["id_number_index"])
		}
	})
}

func TestWorkerStoreConflict(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.WorkerStore{DB: db, Box: dbtest.Box()}
		tw := storeTownship(t, db, "371626104", "一区")
		twB := storeTownship(t, db, "371626105", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})
		ent2 := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100002", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: tw.Zones[0].ID})
		entB := storeEnterprise(t, db, domain.Enterprise{TownshipID: twB.ID, Code: "100003", Name: "丙厂", CreditCode: domain.CreditCode(creditCode(3)), ZoneID: twB.Zones[0].ID})
		first := storeWorkerIn(t, s, domain.Worker{TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "张三", IDNumber: personID(1)})

		t.Run("ErrConflictSameEnterprise", func(t *testing.T) {
			w := domain.Worker{TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "张三丰", IDNumber: personID(1), Phone: phoneOf(9), RiskLevel: domain.RiskLow, Status: domain.WorkerExpected}
			wantErr(t, s.Create(ctx, &w), domain.ErrConflict)
			if w.ID != 0 {
				t.Errorf("got ID %d, want none", w.ID)
			}
			if got := rows(t, db, "workers"); got != 1 {
				t.Errorf("got %d workers, want 1", got)
			}
		})
		t.Run("OKOtherEnterprises", func(t *testing.T) {
			w2 := storeWorkerIn(t, s, domain.Worker{TownshipID: tw.ID, EnterpriseID: ent2.ID, Name: "张三", IDNumber: personID(1)})
			wB := storeWorkerIn(t, s, domain.Worker{TownshipID: twB.ID, EnterpriseID: entB.ID, Name: "张三", IDNumber: personID(1)})
			for _, w := range []domain.Worker{first, w2, wB} {
				got, err := s.Get(ctx, w.ID)
				must(t, err)
				if got.IDNumber != personID(1) || got.EnterpriseID != w.EnterpriseID {
					t.Errorf("got %s in %d, want %s in %d", got.IDNumber, got.EnterpriseID, personID(1), w.EnterpriseID)
				}
			}
		})
		t.Run("OKOtherPersonSameEnterprise", func(t *testing.T) {
			storeWorkerIn(t, s, domain.Worker{TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "张三", IDNumber: personID(2)})
		})
	})
}

func TestWorkerStoreList(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.WorkerStore{DB: db, Box: dbtest.Box()}
		es := &repo.EnterpriseStore{DB: db}
		tw := storeTownship(t, db, "371626104", "一区")
		twB := storeTownship(t, db, "371626105", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})
		ent2 := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100002", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: tw.Zones[0].ID})
		entB := storeEnterprise(t, db, domain.Enterprise{TownshipID: twB.ID, Code: "100003", Name: "丙厂", CreditCode: domain.CreditCode(creditCode(3)), ZoneID: twB.Zones[0].ID})
		sup := storeUser(t, db, domain.User{Username: "sup-1", Role: domain.RoleSupervisor, TownshipID: tw.ID})
		sup2 := storeUser(t, db, domain.User{Username: "sup-2", Role: domain.RoleSupervisor, TownshipID: tw.ID})
		idle := storeUser(t, db, domain.User{Username: "sup-3", Role: domain.RoleSupervisor, TownshipID: tw.ID})
		must(t, es.SetSupervisors(ctx, ent.ID, []int64{sup.ID}))
		must(t, es.SetSupervisors(ctx, ent2.ID, []int64{sup2.ID}))

		add := func(ent domain.Enterprise, name string, n int, phone, dept string, status domain.WorkerStatus, risk domain.RiskLevel) domain.Worker {
			t.Helper()
			return storeWorkerIn(t, s, domain.Worker{
				TownshipID: ent.TownshipID, EnterpriseID: ent.ID, Name: name, IDNumber: personID(n), Phone: phone,
				Department: dept, Status: status, RiskLevel: risk,
			})
		}
		w1 := add(ent, "张三", 1, "13800000001", "织造车间", domain.WorkerOnDuty, domain.RiskLow)
		w2 := add(ent, "李四", 2, "13800000002", "机修车间", domain.WorkerIsolating, domain.RiskHigh)
		w3 := add(ent, "王五", 3, "13900000003", "织造车间", domain.WorkerExpected, domain.RiskMedium)
		w4 := add(ent, "张小明", 4, "13800000004", "包装车间", domain.WorkerOnDuty, domain.RiskLow)
		w5 := add(ent, "赵_六", 5, "13800000005", "", domain.WorkerLeft, domain.RiskLow)
		w6 := add(ent2, "张三", 1, "13800000006", "总装车间", domain.WorkerOnDuty, domain.RiskLow) // w1's person
		w7 := add(entB, "张三", 7, "13800000007", "织造车间", domain.WorkerOnDuty, domain.RiskLow)

		page := domain.Page{Limit: 50}
		tests := []struct {
			name      string
			f         domain.WorkerFilter
			want      []domain.Worker
			wantTotal int // when it differs from len(want)
		}{
			{name: "Enterprise", f: domain.WorkerFilter{EnterpriseID: ent.ID}, want: []domain.Worker{w1, w2, w3, w4, w5}},
			{name: "Township", f: domain.WorkerFilter{TownshipID: tw.ID}, want: []domain.Worker{w1, w2, w3, w4, w5, w6}},
			{name: "OtherTownship", f: domain.WorkerFilter{TownshipID: twB.ID}, want: []domain.Worker{w7}},
			{name: "Status", f: domain.WorkerFilter{EnterpriseID: ent.ID, Status: domain.WorkerOnDuty}, want: []domain.Worker{w1, w4}},
			{name: "StatusLeft", f: domain.WorkerFilter{TownshipID: tw.ID, Status: domain.WorkerLeft}, want: []domain.Worker{w5}},
			{name: "RiskHigh", f: domain.WorkerFilter{TownshipID: tw.ID, Risk: domain.RiskHigh}, want: []domain.Worker{w2}},
			{name: "RiskMedium", f: domain.WorkerFilter{EnterpriseID: ent.ID, Risk: domain.RiskMedium}, want: []domain.Worker{w3}},
			{name: "StatusAndRisk", f: domain.WorkerFilter{EnterpriseID: ent.ID, Status: domain.WorkerOnDuty, Risk: domain.RiskHigh}},
			{name: "QueryName", f: domain.WorkerFilter{EnterpriseID: ent.ID, Query: "张"}, want: []domain.Worker{w1, w4}},
			{name: "QueryNameTownship", f: domain.WorkerFilter{TownshipID: tw.ID, Query: "张三"}, want: []domain.Worker{w1, w6}},
			{name: "QueryPhone", f: domain.WorkerFilter{EnterpriseID: ent.ID, Query: "1390"}, want: []domain.Worker{w3}},
			{name: "QueryPhoneEnd", f: domain.WorkerFilter{TownshipID: tw.ID, Query: "0006"}, want: []domain.Worker{w6}},
			{name: "QueryDepartment", f: domain.WorkerFilter{EnterpriseID: ent.ID, Query: "织造"}, want: []domain.Worker{w1, w3}},
			{name: "QueryUnderscoreIsLiteral", f: domain.WorkerFilter{TownshipID: tw.ID, Query: "_"}, want: []domain.Worker{w5}},
			{name: "QueryPercentIsLiteral", f: domain.WorkerFilter{TownshipID: tw.ID, Query: "%"}},
			{name: "QueryPartOfIDFindsNothing", f: domain.WorkerFilter{TownshipID: tw.ID, Query: string(personID(1))[:10]}},
			{name: "QueryAndStatus", f: domain.WorkerFilter{TownshipID: tw.ID, Query: "张", Status: domain.WorkerOnDuty}, want: []domain.Worker{w1, w4, w6}},
			{name: "QueryIDEnterprise", f: domain.WorkerFilter{EnterpriseID: ent.ID, QueryID: personID(1)}, want: []domain.Worker{w1}},
			{name: "QueryIDTownship", f: domain.WorkerFilter{TownshipID: tw.ID, QueryID: personID(1)}, want: []domain.Worker{w1, w6}},
			{name: "QueryIDOther", f: domain.WorkerFilter{TownshipID: tw.ID, QueryID: personID(3)}, want: []domain.Worker{w3}},
			{name: "QueryIDUnknown", f: domain.WorkerFilter{TownshipID: tw.ID, QueryID: personID(99)}},
			{name: "QueryIDOverridesQuery", f: domain.WorkerFilter{TownshipID: tw.ID, QueryID: personID(2), Query: "张"}, want: []domain.Worker{w2}},
			{name: "Supervisor", f: domain.WorkerFilter{TownshipID: tw.ID, SupervisorID: sup.ID}, want: []domain.Worker{w1, w2, w3, w4, w5}},
			{name: "Supervisor2", f: domain.WorkerFilter{TownshipID: tw.ID, SupervisorID: sup2.ID}, want: []domain.Worker{w6}},
			{name: "SupervisorUnassigned", f: domain.WorkerFilter{TownshipID: tw.ID, SupervisorID: idle.ID}},
			{name: "SupervisorAndQuery", f: domain.WorkerFilter{SupervisorID: sup2.ID, Query: "张三"}, want: []domain.Worker{w6}},
			{name: "PageFirst", f: domain.WorkerFilter{TownshipID: tw.ID, Page: domain.Page{Limit: 2}}, want: []domain.Worker{w1, w2}, wantTotal: 6},
			{name: "PageSecond", f: domain.WorkerFilter{TownshipID: tw.ID, Page: domain.Page{Limit: 2, Offset: 2}}, want: []domain.Worker{w3, w4}, wantTotal: 6},
			{name: "PageLast", f: domain.WorkerFilter{TownshipID: tw.ID, Page: domain.Page{Limit: 4, Offset: 4}}, want: []domain.Worker{w5, w6}, wantTotal: 6},
			{name: "PagePast", f: domain.WorkerFilter{TownshipID: tw.ID, Page: domain.Page{Limit: 2, Offset: 6}}, wantTotal: 6},
			{name: "PageFiltered", f: domain.WorkerFilter{EnterpriseID: ent.ID, Query: "车间", Page: domain.Page{Limit: 1, Offset: 1}}, want: []domain.Worker{w2}, wantTotal: 4},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := tt.f
				if f.Limit == 0 {
					f.Page = page
				}
				got, total, err := s.List(ctx, f)
				must(t, err)
				wantTotal := tt.wantTotal
				if wantTotal == 0 {
					wantTotal = len(tt.want)
				}
				if g, w := ids(got, workerID), ids(tt.want, workerID); !slices.Equal(g, w) || total != wantTotal {
					t.Fatalf("got %v of %d, want %v of %d", g, total, w, wantTotal)
				}
				for i, w := range got {
					want := tt.want[i]
					want.EnterpriseName, want.CreatedAt, want.UpdatedAt = w.EnterpriseName, w.CreatedAt, w.UpdatedAt
					if w != want || w.EnterpriseName == "" {
						t.Errorf("got %+v, want %+v with its enterprise's name", w, want)
					}
				}
			})
		}
	})
}

// createWorkers inserts n workers of an enterprise in one transaction, people from first on.
func createWorkers(t *testing.T, db *repo.DB, s *repo.WorkerStore, ent domain.Enterprise, first, n int) []domain.Worker {
	t.Helper()
	out := make([]domain.Worker, 0, n)
	err := db.InTx(context.Background(), func(ctx context.Context) error {
		for i := first; i < first+n; i++ {
			w := domain.Worker{
				TownshipID: ent.TownshipID, EnterpriseID: ent.ID, Name: fmt.Sprintf("职工%d", i), IDNumber: personID(i),
				Phone: phoneOf(i), RiskLevel: domain.RiskLow, Status: domain.WorkerExpected,
			}
			if err := s.Create(ctx, &w); err != nil {
				return err
			}
			out = append(out, w)
		}
		return nil
	})
	must(t, err)
	return out
}

func TestWorkerStoreBatches(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.WorkerStore{DB: db, Box: dbtest.Box()}
		tw := storeTownship(t, db, "371626104", "一区")
		twB := storeTownship(t, db, "371626105", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})
		ent2 := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100002", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: tw.Zones[0].ID})
		entB := storeEnterprise(t, db, domain.Enterprise{TownshipID: twB.ID, Code: "100003", Name: "丙厂", CreditCode: domain.CreditCode(creditCode(3)), ZoneID: twB.Zones[0].ID})
		inEnt := createWorkers(t, db, s, ent, 0, 700)
		inEnt2 := createWorkers(t, db, s, ent2, 500, 351) // people 500–699 are in both enterprises
		inB := createWorkers(t, db, s, entB, 0, 20)

		t.Run("FindByIDNumbers", func(t *testing.T) {
			var query []domain.IDNumber
			for i := 0; i < 1200; i++ { // 700 on ent's roster, 500 not, in chunks of 500
				query = append(query, personID(i))
			}
			got, err := s.FindByIDNumbers(ctx, ent.ID, query)
			must(t, err)
			if len(got) != len(inEnt) {
				t.Fatalf("got %d workers, want %d", len(got), len(inEnt))
			}
			for _, w := range inEnt {
				g, ok := got[w.IDNumber]
				if !ok || g.ID != w.ID || g.EnterpriseID != ent.ID || g.Name != w.Name || g.IDNumber != w.IDNumber {
					t.Fatalf("got %+v for %s, want worker %d of enterprise %d", g, w.IDNumber, w.ID, ent.ID)
				}
			}
		})
		t.Run("FindByIDNumbersOtherEnterprise", func(t *testing.T) {
			got, err := s.FindByIDNumbers(ctx, ent2.ID, []domain.IDNumber{personID(0), personID(499), personID(500), personID(850), personID(851)})
			must(t, err)
			if len(got) != 2 || got[personID(500)].ID != inEnt2[0].ID || got[personID(850)].ID != inEnt2[350].ID {
				t.Errorf("got %v, want people 500 and 850 of enterprise %d", got, ent2.ID)
			}
		})
		t.Run("FindByIDNumbersNone", func(t *testing.T) {
			for _, query := range [][]domain.IDNumber{nil, {personID(999_999)}} {
				got, err := s.FindByIDNumbers(ctx, ent.ID, query)
				must(t, err)
				if got == nil || len(got) != 0 {
					t.Errorf("got %v for %v, want an empty map", got, query)
				}
			}
		})
		t.Run("ForTownship", func(t *testing.T) {
			var sizes []int
			var seen []int64
			must(t, s.ForTownship(ctx, tw.ID, func(batch []domain.Worker) error {
				sizes = append(sizes, len(batch))
				if len(sizes) > 10 {
					return fmt.Errorf("got batches of %v and more, want 3", sizes) // never loop forever
				}
				for _, w := range batch {
					if w.TownshipID != tw.ID || w.IDNumber == "" || w.EnterpriseName == "" {
						return fmt.Errorf("got %+v, want a whole worker of township %d", w, tw.ID)
					}
					seen = append(seen, w.ID)
				}
				return nil
			}))
			want := append(ids(inEnt, workerID), ids(inEnt2, workerID)...)
			if !slices.Equal(sizes, []int{500, 500, 51}) {
				t.Errorf("got batches of %v, want 500, 500, 51", sizes)
			}
			if !slices.Equal(seen, want) {
				t.Errorf("got %d workers, want the township's %d once each, by ID", len(seen), len(want))
			}
		})
		t.Run("ForTownshipOther", func(t *testing.T) {
			var seen []int64
			must(t, s.ForTownship(ctx, twB.ID, func(batch []domain.Worker) error {
				seen = append(seen, ids(batch, workerID)...)
				return nil
			}))
			if want := ids(inB, workerID); !slices.Equal(seen, want) {
				t.Errorf("got %v, want %v", seen, want)
			}
		})
		t.Run("ForTownshipEmpty", func(t *testing.T) {
			calls := 0
			must(t, s.ForTownship(ctx, 4242, func([]domain.Worker) error { calls++; return nil }))
			if calls != 0 {
				t.Errorf("got %d calls, want none", calls)
			}
		})
		t.Run("ForTownshipStopsOnError", func(t *testing.T) {
			boom := errors.New("boom")
			calls := 0
			err := s.ForTownship(ctx, tw.ID, func([]domain.Worker) error {
				calls++
				if calls == 2 {
					return boom
				}
				return nil
			})
			if !errors.Is(err, boom) || calls != 2 {
				t.Errorf("got %v after %d calls, want boom after 2", err, calls)
			}
		})
	})
}

func TestWorkerStoreUpdate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.WorkerStore{DB: db, Box: dbtest.Box()}
		tw := storeTownship(t, db, "371626104", "一区")
		twB := storeTownship(t, db, "371626105", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})
		entB := storeEnterprise(t, db, domain.Enterprise{TownshipID: twB.ID, Code: "100002", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: twB.Zones[0].ID})
		shift1, shift2 := storeShift(t, db, ent, "甲班"), storeShift(t, db, ent, "乙班")
		w := storeWorkerIn(t, s, domain.Worker{
			TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "张三", IDNumber: personID(1), Phone: "13800000001",
			Department: "织造车间", ShiftID: shift1.ID, ShiftGroup: "甲班", OriginRegion: "420100", ArrivedOn: domain.NewDate(2020, 2, 7),
			Transport: "火车", KeyAreaExposure: true, ContactHistory: true, RiskLevel: domain.RiskHigh, RiskReason: "来自高风险地区 湖北省武汉市",
			Status: domain.WorkerIsolating, IsolationPlace: "宿舍", IsolationStart: domain.NewDate(2020, 2, 7), IsolationUntil: domain.NewDate(2020, 2, 21),
		})
		sealed := func(t *testing.T) string {
			t.Helper()
			table, err := repo.TableText(ctx, db, "workers")
			must(t, err)
			return table[0]["id_number_sealed"]
		}
		before := sealed(t)
		orig, err := s.Get(ctx, w.ID)
		must(t, err)

		t.Run("OK", func(t *testing.T) {
			next := domain.Worker{
				ID: w.ID, TownshipID: twB.ID, EnterpriseID: entB.ID, Name: "张三丰", IDNumber: personID(2), Phone: "13900000009",
				ShiftID: shift2.ID, ShiftGroup: "乙班", OriginRegion: "371681", Transport: "自驾",
				RiskLevel: domain.RiskLow, RiskReason: "无重点地区旅居史和接触史", Status: domain.WorkerOnDuty,
			}
			must(t, s.Update(ctx, next))
			got, err := s.Get(ctx, w.ID)
			must(t, err)
			want := next
			want.TownshipID, want.EnterpriseID, want.EnterpriseName, want.IDNumber = tw.ID, ent.ID, "甲厂", personID(1)
			want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
			if got != want {
				t.Errorf("got %+v, want %+v: every field but ID, township, enterprise and ID number saved", got, want)
			}
			if !got.CreatedAt.Equal(orig.CreatedAt) {
				t.Errorf("got created %v, want %v kept", got.CreatedAt, orig.CreatedAt)
			}
			if got := sealed(t); got != before {
				t.Errorf("got sealed ID number %q, want %q untouched", got, before)
			}
			found, _, err := s.List(ctx, domain.WorkerFilter{QueryID: personID(1), Page: domain.Page{Limit: 10}})
			must(t, err)
			if len(found) != 1 || found[0].ID != w.ID {
				t.Errorf("got %v by the old ID number, want worker %d", ids(found, workerID), w.ID)
			}
			found, _, err = s.List(ctx, domain.WorkerFilter{QueryID: personID(2), Page: domain.Page{Limit: 10}})
			must(t, err)
			if len(found) != 0 {
				t.Errorf("got %v by the new ID number, want none", ids(found, workerID))
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			wantErr(t, s.Update(ctx, domain.Worker{ID: 4242, Name: "无", RiskLevel: domain.RiskLow, Status: domain.WorkerExpected}), domain.ErrNotFound)
		})
	})
}

// otherBox is a personal-data box with a key other than dbtest.Box's.
func otherBox(t *testing.T) *pii.Box {
	t.Helper()
	b, err := pii.New([]byte("another-key-another-key-another!"))
	must(t, err)
	return b
}

// TestWorkerStoreCreateMany inserts more people than one statement takes (10,000 on
// PostgreSQL), across two enterprises and with and without dates, and reads each back by the ID
// CreateMany gave it; a person already on the roster refuses the batch.
func TestWorkerStoreCreateMany(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.WorkerStore{DB: db, Box: dbtest.Box()}
		tw := storeTownship(t, db, "371626104", "一区")
		ent := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100001", Name: "甲厂", CreditCode: domain.CreditCode(creditCode(1)), ZoneID: tw.Zones[0].ID})
		ent2 := storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: "100002", Name: "乙厂", CreditCode: domain.CreditCode(creditCode(2)), ZoneID: tw.Zones[0].ID})
		day := domain.NewDate(2020, 2, 10)
		ws := make([]domain.Worker, 10_050)
		for i := range ws {
			e := ent
			if i%2 == 1 {
				e = ent2
			}
			ws[i] = domain.Worker{TownshipID: tw.ID, EnterpriseID: e.ID, Name: fmt.Sprintf("职工%d", i), IDNumber: personID(i / 2),
				Phone: phoneOf(i), Department: "车间" + strconv.Itoa(i%7), OriginRegion: "371626", RiskLevel: domain.RiskLow,
				Status: domain.WorkerExpected, KeyAreaExposure: i%3 == 0}
			if i%5 == 0 {
				ws[i].ArrivedOn, ws[i].Status = day.AddDays(i%9), domain.WorkerIsolating
				ws[i].IsolationStart, ws[i].IsolationUntil = day.AddDays(i%9), day.AddDays(i%9+14)
			}
		}
		must(t, s.CreateMany(ctx, ws))
		seen := map[int64]bool{}
		for i, w := range ws {
			if w.ID == 0 || seen[w.ID] || w.CreatedAt.IsZero() {
				t.Fatalf("person %d: got ID %d (seen before: %v), created %v; want a new ID and a time", i, w.ID, seen[w.ID], w.CreatedAt)
			}
			seen[w.ID] = true
			if i%97 != 0 && i != len(ws)-1 {
				continue
			}
			got, err := s.Get(ctx, w.ID)
			must(t, err)
			if got.Name != w.Name || got.IDNumber != w.IDNumber || got.EnterpriseID != w.EnterpriseID ||
				got.ArrivedOn != w.ArrivedOn || got.IsolationUntil != w.IsolationUntil || got.KeyAreaExposure != w.KeyAreaExposure {
				t.Fatalf("person %d: read back %+v, want %+v", i, got, w)
			}
		}
		if got := rows(t, db, "workers"); got != len(ws) {
			t.Fatalf("got %d workers, want %d", got, len(ws))
		}

		again := []domain.Worker{
			{TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "新人", IDNumber: personID(900_000), Phone: phoneOf(1), RiskLevel: domain.RiskLow, Status: domain.WorkerExpected},
			{TownshipID: tw.ID, EnterpriseID: ent.ID, Name: "老人", IDNumber: personID(0), Phone: phoneOf(2), RiskLevel: domain.RiskLow, Status: domain.WorkerExpected},
		}
		wantErr(t, s.CreateMany(ctx, again), domain.ErrConflict)
		if got := rows(t, db, "workers"); got != len(ws) {
			t.Errorf("after a refused batch: got %d workers, want %d", got, len(ws))
		}
	})
}

// storeShift adds a shift of capacity 50 to an enterprise.
func storeShift(t *testing.T, db *repo.DB, e domain.Enterprise, name string) domain.Shift {
	t.Helper()
	sh := domain.Shift{TownshipID: e.TownshipID, EnterpriseID: e.ID, Name: name, Capacity: 50}
	must(t, (&repo.ShiftStore{DB: db}).Create(context.Background(), &sh))
	return sh
}

package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// workerToken adds a worker to enterprise A1, back three days ago and so due to report, and
// signs them in.
func (f *fixture) workerToken(n int) (int64, string) {
	f.t.Helper()
	id, phone := idNumber(n), fmt.Sprintf("1390000%04d", n)
	w, _, err := f.svc.Workers.Create(context.Background(), f.hrA1.Actor(), f.entA1.ID, domain.WorkerInput{Name: fmt.Sprintf("职工%d", n),
		IDNumber: id, Phone: phone, OriginRegion: "371681", ArrivedOn: dayFromToday(-3)})
	if err != nil {
		f.t.Fatal(err)
	}
	res := f.do(http.MethodPost, "/api/v1/auth/worker-enrol", "", map[string]string{"enterprise_code": f.entA1.Code, "phone": phone, "id_number": id, "pin": testPIN})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	res.decode(f.t, &tok)
	return w.ID, tok.AccessToken
}

// TestCheckins is the story through the API: a worker checks in; the same check-in
// sent 20 times at once leaves one row; a fever opens one alert that HR handles; bad readings,
// dates and other people's ids write nothing.
func TestCheckins(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		workerID, tok := f.workerToken(1)
		body := map[string]any{"slot": "am", "temperature": 36.6, "symptoms": []string{}, "location": "work"}

		t.Run("Concurrent", func(t *testing.T) {
			var wg sync.WaitGroup
			statuses := make(chan int, 20)
			for range 20 {
				wg.Go(func() { statuses <- f.do(http.MethodPost, "/api/v1/checkins", tok, body).status })
			}
			wg.Wait()
			close(statuses)
			count := map[int]int{}
			for s := range statuses {
				count[s]++
			}
			if count[201] != 1 || count[200] != 19 {
				t.Errorf("got %v, want one 201 and nineteen 200", count)
			}
			if n := f.count("checkins"); n != 1 {
				t.Errorf("got %d rows, want 1", n)
			}
		})
		t.Run("FeverAlert", func(t *testing.T) {
			fever := map[string]any{"slot": "pm", "temperature": 38.1, "symptoms": []string{"fever", "dry_cough"}}
			for range 3 {
				if res := f.do(http.MethodPost, "/api/v1/checkins", tok, fever); res.status != 201 && res.status != 200 {
					t.Fatalf("got %d %s", res.status, res.body)
				}
			}
			hr := f.token("hra1")
			res := f.do(http.MethodGet, "/api/v1/alerts?type=fever", hr, nil)
			var alerts struct {
				Items []struct{ ID int64 }
				Total int
			}
			res.decode(t, &alerts)
			if alerts.Total != 1 || !strings.Contains(string(res.body), `"detail":"体温 38.1 °C"`) {
				t.Fatalf("got %s, want one fever alert", res.body)
			}
			if res := f.do(http.MethodGet, "/api/v1/alerts?type=symptoms", hr, nil); !strings.Contains(string(res.body), `"total":1`) {
				t.Errorf("symptoms: got %s, want one alert", res.body)
			}
			path := fmt.Sprintf("/api/v1/alerts/%d", alerts.Items[0].ID)
			if res := f.do(http.MethodPost, path+"/acknowledge", f.token("supa2"), nil); res.status != 404 {
				t.Errorf("an unassigned supervisor: got %d, want 404", res.status)
			}
			if res := f.do(http.MethodPost, path+"/resolve", hr, map[string]string{}); res.status != 422 {
				t.Errorf("resolve without a note: got %d, want 422", res.status)
			}
			if res := f.do(http.MethodPost, path+"/acknowledge", hr, map[string]string{"note": "已电话联系"}); !strings.Contains(string(res.body), `"status":"acknowledged"`) {
				t.Errorf("got %s", res.body)
			}
			if res := f.do(http.MethodPost, path+"/acknowledge", hr, nil); res.status != 409 {
				t.Errorf("acknowledge twice: got %d, want 409", res.status)
			}
			if res := f.do(http.MethodPost, path+"/resolve", f.token("supa"), map[string]string{"note": "复测正常,解除"}); !strings.Contains(string(res.body), `"status":"resolved"`) {
				t.Errorf("got %s", res.body)
			}
		})
		t.Run("Refused", func(t *testing.T) {
			before := f.count("checkins")
			for name, b := range map[string]map[string]any{
				"TooCold":        {"slot": "am", "temperature": 34.0},
				"UnknownSymptom": {"slot": "am", "temperature": 36.5, "symptoms": []string{"sneezing"}},
				"FutureDate":     {"slot": "am", "temperature": 36.5, "date": dayFromToday(1)},
				"TooLate":        {"slot": "am", "temperature": 36.5, "date": dayFromToday(-2)},
				"NoSlot":         {"temperature": 36.5},
			} {
				if res := f.do(http.MethodPost, "/api/v1/checkins", tok, b); res.status != 422 {
					t.Errorf("%s: got %d %s, want 422", name, res.status, res.body)
				}
			}
			if res := f.do(http.MethodPost, "/api/v1/checkins", f.token("hra1"), body); res.status != 403 {
				t.Errorf("HR as a worker: got %d, want 403", res.status)
			}
			if n := f.count("checkins"); n != before {
				t.Errorf("got %d check-ins, want %d", n, before)
			}
		})
		t.Run("OnBehalf", func(t *testing.T) {
			other, _, err := f.svc.Workers.Create(context.Background(), domain.Actor{Role: domain.RoleEnterpriseHR, TownshipID: f.townA.ID, EnterpriseID: f.entA2.ID, UserID: f.staff(f.adminA, "hra2", domain.RoleEnterpriseHR, f.entA2.ID).ID},
				f.entA2.ID, domain.WorkerInput{Name: "外厂职工", IDNumber: idNumber(900), Phone: "13900000900"})
			if err != nil {
				t.Fatal(err)
			}
			res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/checkins", f.entA1.ID), f.token("hra1"), map[string]any{"items": []map[string]any{
				{"worker_id": workerID, "slot": "am", "temperature": 36.4, "date": dayFromToday(-1)},
				{"worker_id": other.ID, "slot": "am", "temperature": 36.4},
				{"worker_id": workerID, "slot": "pm", "temperature": 33},
			}})
			for _, want := range []string{`"created":1`, `"failed":2`, `"field":"worker_id"`, `"field":"temperature"`, fmt.Sprintf(`"submitted_by":%d`, f.hrA1.ID)} {
				if !strings.Contains(string(res.body), want) {
					t.Errorf("got %s, want %s", res.body, want)
				}
			}
			if res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/checkins", f.entA2.ID), f.token("hra1"), map[string]any{"items": []map[string]any{{"worker_id": other.ID, "slot": "am", "temperature": 36.4}}}); res.status != 404 {
				t.Errorf("another enterprise's batch: got %d, want 404", res.status)
			}
		})
		t.Run("Mine", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/checkins/me", tok, nil)
			if res.status != 200 || !strings.Contains(string(res.body), `"total":3`) {
				t.Errorf("got %d %s, want the worker's three check-ins", res.status, res.body)
			}
		})
	})
}

// TestSweepAndDayStatus checks the alerts time raises — a missed morning after the cut-off,
// once however often the sweep runs, and an isolation ending today — and HR's daily status.
func TestSweepAndDayStatus(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		hr := f.hrA1.Actor()
		areas := []domain.KeyArea{{RegionCode: "420000", RiskLevel: domain.RiskHigh}}
		if _, err := f.svc.Townships.Update(ctx, f.adminA.Actor(), f.townA.ID, domain.TownshipUpdate{KeyAreas: &areas}); err != nil {
			t.Fatal(err)
		}
		add := func(n int, origin string, arrived int) int64 {
			w, _, err := f.svc.Workers.Create(ctx, hr, f.entA1.ID, domain.WorkerInput{Name: fmt.Sprintf("职工%d", n), IDNumber: idNumber(n),
				Phone: fmt.Sprintf("1370000%04d", n), OriginRegion: origin, ArrivedOn: dayFromToday(arrived)})
			if err != nil {
				t.Fatal(err)
			}
			return w.ID
		}
		reporter, silent := add(1, "371681", 0), add(2, "371681", 0)
		isolated := add(3, "420100", -14) // from Wuhan, back 14 days ago: isolation ends today
		add(4, "371681", 1-1)             // back today: must report too
		temp := 36.5
		rs, err := f.svc.Checkins.SubmitForWorkers(ctx, hr, f.entA1.ID, []domain.CheckinInput{{WorkerID: reporter, Slot: domain.SlotAM, Temperature: &temp}})
		if err != nil || rs[0].Err != nil {
			t.Fatalf("report: %v %v", err, rs)
		}
		loc, _ := time.LoadLocation("Asia/Shanghai")
		y, m, d := time.Now().In(loc).Date()
		at := func(h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, loc) }

		// Before today's cut-off: the isolation ending today, and yesterday's two missed slots
		// of the isolating worker, the only one who was back yesterday.
		var swept domain.Swept
		if n, err := f.svc.Checkins.Sweep(ctx, at(9, 30), &swept); err != nil || n != 3 {
			t.Errorf("before the cut-off: got %d alerts (%v), want 3", n, err)
		}
		n, err := f.svc.Checkins.Sweep(ctx, at(10, 5), &swept)
		if err != nil || n != 3 {
			t.Errorf("after the cut-off: got %d new alerts (%v), want 3 missed mornings", n, err)
		}
		if n, _ := f.svc.Checkins.Sweep(ctx, at(10, 6), &swept); n != 0 {
			t.Errorf("a second sweep: got %d new alerts, want none", n)
		}
		res := f.do(http.MethodGet, "/api/v1/alerts?type=missed_checkin", f.token("hra1"), nil)
		if !strings.Contains(string(res.body), `"total":5`) || strings.Contains(string(res.body), fmt.Sprintf(`"worker_id":%d,`, reporter)) {
			t.Errorf("got %s, want five missed slots, none for the worker who reported", res.body)
		}
		if res := f.do(http.MethodGet, "/api/v1/alerts?type=isolation_ending", f.token("admina"), nil); !strings.Contains(string(res.body), fmt.Sprintf(`"worker_id":%d`, isolated)) {
			t.Errorf("got %s, want the isolation ending today", res.body)
		}
		t.Run("KeyAreaArrival", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/alerts?type=key_area_arrival", f.token("supa"), nil)
			want := fmt.Sprintf(`"worker_id":%d,"enterprise_id":%d,"date":"%s","escalated":true,"detail":"自重点地区 湖北省武汉市 返回(高风险)"`, isolated, f.entA1.ID, dayFromToday(-14))
			if !strings.Contains(string(res.body), want) || !strings.Contains(string(res.body), `"total":1`) {
				t.Errorf("got %s, want one escalated arrival alert: %s", res.body, want)
			}
		})
		t.Run("DayStatus", func(t *testing.T) {
			path := fmt.Sprintf("/api/v1/enterprises/%d/checkins", f.entA1.ID)
			res := f.do(http.MethodGet, path, f.token("supa"), nil)
			for _, want := range []string{`"expected":4`, `"checked_in_am":1`, `"missing_am":3`, `"missing_pm":4`} {
				if !strings.Contains(string(res.body), want) {
					t.Errorf("got %s, want %s", res.body, want)
				}
			}
			res = f.do(http.MethodGet, path+"?missing=am", f.token("hra1"), nil)
			if strings.Contains(string(res.body), fmt.Sprintf(`"worker_id":%d,`, reporter)) || !strings.Contains(string(res.body), fmt.Sprintf(`"worker_id":%d,`, silent)) {
				t.Errorf("missing=am: got %s, want the silent worker and not the reporter", res.body)
			}
			if res := f.do(http.MethodGet, path, f.token("supa2"), nil); res.status != 404 {
				t.Errorf("an unassigned supervisor: got %d, want 404", res.status)
			}
		})
	})
}

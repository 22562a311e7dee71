package api_test

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestReports: the town admin's daily workbook holds the dashboard's numbers for the day and
// masked ID numbers only; the range workbook one row per enterprise and day; both exports are
// audited; nobody else may export, and bad dates are refused by name.
func TestReports(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		_, worker := f.workerToken(7)
		res := f.do(http.MethodPost, "/api/v1/checkins", worker, map[string]any{"slot": "am", "temperature": 38.2, "symptoms": []string{"dry_cough"}})
		if res.status != http.StatusCreated {
			t.Fatalf("check in: got %d %s", res.status, res.body)
		}
		admin := f.token("admina")
		want := f.summary(admin, "")

		t.Run("Daily", func(t *testing.T) {
			audits := f.count("audit_events")
			res := f.do(http.MethodGet, "/api/v1/reports/daily.xlsx", admin, nil)
			if res.status != 200 || res.header.Get("Content-Type") != xlsxType ||
				!strings.Contains(res.header.Get("Content-Disposition"), "filename*=UTF-8''") {
				t.Fatalf("got %d %v, want the workbook as a download", res.status, res.header)
			}
			wb, err := excelize.OpenReader(bytes.NewReader(res.body))
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			if got := wb.GetSheetList(); !slices.Equal(got, []string{"汇总", "企业明细", "错峰返岗", "抽查核验", "异常人员", "未打卡", "重点地区返岗", "隔离观察", "未登记返岗"}) {
				t.Errorf("got sheets %v", got)
			}
			rows, _ := wb.GetRows("汇总", excelize.Options{RawCellValue: true})
			got := map[string]string{}
			for _, r := range rows {
				if len(r) >= 2 {
					got[r[0]] = r[1]
				}
			}
			for label, w := range map[string]int{"企业总数": want.EnterprisesTotal, "花名册人数": want.WorkersTotal,
				"上午已打卡": want.CheckinsAM, "下午已打卡": want.CheckinsPM, "发热": want.Fever, "未处理预警": want.AlertsOpen} {
				if got[label] != strconv.Itoa(w) {
					t.Errorf("汇总 %s: got %q, want the dashboard's %d", label, got[label], w)
				}
			}
			abnormal, _ := wb.GetRows("异常人员")
			id := idNumber(7)
			if len(abnormal) != 2 || !strings.Contains(strings.Join(abnormal[1], "|"), "职工7") {
				t.Errorf("异常人员: got %v, want the worker with the fever", abnormal)
			}
			if bytes.Contains(res.body, []byte(id)) || strings.Contains(strings.Join(abnormal[1], "|"), id) {
				t.Error("the workbook holds a whole ID number, want them masked")
			}
			if n := f.count("audit_events"); n != audits+1 {
				t.Errorf("got %d audit events after the export, want %d", n, audits+1)
			}
		})
		t.Run("Range", func(t *testing.T) {
			day := want.Date
			res := f.do(http.MethodGet, "/api/v1/reports/range.xlsx?from="+day+"&to="+day, admin, nil)
			if res.status != 200 {
				t.Fatalf("got %d %s", res.status, res.body)
			}
			wb, err := excelize.OpenReader(bytes.NewReader(res.body))
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			rows, _ := wb.GetRows(wb.GetSheetList()[0])
			found := false
			for _, r := range rows {
				found = found || slices.Contains(r, f.entA1.Name)
			}
			if !found {
				t.Errorf("got rows %v, want enterprise A1's day", rows)
			}
		})
		t.Run("Refused", func(t *testing.T) {
			audits := f.changes()
			denied := len(f.events("access.denied"))
			for _, tc := range []struct {
				name, token, path string
				want              int
				fields            []string
			}{
				{"Supervisor", f.token("supa"), "/api/v1/reports/daily.xlsx", 403, nil},
				{"HR", f.token("hra1"), "/api/v1/reports/range.xlsx?from=2020-02-01&to=2020-02-02", 403, nil},
				{"Unsigned", "", "/api/v1/reports/daily.xlsx", 401, nil},
				{"NoRange", admin, "/api/v1/reports/range.xlsx", 422, []string{"from", "to"}},
				{"Backwards", admin, "/api/v1/reports/range.xlsx?from=2020-02-10&to=2020-02-01", 422, []string{"from"}},
				{"BadDate", admin, "/api/v1/reports/daily.xlsx?date=20200210", 422, []string{"date"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res := f.do(http.MethodGet, tc.path, tc.token, nil)
					if res.status != tc.want {
						t.Fatalf("got %d %s, want %d", res.status, res.body, tc.want)
					}
					if tc.fields != nil && !slices.Equal(res.errorFields(t), tc.fields) {
						t.Errorf("got fields %v, want %v", res.errorFields(t), tc.fields)
					}
				})
			}
			if n := f.changes(); n != audits {
				t.Errorf("refused exports wrote %d audit events of exports, want none", n-audits)
			}
			if n := len(f.events("access.denied")) - denied; n != 2 {
				t.Errorf("got %d refusals in the audit log, want the two 403s", n)
			}
		})
	})
}

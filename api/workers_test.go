package api_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// idNumber makes the n-th valid ID number of a test person born in Zouping.
func idNumber(n int) string {
	first17 := fmt.Sprintf("371626%s%03d", domain.NewDate(1970, 1, 1).AddDays(n).Time().Format("20060102"), n%1000)
	return first17 + string(domain.IDCheckChar(first17))
}

// upload posts a workbook as the multipart field file.
func (f *fixture) upload(path, token, accept string, workbook []byte) response {
	f.t.Helper()
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	return f.uploadWith(path, token, h, workbook)
}

// uploadWith is upload with the request headers given (Accept, Accept-Language).
func (f *fixture) uploadWith(path, token string, header http.Header, workbook []byte) response {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", "花名册.xlsx")
	if err != nil {
		f.t.Fatal(err)
	}
	part.Write(workbook)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// filledTemplate downloads the template and fills it like HR does, below the example row.
func (f *fixture) filledTemplate(token string, n int, edit func(row int, cells []any) []any) []byte {
	f.t.Helper()
	res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/workers/import-template", f.entA1.ID), token, nil)
	if res.status != 200 || res.header.Get("Content-Type") != xlsxType {
		f.t.Fatalf("template: got %d %s", res.status, res.header.Get("Content-Type"))
	}
	book, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		f.t.Fatal(err)
	}
	for i := range n {
		cells := []any{fmt.Sprintf("职工%d", i), idNumber(i), fmt.Sprintf("1380000%04d", i), "织造车间", "甲班",
			"山东省滨州市邹平市", "2026-01-05", "自驾", "否", "否"}
		if edit != nil {
			cells = edit(i+3, cells)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := book.SetSheetRow("花名册", cell, &cells); err != nil {
			f.t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := book.Write(&out); err != nil {
		f.t.Fatal(err)
	}
	return out.Bytes()
}

// TestRosterImport is the story: the template is filled with 1,000 rows and imported;
// the same file again creates nothing; one bad ID among 1,000 writes nothing and is named by
// row and column, also in the annotated workbook.
func TestRosterImport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		hr := f.token("hra1")
		path := fmt.Sprintf("/api/v1/enterprises/%d/workers/import", f.entA1.ID)
		good := f.filledTemplate(hr, 1000, nil)

		t.Run("DryRun", func(t *testing.T) {
			res := f.upload(path+"?dry_run=true", hr, "", good)
			if res.status != 200 || !strings.Contains(string(res.body), `"created":1000`) || !strings.Contains(string(res.body), `"dry_run":true`) {
				t.Fatalf("got %d %s", res.status, res.body)
			}
			if n := f.count("workers"); n != 0 {
				t.Errorf("got %d workers after a dry run, want 0", n)
			}
		})
		t.Run("Import", func(t *testing.T) {
			res := f.upload(path, hr, "", good)
			if res.status != 200 || !strings.Contains(string(res.body), `"created":1000,"updated":0`) {
				t.Fatalf("got %d %s", res.status, res.body)
			}
			if n := f.count("workers"); n != 1000 {
				t.Errorf("got %d workers, want 1000", n)
			}
		})
		t.Run("Reimport", func(t *testing.T) {
			res := f.upload(path, hr, "", good)
			if res.status != 200 || !strings.Contains(string(res.body), `"created":0,"updated":0,"unchanged":1000`) {
				t.Fatalf("got %d %s", res.status, res.body)
			}
		})
		bad := f.filledTemplate(hr, 1000, func(row int, cells []any) []any {
			switch row {
			case 3:
				cells[0] = "新职工" // a new person in row 3 must not be written either
				cells[1] = idNumber(5000)
			case 500:
				id := cells[1].(string)
				cells[1] = id[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", id[17])+1)%11])
			}
			return cells
		})
		t.Run("OneBadRow", func(t *testing.T) {
			res := f.upload(path, hr, "", bad)
			want := `"errors":[{"row":500,"column":"身份证号","message":"身份证号校验位不正确,请核对是否抄错"}]`
			if res.status != 422 || !strings.Contains(string(res.body), want) || !strings.Contains(string(res.body), `"code":"invalid"`) {
				t.Fatalf("got %d %s, want 422 with %s", res.status, res.body, want)
			}
			if n := f.count("workers"); n != 1000 {
				t.Errorf("got %d workers, want the 1000 from before and nothing new", n)
			}
		})
		t.Run("ErrorWorkbook", func(t *testing.T) {
			res := f.upload(path, hr, xlsxType, bad)
			if res.status != 422 || res.header.Get("Content-Type") != xlsxType {
				t.Fatalf("got %d %s %.200s", res.status, res.header.Get("Content-Type"), res.body)
			}
			book, err := excelize.OpenReader(bytes.NewReader(res.body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := book.GetRows("花名册")
			if len(rows) < 500 || !strings.Contains(strings.Join(rows[499], "|"), "校验位不正确") {
				t.Errorf("row 500: got %v, want the error in an added column", rows[499])
			}
		})
		t.Run("NotAWorkbook", func(t *testing.T) {
			res := f.upload(path, hr, "", []byte("姓名,身份证号\n张三,371626199001011234\n"))
			if got := res.errorFields(t); res.status != 422 || len(got) != 1 || got[0] != "file" {
				t.Errorf("got %d %v %s, want 422 naming file", res.status, got, res.body)
			}
		})
		t.Run("Scope", func(t *testing.T) {
			f.staff(f.adminA, "hra2", domain.RoleEnterpriseHR, f.entA2.ID)
			for user, want := range map[string]int{"hra2": 404, "adminb": 404, "supa2": 404, "admina": 403, "supa": 403} {
				if res := f.upload(path, f.token(user), "", good); res.status != want {
					t.Errorf("%s: got %d %.200s, want %d", user, res.status, res.body, want)
				}
			}
		})
		t.Run("NoPlainIDInLogs", func(t *testing.T) {
			if logs := f.logs.String(); strings.Contains(logs, idNumber(1)) || strings.Contains(logs, idNumber(500)[:14]) {
				t.Errorf("a plain ID number is in the logs")
			}
		})
	})
}

// TestWorkers checks the roster's records through the API: derived fields, masking, who may
// reveal a whole ID number, scope, and risk following the township's key areas.
func TestWorkers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		hr, admin := f.token("hra1"), f.token("admina")
		list := fmt.Sprintf("/api/v1/enterprises/%d/workers", f.entA1.ID)
		wuhan := map[string]any{"name": "李四", "id_number": " " + strings.ToLower(idNumber(7)) + " ", "phone": "138 0000 0007",
			"origin_region": "湖北省武汉市", "arrived_on": dayFromToday(-3), "transport": "火车"}
		res := f.do(http.MethodPost, list, hr, wuhan)
		if res.status != 201 {
			t.Fatalf("create: got %d %s", res.status, res.body)
		}
		var w struct {
			ID             int64
			IDNumber       string `json:"id_number"`
			RiskLevel      string `json:"risk_level"`
			Status         string
			IsolationUntil string `json:"isolation_until"`
		}
		res.decode(t, &w)
		path := fmt.Sprintf("/api/v1/workers/%d", w.ID)
		t.Run("Derived", func(t *testing.T) {
			// Township A has no key areas yet: low risk, on duty.
			if w.IDNumber != idNumber(7)[:2]+"***************"+idNumber(7)[17:] || w.RiskLevel != "low" || w.Status != "on_duty" {
				t.Errorf("got %+v, want masked, low, on duty", w)
			}
		})
		t.Run("Duplicate", func(t *testing.T) {
			if res := f.do(http.MethodPost, list, hr, wuhan); res.status != 409 || !strings.Contains(string(res.body), `"field":"id_number"`) {
				t.Errorf("got %d %s, want 409 naming id_number", res.status, res.body)
			}
		})
		t.Run("KeyAreasReevaluate", func(t *testing.T) {
			res := f.do(http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", f.townA.ID), admin,
				map[string]any{"key_areas": []map[string]string{{"region_code": "420000", "risk_level": "high"}}})
			if res.status != 200 {
				t.Fatalf("got %d %s", res.status, res.body)
			}
			res = f.do(http.MethodGet, path, hr, nil)
			for _, want := range []string{`"risk_level":"high"`, `"status":"isolating"`, `"isolation_until":"` + dayFromToday(11) + `"`, `"isolation_days_left":11`, "来自高风险地区 湖北省武汉市"} {
				if !strings.Contains(string(res.body), want) {
					t.Errorf("got %s, want %s", res.body, want)
				}
			}
			if res := f.do(http.MethodPatch, path, hr, map[string]string{"status": "on_duty"}); res.status != 422 || !strings.Contains(string(res.body), `"field":"status"`) {
				t.Errorf("on duty during isolation: got %d %s, want 422", res.status, res.body)
			}
			f.do(http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", f.townA.ID), admin, map[string]any{"key_areas": []any{}})
			if res := f.do(http.MethodGet, path, hr, nil); !strings.Contains(string(res.body), `"risk_level":"low"`) {
				t.Errorf("after the key area is gone: got %s, want low", res.body)
			}
		})
		t.Run("Reveal", func(t *testing.T) {
			before := f.count("audit_events")
			if res := f.do(http.MethodGet, path+"?reveal=true", hr, nil); !strings.Contains(string(res.body), idNumber(7)) {
				t.Errorf("HR reveal: got %s, want the whole number", res.body)
			}
			if n := f.count("audit_events"); n != before+1 {
				t.Errorf("got %d audit events, want %d: a revealed read is recorded", n, before+1)
			}
			if res := f.do(http.MethodGet, path+"?reveal=true", admin, nil); res.status != 403 {
				t.Errorf("town admin reveal: got %d, want 403", res.status)
			}
			if res := f.do(http.MethodGet, path, admin, nil); res.status != 200 || strings.Contains(string(res.body), idNumber(7)) {
				t.Errorf("town admin read: got %d %s, want it masked", res.status, res.body)
			}
		})
		t.Run("Scope", func(t *testing.T) {
			f.staff(f.adminA, "hra2", domain.RoleEnterpriseHR, f.entA2.ID)
			for user, want := range map[string]int{"hra2": 404, "adminb": 404, "supa2": 404, "supa": 200} {
				if res := f.do(http.MethodGet, path, f.token(user), nil); res.status != want {
					t.Errorf("%s: got %d, want %d", user, res.status, want)
				}
			}
			if res := f.do(http.MethodGet, list, f.token("supa2"), nil); res.status != 404 {
				t.Errorf("unassigned supervisor's list: got %d, want 404", res.status)
			}
		})
		t.Run("Export", func(t *testing.T) {
			for user, wantWhole := range map[string]bool{"hra1": true, "supa": false} {
				res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/workers/export", f.entA1.ID), f.token(user), nil)
				if res.status != 200 {
					t.Fatalf("%s: got %d", user, res.status)
				}
				book, err := excelize.OpenReader(bytes.NewReader(res.body))
				if err != nil {
					t.Fatal(err)
				}
				rows, _ := book.GetRows(book.GetSheetName(0))
				if len(rows) != 2 || (strings.Contains(strings.Join(rows[1], "|"), idNumber(7)) != wantWhole) {
					t.Errorf("%s: got %v, want one worker, ID whole=%v", user, rows, wantWhole)
				}
			}
		})
		t.Run("Regions", func(t *testing.T) {
			if res := f.do(http.MethodGet, "/api/v1/regions?q=武汉", hr, nil); !strings.Contains(string(res.body), `{"code":"420100","name":"湖北省武汉市"}`) {
				t.Errorf("got %s", res.body)
			}
		})
		t.Run("NoPlainIDInLogs", func(t *testing.T) {
			if strings.Contains(f.logs.String(), idNumber(7)) {
				t.Error("a plain ID number is in the logs")
			}
		})
	})
}

// TestRosterImportLarge imports a 10,000-row workbook, four batches: every row validated, all
// written in one transaction, nothing when a row of a later batch is wrong.
func TestRosterImportLarge(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		hr := f.token("hra1")
		path := fmt.Sprintf("/api/v1/enterprises/%d/workers/import", f.entA1.ID)
		// An import writes a batch while it reads the next: a problem far down the file
		// must still leave nothing of the batches written before it was read.
		late := func(row int, change func([]any)) []byte {
			return f.filledTemplate(hr, 10_000, func(r int, cells []any) []any {
				if r == row {
					change(cells)
				}
				return cells
			})
		}
		for _, tc := range []struct {
			name string
			book []byte
			want string
		}{
			{"BadRowLate", late(9_500, func(c []any) { c[2] = "12345" }),
				`"errors":[{"row":9500,"column":"手机号"`},
			{"SamePersonLate", late(9_000, func(c []any) { c[1] = idNumber(0) }),
				`"errors":[{"row":9000,"column":"身份证号","message":"与第 3 行是同一人"}]`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := f.upload(path, hr, "", tc.book)
				if res.status != 422 || !strings.Contains(string(res.body), tc.want) {
					t.Fatalf("got %d %.300s, want 422 with %s", res.status, res.body, tc.want)
				}
				if n := f.count("workers"); n != 0 {
					t.Errorf("got %d workers, want none", n)
				}
			})
		}
		book := f.filledTemplate(hr, 10_000, nil)
		t.Run("DryRun", func(t *testing.T) {
			res := f.upload(path+"?dry_run=true", hr, "", book)
			if res.status != 200 || !strings.Contains(string(res.body), `"created":10000`) {
				t.Fatalf("got %d %.300s", res.status, res.body)
			}
			if n := f.count("workers"); n != 0 {
				t.Errorf("got %d workers after a dry run, want none", n)
			}
		})
		res := f.upload(path, hr, "", book)
		if res.status != 200 || !strings.Contains(string(res.body), `"created":10000`) {
			t.Fatalf("got %d %.300s", res.status, res.body)
		}
		if n := f.count("workers"); n != 10_000 {
			t.Errorf("got %d workers, want 10000", n)
		}
	})
}

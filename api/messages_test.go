package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/repo/dbtest"
)

// localizedError is the error shape with the catalog's code and parameters.
type localizedError struct {
	Error struct {
		Code        string            `json:"code"`
		Message     string            `json:"message"`
		MessageCode *string           `json:"message_code"`
		Params      map[string]string `json:"params"`
		Fields      []struct {
			Field       string            `json:"field"`
			Message     string            `json:"message"`
			MessageCode *string           `json:"message_code"`
			Params      map[string]string `json:"params"`
		} `json:"fields"`
	} `json:"error"`
}

func (f *fixture) localized(method, path, token string, body any, lang string) (response, localizedError) {
	f.t.Helper()
	var h http.Header
	if lang != "" {
		h = http.Header{"Accept-Language": {lang}}
	}
	res := f.doWith(method, path, token, body, h)
	var out localizedError
	if err := json.Unmarshal(res.body, &out); err != nil {
		f.t.Fatalf("%s %s: %v in %s", method, path, err, res.body)
	}
	return res, out
}

// TestErrorsInEnglish: an error comes with its stable message_code and params, and in English
// when Accept-Language prefers it, in Chinese without the header.
func TestErrorsInEnglish(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Engines(t)[0].Open(t))
	admin, hr := f.token("admina"), f.token("hra1")
	bad := map[string]any{"name": "新企业", "credit_code": "12345", "contact_phone": "abc"}

	t.Run("InvalidEnglish", func(t *testing.T) {
		res, e := f.localized(http.MethodPost, "/api/v1/enterprises", admin, bad, "en-US,en;q=0.9,zh-CN;q=0.8")
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("got %d, want 422: %s", res.status, res.body)
		}
		if e.Error.Message != "Please check the marked fields" || e.Error.MessageCode == nil || *e.Error.MessageCode != "invalid" {
			t.Errorf("got message %q code %v, want the English of invalid", e.Error.Message, e.Error.MessageCode)
		}
		want := map[string][2]string{
			"credit_code":   {"credit_code.length", "The unified social credit code must have 18 characters"},
			"contact_phone": {"enterprise.phone_format", "The phone must be an 11-digit mobile or a landline with area code (e.g. 0543-4321234)"},
		}
		for _, fe := range e.Error.Fields {
			w, ok := want[fe.Field]
			if !ok {
				continue
			}
			delete(want, fe.Field)
			if fe.MessageCode == nil || *fe.MessageCode != w[0] || fe.Message != w[1] || fe.Params == nil {
				t.Errorf("field %s: got %v %q %v, want %s %q {}", fe.Field, fe.MessageCode, fe.Message, fe.Params, w[0], w[1])
			}
		}
		if len(want) > 0 {
			t.Errorf("fields %v missing in %s", want, res.body)
		}
	})
	t.Run("InvalidChinese", func(t *testing.T) {
		res, e := f.localized(http.MethodPost, "/api/v1/enterprises", admin, bad, "")
		if res.status != http.StatusUnprocessableEntity || e.Error.Message != "输入有误,请检查标出的字段" || *e.Error.MessageCode != "invalid" {
			t.Fatalf("got %d %s, want 422 in Chinese", res.status, res.body)
		}
		for _, fe := range e.Error.Fields {
			if fe.Field == "credit_code" && (fe.Message != "统一社会信用代码应为 18 位" || *fe.MessageCode != "credit_code.length") {
				t.Errorf("got %q %v, want the Chinese with its code", fe.Message, *fe.MessageCode)
			}
		}
	})
	t.Run("Params", func(t *testing.T) {
		res, e := f.localized(http.MethodPost, "/api/v1/enterprises", admin, map[string]any{"zz_misspelt": 1}, "en")
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("got %d, want 422: %s", res.status, res.body)
		}
		if e.Error.Message != "Unknown fields in the request: zz_misspelt" || *e.Error.MessageCode != "request.unknown_fields" || e.Error.Params["fields"] != "zz_misspelt" {
			t.Errorf("got %q %v %v, want the unknown field named in English and in params", e.Error.Message, *e.Error.MessageCode, e.Error.Params)
		}
		if len(e.Error.Fields) != 1 || e.Error.Fields[0].Message != "This endpoint does not accept this field" {
			t.Errorf("got fields %+v, want the field's message in English", e.Error.Fields)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		res, e := f.localized(http.MethodGet, "/api/v1/enterprises/999999", admin, nil, "en")
		if res.status != http.StatusNotFound || e.Error.Message != "Enterprise not found" || *e.Error.MessageCode != "not_found" || e.Error.Params["what"] != "enterprise" {
			t.Errorf("got %d %s, want 404 Enterprise not found, params what enterprise", res.status, res.body)
		}
		res, e = f.localized(http.MethodGet, "/api/v1/enterprises/999999", admin, nil, "")
		if e.Error.Message != "企业不存在" || e.Error.Params["what"] != "企业" {
			t.Errorf("got %s, want 企业不存在, params what 企业", res.body)
		}
	})
	t.Run("ParamsInEnglish", func(t *testing.T) {
		// A role's label in a field's message, and a text field's label: both the server's
		// words, so English in the message and in params; the Chinese answer keeps them Chinese.
		body := map[string]any{"username": "hr.new", "password": "s3cret-pass", "role": "enterprise_hr", "name": "王五"}
		blank := map[string]any{"username": "hr.new", "password": "s3cret-pass", "role": "gate", "name": " "}
		for _, tt := range []struct{ lang, role, enterprise, label string }{
			{"en", "enterprise HR", "Enterprise HR accounts must have an enterprise", "name"},
			{"", "企业人事", "企业人事账号必须选择所属企业", "姓名"},
		} {
			_, e := f.localized(http.MethodPost, "/api/v1/users", admin, blank, tt.lang)
			if len(e.Error.Fields) == 0 || e.Error.Fields[0].Field != "name" || e.Error.Fields[0].Params["label"] != tt.label {
				t.Errorf("Accept-Language %q: got %+v, want field name with label %q", tt.lang, e.Error.Fields, tt.label)
			}
			res, e := f.localized(http.MethodPost, "/api/v1/users", admin, body, tt.lang)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("Accept-Language %q: got %d, want 422: %s", tt.lang, res.status, res.body)
			}
			got := map[string]string{}
			for _, fe := range e.Error.Fields {
				got[fe.Field] = fe.Message
				switch fe.Field {
				case "enterprise_id":
					if fe.Params["role"] != tt.role {
						t.Errorf("Accept-Language %q: got params %v, want role %q", tt.lang, fe.Params, tt.role)
					}
				case "name":
					if fe.Params["label"] != tt.label {
						t.Errorf("Accept-Language %q: got params %v, want label %q", tt.lang, fe.Params, tt.label)
					}
				}
			}
			if got["enterprise_id"] != tt.enterprise {
				t.Errorf("Accept-Language %q: got %q, want %q (in %s)", tt.lang, got["enterprise_id"], tt.enterprise, res.body)
			}
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		path := "/api/v1/enterprises/" + strconv.FormatInt(f.entA1.ID, 10)
		res, e := f.localized(http.MethodPatch, path, hr, map[string]any{"name": "改名"}, "en")
		if res.status != http.StatusForbidden {
			t.Fatalf("got %d, want 403: %s", res.status, res.body)
		}
		if e.Error.Message != "Enterprise accounts can only change the address, contact, phone and headcount" || *e.Error.MessageCode != "enterprise.fields_for_hr" {
			t.Errorf("got %q code %q, want the English of enterprise.fields_for_hr", e.Error.Message, *e.Error.MessageCode)
		}
		if len(e.Error.Fields) != 1 || e.Error.Fields[0].Message != "Enterprise accounts cannot change this; please contact the town team" {
			t.Errorf("got fields %+v, want name's message in English", e.Error.Fields)
		}
		res, e = f.localized(http.MethodGet, "/api/v1/audit", f.token("supa"), nil, "en")
		if res.status != http.StatusForbidden || hasHan(e.Error.Message) || *e.Error.MessageCode == "" {
			t.Errorf("got %d %s, want 403 in English with a code", res.status, res.body)
		}
	})
	t.Run("EchoOwnErrors", func(t *testing.T) {
		res, e := f.localized(http.MethodGet, "/api/v1/no-such-thing", admin, nil, "en")
		if res.status != http.StatusNotFound || e.Error.Message != "No such endpoint" || *e.Error.MessageCode != "not_found.route" {
			t.Errorf("got %d %s, want 404 No such endpoint", res.status, res.body)
		}
		if res.header.Get("Vary") == "" {
			t.Errorf("got no Vary header, want Accept-Language in it")
		}
	})
	t.Run("BatchItems", func(t *testing.T) {
		w, _, err := f.svc.Workers.Create(context.Background(), f.hrA1.Actor(), f.entA1.ID,
			domain.WorkerInput{Name: "李四", IDNumber: idNumber(901), Phone: "13900000901"})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/enterprises/%d/checkins", f.entA1.ID)
		body := map[string]any{"items": []map[string]any{{"worker_id": w.ID, "slot": "pm", "temperature": 33}}}
		res := f.doWith(http.MethodPost, path, hr, body, http.Header{"Accept-Language": {"en"}})
		var out struct {
			Results []struct {
				Error struct {
					MessageCode string `json:"message_code"`
					Message     string `json:"message"`
					Fields      []struct {
						Field, Message string
					} `json:"fields"`
				} `json:"error"`
			} `json:"results"`
		}
		res.decode(t, &out)
		if len(out.Results) != 1 || out.Results[0].Error.MessageCode != "invalid" || len(out.Results[0].Error.Fields) != 1 ||
			out.Results[0].Error.Fields[0].Message != "The temperature must be between 35.0 and 42.0 °C; please measure again" {
			t.Errorf("got %s, want the item's error in English", res.body)
		}
	})
	t.Run("OpenAPI", func(t *testing.T) {
		var doc struct {
			Components struct {
				Schemas struct {
					Error struct {
						Properties struct {
							Error struct {
								Required []string `json:"required"`
							} `json:"error"`
						} `json:"properties"`
					} `json:"Error"`
				} `json:"schemas"`
			} `json:"components"`
		}
		f.do(http.MethodGet, "/api/openapi.json", "", nil).decode(t, &doc)
		got := doc.Components.Schemas.Error.Properties.Error.Required
		if !slices.Contains(got, "message_code") || !slices.Contains(got, "params") {
			t.Errorf("got required %v, want message_code and params documented", got)
		}
	})
	t.Run("ChineseWins", func(t *testing.T) {
		for _, lang := range []string{"zh-CN", "en;q=0.3, zh;q=0.9", "fr-FR", "*"} {
			_, e := f.localized(http.MethodGet, "/api/v1/enterprises/999999", admin, nil, lang)
			if e.Error.Message != "企业不存在" {
				t.Errorf("Accept-Language %q: got %q, want Chinese", lang, e.Error.Message)
			}
		}
	})
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// TestImportErrorsInEnglish: a roster's row errors follow Accept-Language too.
func TestImportErrorsInEnglish(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Engines(t)[0].Open(t))
	hr := f.token("hra1")
	book := f.filledTemplate(hr, 2, func(row int, cells []any) []any {
		if row == 4 {
			cells[1] = "12345"
		}
		return cells
	})
	path := "/api/v1/enterprises/" + strconv.FormatInt(f.entA1.ID, 10) + "/workers/import"
	for _, tt := range []struct{ lang, message, row string }{
		{"en", "1 error(s) found; nothing was imported. Please fix them and upload again", "The ID number must have 18 characters"},
		{"", "发现 1 处错误,未导入任何数据;请改正后重新上传", "身份证号应为 18 位"},
	} {
		res := f.uploadWith(path, hr, http.Header{"Accept-Language": {tt.lang}}, book)
		var out struct {
			Error struct {
				Message     string `json:"message"`
				MessageCode string `json:"message_code"`
			} `json:"error"`
			Errors []struct {
				Row     int    `json:"row"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(res.body, &out); err != nil {
			t.Fatal(err)
		}
		if res.status != http.StatusUnprocessableEntity || out.Error.Message != tt.message || out.Error.MessageCode != "roster.errors" {
			t.Errorf("Accept-Language %q: got %d %q %q, want 422 %q roster.errors", tt.lang, res.status, out.Error.Message, out.Error.MessageCode, tt.message)
		}
		if len(out.Errors) != 1 || out.Errors[0].Row != 4 || out.Errors[0].Message != tt.row {
			t.Errorf("Accept-Language %q: got row errors %+v, want row 4 %q", tt.lang, out.Errors, tt.row)
		}
	}
}

// TestImportSheetErrorsInEnglish: what is wrong with the sheet itself (a column missing, a
// file that is no workbook) is English too; the row and the column are named in the answer's
// own fields, and a column the sheet must have keeps its header as the sheet has it.
func TestImportSheetErrorsInEnglish(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Engines(t)[0].Open(t))
	hr := f.token("hra1")
	path := "/api/v1/enterprises/" + strconv.FormatInt(f.entA1.ID, 10) + "/workers/import"
	book := excelize.NewFile()
	defer book.Close()
	for i, r := range [][]string{{"姓名", "手机号"}, {"张三", "13800000001"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := book.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := book.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ lang, message string }{
		{"en", `The column "身份证号" is missing`},
		{"", "缺少「身份证号」列"},
	} {
		res := f.uploadWith(path, hr, http.Header{"Accept-Language": {tt.lang}}, buf.Bytes())
		var out struct {
			Errors []struct {
				Row     int    `json:"row"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(res.body, &out); err != nil {
			t.Fatal(err)
		}
		if res.status != http.StatusUnprocessableEntity || len(out.Errors) != 1 || out.Errors[0].Row != 1 || out.Errors[0].Message != tt.message {
			t.Errorf("Accept-Language %q: got %d %s, want 422 with row 1 %q", tt.lang, res.status, res.body, tt.message)
		}
	}
	res := f.uploadWith(path, hr, http.Header{"Accept-Language": {"en"}}, []byte("name,phone\n张三,13800000001\n"))
	var e localizedError
	if err := json.Unmarshal(res.body, &e); err != nil {
		t.Fatal(err)
	}
	if res.status != http.StatusUnprocessableEntity || len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "file" ||
		hasHan(e.Error.Fields[0].Message) || e.Error.Fields[0].MessageCode == nil || !strings.HasPrefix(*e.Error.Fields[0].MessageCode, "upload.") {
		t.Errorf("a CSV in English: got %d %s, want 422 on file in English with an upload.* code", res.status, res.body)
	}
}

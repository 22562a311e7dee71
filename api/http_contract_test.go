package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestHTTPContract: API answers, refusals included, are never cached (most carry personal data),
// and HEAD of a GET route answers as GET without a body, not 404 (issue 16, item 12).
func TestHTTPContract(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		roster := fmt.Sprintf("/api/v1/enterprises/%d/workers", f.entA1.ID)
		for _, tt := range []struct {
			name, method, path, token string
			wantStatus                int
		}{
			{"OKList", http.MethodGet, roster, admin, http.StatusOK},
			{"OKMe", http.MethodGet, "/api/v1/me", admin, http.StatusOK},
			{"ErrUnauthenticated", http.MethodGet, roster, "", http.StatusUnauthorized},
			{"ErrNotFound", http.MethodGet, "/api/v1/enterprises/999999", admin, http.StatusNotFound},
			{"OKHead", http.MethodHead, roster, admin, http.StatusOK},
			{"ErrUnauthenticatedHead", http.MethodHead, roster, "", http.StatusUnauthorized},
		} {
			t.Run(tt.name, func(t *testing.T) {
				res := f.do(tt.method, tt.path, tt.token, nil)
				if res.status != tt.wantStatus {
					t.Fatalf("%s %s: got %d %s, want %d", tt.method, tt.path, res.status, res.body, tt.wantStatus)
				}
				if got := res.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("got Cache-Control %q, want no-store", got)
				}
				if tt.method == http.MethodHead && len(res.body) != 0 {
					t.Errorf("HEAD: got a body of %d bytes, want none", len(res.body))
				}
			})
		}
		t.Run("OKHeadSameHeadersAsGet", func(t *testing.T) {
			get, head := f.do(http.MethodGet, "/api/v1/me", admin, nil), f.do(http.MethodHead, "/api/v1/me", admin, nil)
			if head.header.Get("Content-Type") != get.header.Get("Content-Type") || len(get.body) == 0 {
				t.Errorf("got HEAD %v, GET %v: want GET's headers without its body", head.header, get.header)
			}
		})
	})
}

// TestPageBounds: a page number past any list is refused naming page, not wrapped around to
// page 1 (issue 16, item 10).
func TestPageBounds(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		for _, page := range []string{"0", "1000001", "9223372036854775807", "4611686018427387904"} {
			res := f.do(http.MethodGet, "/api/v1/enterprises?page="+page, admin, nil)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"field":"page"`) {
				t.Errorf("page=%s: got %d %s, want 422 naming page", page, res.status, res.body)
			}
		}
		if res := f.do(http.MethodGet, "/api/v1/enterprises?page=1000000", admin, nil); res.status != http.StatusOK {
			t.Errorf("page=1000000: got %d %s, want 200 (an empty page)", res.status, res.body)
		}
	})
}

// TestDatesBounded: a date past the years Fugong takes is refused naming its field, not kept
// (issue 16, item 10: an isolation until 9999 was accepted).
func TestDatesBounded(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		id, _ := f.workerToken(1)
		hr := f.token("hra1")
		path := fmt.Sprintf("/api/v1/workers/%d", id)
		for _, tt := range []struct {
			field string
			body  map[string]any
		}{
			{"isolation_until", map[string]any{"status": "isolating", "isolation_until": "9999-12-31"}},
			{"arrived_on", map[string]any{"arrived_on": "9999-01-01"}},
			{"arrived_on", map[string]any{"arrived_on": "1899-12-31"}},
		} {
			res := f.do(http.MethodPatch, path, hr, tt.body)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"field":"`+tt.field+`"`) {
				t.Errorf("%v: got %d %s, want 422 naming %s", tt.body, res.status, res.body, tt.field)
			}
		}
		if res := f.do(http.MethodGet, "/api/v1/dashboard/summary?date=9999-01-01", f.token("admina"), nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("summary of 9999-01-01: got %d %s, want 422", res.status, res.body)
		}
	})
}

// TestUnknownFieldsRefused: a field a write route does not have is refused with 422 naming it,
// on every route that takes a body (issue 16, item 10: a misspelt key in a PUT of supervisors
// was ignored, and cleared them all with 200). Bodies are read before anything else is
// checked, so one admin token and the ID 1 reach every route's decoding.
func TestUnknownFieldsRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		for _, rt := range f.routes.List {
			if rt.Body == nil {
				continue
			}
			path := "/api/v1" + strings.ReplaceAll(rt.Path, ":id", "1")
			t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
				res := f.do(rt.Method, path, admin, `{"zz_misspelt": 1, "zz_other": "x"}`)
				if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || !slices.Equal(got, []string{"zz_misspelt", "zz_other"}) {
					t.Errorf("got %d %s, want 422 naming zz_misspelt and zz_other", res.status, res.body)
				}
			})
		}
	})
}

// TestInputContracts: what a body may hold and how it must be labelled (issue 16, item 10).
func TestInputContracts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		supervisors := fmt.Sprintf("/api/v1/enterprises/%d/supervisors", f.entA1.ID)
		assigned := func(t *testing.T) {
			t.Helper()
			e, err := f.svc.Enterprises.Get(context.Background(), f.adminA.Actor(), f.entA1.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(e.Supervisors) != 1 || e.Supervisors[0].ID != f.supA.ID {
				t.Errorf("got supervisors %v, want supa's assignment kept", e.Supervisors)
			}
		}
		for _, tt := range []struct {
			name, method, path, body string
			wantFields               []string
		}{
			{"ErrInvalidMisspeltKey", http.MethodPut, supervisors, `{"user_id": []}`, []string{"user_id"}},
			{"ErrInvalidMissingList", http.MethodPut, supervisors, `{}`, []string{"user_ids"}},
			{"ErrInvalidNullList", http.MethodPut, supervisors, `{"user_ids": null}`, []string{"user_ids"}},
			{"ErrInvalidNestedKey", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/checkins", f.entA1.ID),
				`{"items": [{"worker_id": 1, "slot": "am", "temperature": 36.5, "overwrit": true}]}`, []string{"items[0].overwrit"}},
			{"ErrInvalidKeyInObject", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/plans", f.entA1.ID),
				`{"supplies": {"mask": 10}, "lead_name": "王强"}`, []string{"supplies.mask"}},
			{"ErrInvalidEveryKeyNamed", http.MethodPatch, fmt.Sprintf("/api/v1/enterprises/%d", f.entA1.ID),
				`{"nmae": "新名称", "adress": "新地址", "headcount": 90}`, []string{"adress", "nmae"}},
			{"ErrInvalidMissingIDs", http.MethodPost, "/api/v1/alerts/acknowledge", `{"note": "已联系"}`, []string{"ids"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				changes := f.changes()
				res := f.do(tt.method, tt.path, admin, tt.body)
				if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || !slices.Equal(got, tt.wantFields) {
					t.Errorf("got %d %s, want 422 naming %v", res.status, res.body, tt.wantFields)
				}
				if got := f.changes(); got != changes {
					t.Errorf("got %d audit events of changes, want %d: a refused request changes nothing", got, changes)
				}
				assigned(t)
			})
		}
		t.Run("OKEmptyListClears", func(t *testing.T) {
			res := f.do(http.MethodPut, supervisors, admin, `{"user_ids": []}`)
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"supervisors":[]`) {
				t.Errorf("got %d %s, want 200 with no supervisors", res.status, res.body)
			}
		})
		t.Run("OKKeyCaseAside", func(t *testing.T) {
			// encoding/json matches keys case aside: such a key is read, not lost, so it passes.
			res := f.do(http.MethodPut, supervisors, admin, fmt.Sprintf(`{"User_IDs": [%d]}`, f.supA.ID))
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"username":"supa"`) {
				t.Errorf("got %d %s, want 200 with supa assigned", res.status, res.body)
			}
		})
	})
}

// TestContentTypeExact: a body is taken only as application/json, with at most a charset of
// UTF-8; the media type was matched by its prefix, so application/jsonx passed (issue 16,
// item 10).
func TestContentTypeExact(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		path := fmt.Sprintf("/api/v1/enterprises/%d", f.entA1.ID)
		for _, tt := range []struct {
			name, contentType string
			wantStatus        int
		}{
			{"OK", "application/json", http.StatusOK},
			{"OKCharset", "application/json; charset=utf-8", http.StatusOK},
			{"OKCharsetCase", "Application/JSON;charset=UTF-8", http.StatusOK},
			{"ErrSuffix", "application/jsonx", http.StatusUnsupportedMediaType},
			{"ErrSuffixWithParam", "application/json-patch+json", http.StatusUnsupportedMediaType},
			{"ErrOtherCharset", "application/json; charset=gbk", http.StatusUnsupportedMediaType},
			{"ErrOtherParam", "application/json; profile=x", http.StatusUnsupportedMediaType},
			{"ErrText", "text/plain", http.StatusUnsupportedMediaType},
			{"ErrForm", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
			{"ErrMalformed", "application/json; charset", http.StatusUnsupportedMediaType},
			{"ErrMissing", "", http.StatusUnsupportedMediaType},
		} {
			t.Run(tt.name, func(t *testing.T) {
				req, err := http.NewRequest(http.MethodPatch, f.srv.URL+path, strings.NewReader(`{"address": "长山镇工业园三路 1 号"}`))
				if err != nil {
					t.Fatal(err)
				}
				if tt.contentType != "" {
					req.Header.Set("Content-Type", tt.contentType)
				}
				req.Header.Set("Authorization", "Bearer "+admin)
				res, err := f.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != tt.wantStatus {
					t.Errorf("Content-Type %q: got %d, want %d", tt.contentType, res.StatusCode, tt.wantStatus)
				}
			})
		}
	})
}

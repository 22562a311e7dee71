package api_test

import (
	"fmt"
	"net/http"
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

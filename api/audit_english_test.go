package api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"fugong/repo"
	"fugong/repo/dbtest"
)

var hanRun = regexp.MustCompile(`\p{Han}+`)

// TestAuditDetailsInEnglish makes the domain write the audit details the label catalog was
// missing (a worker assignment into a batch and a shift, out of them again, a retention run, a
// worker's refused request, a worker's failed sign-in) besides the fixture's own (enterprises,
// accounts, supervisors, a plan approved, a shift), and reads the audit log in English: every
// detail must be English but for what a person wrote (a name, a shift's name, a comment).
func TestAuditDetailsInEnglish(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		bs := f.approvedBatches()
		shift := f.smallShift("丙班", 20)
		hr := f.token("hra1")
		path := fmt.Sprintf("/api/v1/enterprises/%d/workers/assign", f.entA1.ID)
		wid, wtok := f.workerToken(7)
		for _, body := range []map[string]any{
			{"worker_ids": []int64{wid}, "batch_id": bs[0].ID, "shift_id": shift},
			{"worker_ids": []int64{wid}, "shift_id": shift},
			{"worker_ids": []int64{wid}, "batch_id": bs[1].ID},
			{"worker_ids": []int64{wid}, "batch_id": 0, "shift_id": 0},
		} {
			f.mustStatus(f.do(http.MethodPost, path, hr, body), http.StatusOK)
		}
		if res := f.do(http.MethodGet, "/api/v1/audit", wtok, nil); res.status != http.StatusForbidden {
			t.Fatalf("a worker reading the audit log: got %d, want 403", res.status)
		}
		if res := f.do(http.MethodPost, "/api/v1/auth/worker-login", "", map[string]string{
			"enterprise_code": f.entA1.Code, "phone": "13900000007", "pin": "000000"}); res.status != http.StatusUnauthorized {
			t.Fatalf("a wrong PIN: got %d, want 401", res.status)
		}
		if _, err := f.svc.Retention.Run(context.Background(), false); err != nil {
			t.Fatal(err)
		}

		// What people wrote, which stays as written: the fixture's names, the shift, the
		// reviewer's comment, the worker's name.
		written := []string{f.townA.Name, f.entA1.Name, f.entA2.Name, "丙班", "同意", "职工7", "一区", "二区"}
		res := f.doWith(http.MethodGet, "/api/v1/audit?page_size=200", f.token("admina"), nil, http.Header{"Accept-Language": {"en"}})
		var p auditPage
		res.decode(t, &p)
		seen := map[string]bool{}
		for _, it := range p.Items {
			seen[it.Action] = true
			rest := it.Detail
			for _, w := range written {
				rest = strings.ReplaceAll(rest, w, "")
			}
			if left := hanRun.FindAllString(rest, -1); left != nil {
				t.Errorf("%s: detail %q keeps %v in English", it.Action, it.Detail, left)
			}
		}
		for _, a := range []string{"worker.assign", "retention.run", "access.denied", "auth.worker_login_failed", "plan.approved", "shift.create"} {
			if !seen[a] {
				t.Errorf("no %s event in the log (got %v): the test did not make the domain write it", a, p.actions())
			}
		}
		for _, want := range []string{"1 workers: batch 1 (" + bs[0].Date.String() + "), 丙班", "1 workers: out of their batch, out of their shift"} {
			if !strings.Contains(string(res.body), want) {
				t.Errorf("got %s, want a detail with %q", res.body, want)
			}
		}
	})
}

package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fugong/repo"
	"fugong/repo/dbtest"
	"fugong/report/xlsxtest"
)

// maxImportAlloc bounds what one wide upload may allocate, client and server together, all
// told: the zip is unpacked twice (checked, then read) and once more by excelize as it opens
// the workbook, but no row is padded to its last column. excelize's iterator made 16,384
// strings of every row with a cell in column XFD: 30,000 such rows allocated gigabytes.
const maxImportAlloc = 256 << 20

// TestRosterImportWide sends the workbooks of issue 16 through the real route: rows with one
// cell in column XFD and nothing in the roster's columns. 1.4 million of them are refused,
// naming the sheet, the row and the limit; 30,000 (the small version) are read through and
// imported with the people among them. Both cost the heap less than maxHeapGrowth and
// allocate less than maxImportAlloc; the refused one changes nothing. (It took half an hour,
// and a dry run was enough.)
func TestRosterImportWide(t *testing.T) {
	var big, small bytes.Buffer
	if err := xlsxtest.WriteZip(&big, xlsxtest.Wide(0, 1_400_000).Parts()...); err != nil {
		t.Fatal(err)
	}
	if err := xlsxtest.WriteZip(&small, xlsxtest.Wide(3, 30_000).Parts()...); err != nil {
		t.Fatal(err)
	}
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open(t))
			hr := f.token("hra1")
			path := fmt.Sprintf("/api/v1/enterprises/%d/workers/import", f.entA1.ID)
			cases := []struct {
				name       string
				book       []byte
				query      string
				wantStatus int
				want       string
			}{
				{"ErrRowsDryRun", big.Bytes(), "?dry_run=true", 422, "工作表「花名册」读到第 120001 行时已超过 120000 行"},
				{"ErrRows", big.Bytes(), "", 422, "而花名册最多 60000 行;请删除多余的行后上传"},
				{"OKSmallDryRun", small.Bytes(), "?dry_run=true", 200, `"created":3`},
				{"OKSmall", small.Bytes(), "", 200, `"created":3`},
			}
			for _, tt := range cases {
				t.Run(tt.name, func(t *testing.T) {
					before := f.rosterState(hr)
					body, ct := multipartBody(t, tt.book)
					res, use := f.uploadMeasured(path+tt.query, hr, "", bytes.NewReader(body), int64(len(body)), ct)
					t.Logf("%d KB upload: %d, %s", len(tt.book)>>10, res.status, use)
					if res.status != tt.wantStatus {
						t.Fatalf("got %d %.300s, want %d", res.status, res.body, tt.wantStatus)
					}
					got := string(res.body)
					if tt.wantStatus != 200 {
						got = fileMessage(t, res)
					}
					if !strings.Contains(got, tt.want) {
						t.Errorf("got %.300s, want it to hold %q", got, tt.want)
					}
					if after := f.rosterState(hr); tt.wantStatus != 200 && after != before {
						t.Errorf("the roster changed:\n got  %.300s\n want %.300s", after, before)
					}
					if use.peak > maxHeapGrowth || use.total > maxImportAlloc {
						t.Errorf("got %s, want a peak under %d MB and under %d MB allocated", use, maxHeapGrowth>>20, maxImportAlloc>>20)
					}
				})
			}
		})
	}
}

// TestRosterImportBusy: while an import of the enterprise's roster is under way, another is
// answered 429 with a message that says so (and Retry-After); so is any import while the
// server runs as many as it may. Once they end, the import goes through.
func TestRosterImportBusy(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		hr := f.token("hra1")
		path := fmt.Sprintf("/api/v1/enterprises/%d/workers/import", f.entA1.ID)
		slots := f.imports
		busy := func(t *testing.T, want string) {
			t.Helper()
			before := f.rosterState(hr)
			res := f.upload(path, hr, "", xlsxtest.Valid(t, 3))
			if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
				t.Fatalf("got %d %s (Retry-After %q), want 429 with Retry-After", res.status, res.body, res.header.Get("Retry-After"))
			}
			if msg := fileMessage(t, res); !strings.Contains(msg, want) {
				t.Errorf("got message %q, want one with %q", msg, want)
			}
			if after := f.rosterState(hr); after != before {
				t.Errorf("the roster changed:\n got  %.300s\n want %.300s", after, before)
			}
		}
		t.Run("ErrSameEnterprise", func(t *testing.T) {
			release, err := slots.Take(f.entA1.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			busy(t, "本企业有一份花名册正在导入,请等它完成后再上传")
		})
		t.Run("ErrServerFull", func(t *testing.T) {
			for _, other := range []int64{f.entA2.ID, f.entB1.ID} {
				release, err := slots.Take(other)
				if err != nil {
					t.Fatal(err)
				}
				defer release()
			}
			busy(t, "正在导入的花名册较多,请稍后再上传")
		})
		t.Run("OKAfter", func(t *testing.T) {
			if res := f.upload(path, hr, "", xlsxtest.Valid(t, 3)); res.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", res.status, res.body)
			}
		})
	})
}

// TestRosterImportClientLeaves: a client that leaves in the middle of an import stops it, and
// nothing of the file is written; the request is logged as 499, not as the server's fault, and
// the enterprise's place is free again. The test holds the database's writer (SQLite) or a lock
// on the workers (PostgreSQL), so that the import cannot finish before the client leaves.
func TestRosterImportClientLeaves(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		hr := f.token("hra1")
		path := fmt.Sprintf("/api/v1/enterprises/%d/workers/import", f.entA1.ID)
		before := f.rosterState(hr)
		release := holdWriter(t, db)

		body, ct := multipartBody(t, xlsxtest.Valid(t, 50))
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+hr)
		done := make(chan error, 1)
		go func() {
			res, err := f.srv.Client().Do(req)
			if err == nil {
				res.Body.Close()
				err = fmt.Errorf("answered %d", res.StatusCode)
			}
			done <- err
		}()
		slots := f.imports
		waitFor(t, "the import to start", func() bool { return slots.Running() == 1 })
		cancel()
		if err := <-done; err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("got %v, want the request cancelled", err)
		}
		waitFor(t, "the import to stop", func() bool { return slots.Running() == 0 })
		release()
		if after := f.rosterState(hr); after != before {
			t.Errorf("the roster changed:\n got  %.300s\n want %.300s", after, before)
		}
		waitFor(t, "the request's log line", func() bool { return strings.Contains(f.logs.String(), `"status":499`) })
		if strings.Contains(f.logs.String(), "request failed") {
			t.Errorf("got an error logged for a client that left:\n%s", f.logs.String())
		}
		if res := f.upload(path, hr, "", xlsxtest.Valid(t, 3)); res.status != http.StatusOK {
			t.Fatalf("the next import: got %d %s, want 200", res.status, res.body)
		}
	})
}

// holdWriter keeps every import from writing until release: on SQLite it holds the database's
// one writer, on PostgreSQL an exclusive lock on the workers table (reads go on).
func holdWriter(t *testing.T, db *repo.DB) (release func()) {
	t.Helper()
	held, let := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	if db.Dialect == repo.Postgres {
		pool, err := db.Pool()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			tx, err := pool.BeginTx(context.Background(), nil)
			if err == nil {
				_, err = tx.Exec("LOCK TABLE workers IN EXCLUSIVE MODE")
				close(held)
				<-let
				_ = tx.Rollback()
			}
			done <- err
		}()
	} else {
		go func() {
			done <- db.InTx(context.Background(), func(context.Context) error {
				close(held)
				<-let
				return nil
			})
		}()
	}
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("hold the writer: %v", err)
	}
	var released bool
	release = func() {
		if !released {
			released = true
			close(let)
			if err := <-done; err != nil {
				t.Errorf("hold the writer: %v", err)
			}
		}
	}
	t.Cleanup(release)
	return release
}

// waitFor waits until cond holds, looking every few milliseconds, and fails the test after
// 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/api"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// readsFixture is the fixture on the primary of a streaming replica, its API served with
// reads routed to the replica (bound as given) by a server of the test's own.
type readsFixture struct {
	*fixture
	s *dbtest.Streaming
}

func newReadsFixture(t *testing.T) *readsFixture {
	t.Helper()
	s := dbtest.NewStreaming(t)
	ctx := context.Background()
	db, err := repo.Open(ctx, s.PrimaryURL("fugong"), dbtest.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return &readsFixture{fixture: newFixture(t, db), s: s}
}

// serve serves f's services with reads routed to a replica attached to db, and makes f.do use
// that server until the test ends.
func (f *readsFixture) serve(t *testing.T, db *repo.DB, afterWrite time.Duration, maxLag time.Duration) {
	t.Helper()
	e, _ := api.New(f.svc, api.Config{Tokens: f.tokens, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Live:  &api.Live{Hub: f.hub},
		Reads: &api.Reads{Replica: db.ReadReplica, Failed: db.ReplicaFailed, MaxLag: maxLag, AfterWrite: afterWrite}})
	srv := httptest.NewServer(e)
	before := f.srv
	f.srv = srv
	t.Cleanup(func() { f.srv = before; srv.Close() })
}

// attach opens another pool on f's primary with the replica attached, bound and checked
// every as given.
func (f *readsFixture) attach(t *testing.T, bound, every time.Duration) *repo.DB {
	t.Helper()
	db := dbtest.Reopen(t, f.db)
	if err := db.AttachReplica(context.Background(), f.s.ReplicaURL("fugong"), repo.ReplicaOptions{Bound: bound, Every: every}, dbtest.Quiet); err != nil {
		t.Fatal(err)
	}
	return db
}

// enterprises reads the enterprise list's total and the as-of it was sent with ("" for none).
func (f *readsFixture) enterprises(t *testing.T, token string, cookies ...*http.Cookie) (int, string) {
	t.Helper()
	h := http.Header{}
	for _, c := range cookies {
		h.Add("Cookie", c.String())
	}
	res := f.doWith(http.MethodGet, "/api/v1/enterprises", token, nil, h)
	if res.status != http.StatusOK {
		t.Fatalf("enterprises: got %d %s, want 200", res.status, res.body)
	}
	var l struct{ Total int }
	res.decode(t, &l)
	return l.Total, res.header.Get(api.AsOfHeader)
}

// summaryAsOf reads the dashboard summary's enterprise count and its as-of.
func (f *readsFixture) summaryAsOf(t *testing.T, token string, cookies ...*http.Cookie) (int, string) {
	t.Helper()
	h := http.Header{}
	for _, c := range cookies {
		h.Add("Cookie", c.String())
	}
	res := f.doWith(http.MethodGet, "/api/v1/dashboard/summary", token, nil, h)
	if res.status != http.StatusOK {
		t.Fatalf("summary: got %d %s, want 200", res.status, res.body)
	}
	var s summary
	res.decode(t, &s)
	return s.EnterprisesTotal, res.header.Get(api.AsOfHeader)
}

// dailyTitle downloads today's daily.xlsx and reads its title row.
func (f *readsFixture) dailyTitle(t *testing.T, token string, cookies ...*http.Cookie) string {
	t.Helper()
	h := http.Header{}
	for _, c := range cookies {
		h.Add("Cookie", c.String())
	}
	res := f.doWith(http.MethodGet, "/api/v1/reports/daily.xlsx", token, nil, h)
	if res.status != http.StatusOK {
		t.Fatalf("daily.xlsx: got %d %s, want 200", res.status, res.body)
	}
	x, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	v, err := x.GetCellValue("汇总", "A1")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestReadsFromReplica proves where reads go, with a real streaming replica whose replay the
// test pauses: the dashboard and the lists read the replica and say as of when; after a write
// its user (the same client, by the writer cookie) reads the primary and sees it, while
// another client, and another user with the writer's cookie, still read the replica's older
// answer with its as-of, the dashboard's kept answer included; once replay catches up, both
// agree. A replica past its bound is not read; a replica that stops is not either, and a read
// that it fails is answered from the primary.
func TestReadsFromReplica(t *testing.T) {
	f := newReadsFixture(t)
	db := f.attach(t, time.Minute, 50*time.Millisecond)
	f.serve(t, db, 2*time.Minute, time.Minute)
	admin, sup := f.token("admina"), f.token("supa")
	f.s.CaughtUp(t)
	waitUntil(t, "the replica's as-of past the seed", func() bool {
		asOf, ok := db.ReplicaAsOf()
		return ok && time.Since(asOf) < time.Second
	})

	n, asOf := f.enterprises(t, admin)
	if n != 2 || asOf == "" {
		t.Fatalf("before: got %d enterprises as of %q, want 2 with an as-of (read from the replica)", n, asOf)
	}
	if at, err := time.Parse(time.RFC3339, asOf); err != nil || time.Since(at) > 5*time.Second {
		t.Errorf("as-of %q: want a recent RFC 3339 time (%v)", asOf, err)
	}
	if n, asOf := f.summaryAsOf(t, admin); n != 2 || asOf == "" {
		t.Fatalf("summary before: got %d enterprises as of %q, want 2 with an as-of", n, asOf)
	}

	f.s.PauseReplay(t)
	res := f.do(http.MethodPost, "/api/v1/enterprises", admin, enterpriseBody("长山三号电子有限公司", validCode("91371626MA3C8A03"), "一区"))
	if res.status != http.StatusCreated {
		t.Fatalf("create: got %d %s", res.status, res.body)
	}
	var wrote *http.Cookie
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == "fugong_wrote" {
			wrote = c
		}
	}
	if wrote == nil || !wrote.HttpOnly || wrote.MaxAge != 120 {
		t.Fatalf("create: got cookies %v, want an HttpOnly fugong_wrote for 120 s", res.header.Values("Set-Cookie"))
	}

	t.Run("WriterReadsOwnWrite", func(t *testing.T) {
		if n, asOf := f.enterprises(t, admin, wrote); n != 3 || asOf != "" {
			t.Errorf("writer: got %d enterprises as of %q, want 3 from the primary (no as-of)", n, asOf)
		}
		if n, asOf := f.summaryAsOf(t, admin, wrote); n != 3 || asOf != "" {
			t.Errorf("writer's summary: got %d as of %q, want 3 from the primary", n, asOf)
		}
		if got := f.dailyTitle(t, admin, wrote); strings.Contains(got, "数据截至") {
			t.Errorf("writer's daily.xlsx: got title %q, want no as-of", got)
		}
	})
	t.Run("OthersReadReplica", func(t *testing.T) {
		if n, asOf := f.enterprises(t, admin); n != 2 || asOf == "" {
			t.Errorf("another client: got %d enterprises as of %q, want the replica's 2 with its as-of", n, asOf)
		}
		if n, asOf := f.summaryAsOf(t, admin); n != 2 || asOf == "" {
			t.Errorf("another client's summary: got %d as of %q, want the replica's 2 with its as-of", n, asOf)
		}
		if got := f.dailyTitle(t, admin); !strings.Contains(got, "(数据截至 ") {
			t.Errorf("another client's daily.xlsx: got title %q, want the as-of in it", got)
		}
		// The cookie is the writer's: another user showing it still reads the replica.
		if n, asOf := f.summaryAsOf(t, sup, wrote); asOf == "" {
			t.Errorf("supervisor with the admin's cookie: got %d as of %q, want an as-of", n, asOf)
		}
		forged := *wrote
		forged.Value = wrote.Value[:len(wrote.Value)-2] + "xx"
		if _, asOf := f.enterprises(t, admin, &forged); asOf == "" {
			t.Error("a cookie with a bad signature: got no as-of, want the replica read")
		}
	})
	t.Run("CaughtUpAgrees", func(t *testing.T) {
		f.s.ResumeReplay(t)
		f.s.CaughtUp(t)
		waitUntil(t, "a replica read of 3 enterprises", func() bool {
			n, asOf := f.enterprises(t, admin)
			return n == 3 && asOf != ""
		})
		waitUntil(t, "the replica's summary of 3 enterprises", func() bool {
			n, asOf := f.summaryAsOf(t, admin)
			return n == 3 && asOf != ""
		})
		if n, _ := f.summaryAsOf(t, admin, wrote); n != 3 {
			t.Errorf("primary's summary: got %d, want 3 as the replica's", n)
		}
	})
	t.Run("BehindBoundReadsPrimary", func(t *testing.T) {
		tight := f.attach(t, time.Second, 50*time.Millisecond)
		f.serve(t, tight, 2*time.Minute, time.Second)
		waitUntil(t, "the replica chosen", func() bool { _, ok := tight.ReplicaAsOf(); return ok })
		f.s.PauseReplay(t)
		defer f.s.ResumeReplay(t)
		res := f.do(http.MethodPost, "/api/v1/enterprises", admin, enterpriseBody("长山四号电子有限公司", validCode("91371626MA3C8A04"), "二区"))
		if res.status != http.StatusCreated {
			t.Fatalf("create: got %d %s", res.status, res.body)
		}
		waitUntil(t, "the replica past its bound of 1 s", func() bool { _, ok := tight.ReplicaAsOf(); return !ok })
		if n, asOf := f.enterprises(t, admin); n != 4 || asOf != "" {
			t.Errorf("replica behind: got %d enterprises as of %q, want 4 from the primary, no as-of", n, asOf)
		}
	})
	t.Run("ReplicaStopped", func(t *testing.T) {
		f.s.CaughtUp(t)
		// Checked once, at attach, and not again for an hour: the read itself meets the stopped
		// replica and must be answered from the primary.
		once := f.attach(t, time.Hour, time.Hour)
		f.serve(t, once, 2*time.Hour, time.Hour)
		if _, asOf := f.enterprises(t, admin); asOf == "" {
			t.Fatal("before the stop: got no as-of, want a replica read")
		}
		f.s.StopReplica(t)
		if n, asOf := f.enterprises(t, admin); n != 4 || asOf != "" {
			t.Errorf("replica stopped: got %d enterprises as of %q, want 4 from the primary, no as-of", n, asOf)
		}
		if _, ok := once.ReplicaAsOf(); ok {
			t.Error("the replica that failed a read is still chosen")
		}
		if n, asOf := f.summaryAsOf(t, admin); n != 4 || asOf != "" {
			t.Errorf("summary, replica stopped: got %d as of %q, want 4 from the primary", n, asOf)
		}
	})
}

// waitUntil waits, at most 30 s, until cond holds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

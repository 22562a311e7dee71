package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fugong/domain"
	"fugong/report/xlsxtest"
)

// The workbooks of issue 16, item 2: rows with one cell in column XFD and nothing in the
// roster's columns. The attack's were 169 KB (1.4 million rows) and 4.3 KB; these are built
// alike (xlsxtest.Wide).
const (
	wideRows  = 1_400_000
	smallRows = 30_000
)

// uploadTimeout is how long an uploader waits for an answer: the import's own time budget
// (a minute) and then some.
const uploadTimeout = 90 * time.Second

// runWideUpload uploads the workbooks of issue 16, item 2 to a running server while phones
// check in at a fixed rate, first on SQLite (where the import held the database's one writer
// while it read, and a check-in waited 37 s behind the 4.3 KB one) and then on PostgreSQL. It
// compares the check-ins' latency before the uploads and during them, and reads the server's
// memory.
func runWideUpload(ctx context.Context, r *runner) ([]string, error) {
	var big, small bytes.Buffer
	if err := xlsxtest.WriteZip(&big, xlsxtest.Wide(0, wideRows).Parts()...); err != nil {
		return nil, err
	}
	if err := xlsxtest.WriteZip(&small, xlsxtest.Wide(3, smallRows).Parts()...); err != nil {
		return nil, err
	}
	var failed []string
	for _, engine := range []string{"SQLite", "PostgreSQL"} {
		f, err := r.wideUploadOn(ctx, engine, big.Bytes(), small.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", engine, err)
		}
		failed = append(failed, f...)
	}
	return failed, nil
}

// wideUploadOn runs the scenario on one engine.
func (r *runner) wideUploadOn(ctx context.Context, engine string, big, small []byte) ([]string, error) {
	nEnt, nWorkers := r.Size(4, 4), r.Size(2000, 300)
	clients, rate := 8, r.Size(100, 50)
	window := time.Duration(r.Size(10, 3)) * time.Second
	var dbURL string
	if engine == "SQLite" {
		dbURL = r.NewSQLite()
	} else {
		u, drop, err := r.NewPostgres(ctx)
		if err != nil {
			return nil, err
		}
		defer drop()
		dbURL = u
	}
	d, err := r.seedDatabase(ctx, dbURL, nEnt, nWorkers)
	if err != nil {
		return nil, err
	}
	hr, err := r.hrTokens(ctx, dbURL, d, 2)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	srv, err := r.startServer(ctx, dbURL, port)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	p := newPhones(d, srv.URL, clients, nWorkers, rate)
	p.start()
	if err := p.waitAcks(2*rate, time.Minute); err != nil { // warmed up
		p.stop()
		return nil, err
	}

	before0 := time.Now()
	time.Sleep(window)
	before1 := time.Now()
	rssBefore, _ := srv.Memory()

	u := &uploader{url: srv.URL, http: &http.Client{Timeout: uploadTimeout}}
	stopWatch := srv.WatchMemory(20 * time.Millisecond)
	alone := []upload{
		u.send(ctx, hr[0], d.Enterprises[0].ID, "1.4M", big, true),
		u.send(ctx, hr[0], d.Enterprises[0].ID, "1.4M", big, false),
		u.send(ctx, hr[0], d.Enterprises[0].ID, "30k", small, false),
	}
	// Then HR send the files again and again, as fast as the answers come: one HR (an
	// attacker re-sending the file), then two of different enterprises at once, as many
	// imports as the server runs.
	phases := []struct {
		name    string
		senders int
		t0, t1  time.Time
		uploads []upload
	}{{name: "one HR re-sending both files back to back", senders: 1}, {name: "two HR at once, back to back", senders: 2}}
	for i := range phases {
		ph := &phases[i]
		var wg sync.WaitGroup
		var mu sync.Mutex
		ph.t0 = time.Now()
		until := ph.t0.Add(window)
		for j := range ph.senders {
			wg.Go(func() {
				for n := 0; time.Now().Before(until); n++ {
					name, book := "1.4M", big
					if n%2 == 1 {
						name, book = "30k", small
					}
					up := u.send(ctx, hr[j], d.Enterprises[j].ID, name, book, n%4 == 0)
					mu.Lock()
					ph.uploads = append(ph.uploads, up)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		ph.t1 = time.Now()
	}
	rssPeak := stopWatch()
	attempts := p.stop()
	rssAfter, _ := srv.Memory()

	t := newTable(fmt.Sprintf("wide-upload on %s: %d workers in %d enterprises, phones checking in at %d/s; %s windows",
		engine, nWorkers, nEnt, rate, window))
	var failed []string
	t.Add(fmt.Sprintf("workbook of %s rows, one cell each in column XFD", thousands(wideRows)), kb(len(big)), "–", "–")
	t.Add(fmt.Sprintf("workbook of %s such rows and 3 people", thousands(smallRows)), kb(len(small)), "–", "–")
	for i, want := range []int{http.StatusUnprocessableEntity, http.StatusUnprocessableEntity, http.StatusOK} {
		a := alone[i]
		t.Add(fmt.Sprintf("%s alone: answer", a.label()), a.String(),
			fmt.Sprintf("%d within 10 s", want), verdict(a.status == want && a.took <= 10*time.Second, &failed, engine+": "+a.label()))
	}
	before := latencies(attempts, before0, before1)
	t.Add("check-ins before the uploads: count, median, p99, slowest", before, "–", "–")
	for _, ph := range phases {
		var slowest time.Duration
		byStatus := map[int]int{}
		for _, up := range ph.uploads {
			byStatus[up.status]++
			slowest = max(slowest, up.took)
		}
		t.Add(ph.name+": answers, slowest", statusCounts(byStatus)+"; "+seconds(slowest), "422, 200 or 429, within 10 s", verdict(
			len(ph.uploads) > 0 && slowest <= 10*time.Second &&
				byStatus[http.StatusUnprocessableEntity]+byStatus[http.StatusOK]+byStatus[http.StatusTooManyRequests] == len(ph.uploads),
			&failed, engine+": "+ph.name+": uploads"))
		// The imports share the cores with the check-ins, so these are slower while HR send
		// files back to back; what must not come back is a check-in waiting for an import
		// (37 s behind the 4.3 KB workbook on SQLite).
		during := latencies(attempts, ph.t0, ph.t1)
		t.Add("… check-ins meanwhile: count, median, p99, slowest", during, "none over 1 s, none failed",
			verdict(during.n > 0 && during.max <= time.Second && during.failed == 0, &failed, engine+": "+ph.name+": check-ins"))
	}
	t.Add("check-ins not acknowledged, all told", fmt.Sprintf("%d of %d", failedOf(attempts), len(attempts)), "0",
		verdict(failedOf(attempts) == 0, &failed, engine+": check-ins acknowledged"))
	t.Add("server RSS before / peak during / after the uploads", fmt.Sprintf("%.0f / %.0f / %.0f MiB", rssBefore, rssPeak, rssAfter),
		"peak ≤ before + 200 MiB", verdict(rssPeak <= rssBefore+200, &failed, engine+": server memory"))
	t.Print()
	return failed, nil
}

// failedOf counts the check-ins not acknowledged, those cut short when the phones stopped
// aside.
func failedOf(attempts []attempt) int {
	n := 0
	for _, a := range attempts {
		if !a.acked() && !a.cutShort() {
			n++
		}
	}
	return n
}

// hrTokens creates n HR accounts, one for each of the first n enterprises, and returns their
// access tokens.
func (r *runner) hrTokens(ctx context.Context, dbURL string, d *dataset, n int) ([]string, error) {
	a, err := r.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	var tokens []string
	for i := range n {
		u, err := a.Services.Users.Create(ctx, d.Admin.Actor(), domain.NewUser{Username: fmt.Sprintf("hr%d", i),
			Password: "faults-password-hr", Role: domain.RoleEnterpriseHR, Name: "人事", EnterpriseID: d.Enterprises[i].ID})
		if err != nil {
			return nil, fmt.Errorf("HR account: %w", err)
		}
		tok, err := r.Tokens().Issue(u.Actor())
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, tok)
	}
	return tokens, nil
}

// uploader posts workbooks to the import route.
type uploader struct {
	url  string
	http *http.Client
}

// upload is one workbook sent and what became of it.
type upload struct {
	name    string
	dryRun  bool
	status  int // 0 when no answer came
	took    time.Duration
	message string // the refusal's message, or the client's error
}

func (u upload) label() string {
	if u.dryRun {
		return u.name + " rows, dry run"
	}
	return u.name + " rows"
}

func (u upload) String() string {
	s := fmt.Sprintf("%d in %s", u.status, seconds(u.took))
	if u.message != "" {
		s += ": " + strings.ReplaceAll(u.message, "|", "/")
	}
	return s
}

// send uploads a workbook as HR of an enterprise.
func (u *uploader) send(ctx context.Context, token string, enterpriseID int64, name string, book []byte, dryRun bool) upload {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "花名册.xlsx")
	part.Write(book)
	mw.Close()
	path := fmt.Sprintf("%s/api/v1/enterprises/%d/workers/import", u.url, enterpriseID)
	if dryRun {
		path += "?dry_run=true"
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	up := upload{name: name, dryRun: dryRun}
	began := time.Now()
	res, err := u.http.Do(req)
	if err != nil {
		up.took, up.message = time.Since(began), clientError(err)
		return up
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	up.took, up.status = time.Since(began), res.StatusCode
	if res.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Message string
				Fields  []struct{ Message string }
			}
		}
		_ = json.Unmarshal(b, &e)
		up.message = e.Error.Message
		if len(e.Error.Fields) > 0 {
			up.message = e.Error.Fields[0].Message
		}
	}
	return up
}

// latency sums up the check-ins sent within a window.
type latency struct {
	n, failed        int
	median, p99, max time.Duration
}

func (l latency) String() string {
	return fmt.Sprintf("%d, %s, %s, %s", l.n, millis(l.median), millis(l.p99), millis(l.max))
}

// latencies sums up the check-ins sent from t0 to t1.
func latencies(attempts []attempt, t0, t1 time.Time) latency {
	var l latency
	var took []time.Duration
	for _, a := range attempts {
		if a.began.Before(t0) || !a.began.Before(t1) || a.cutShort() {
			continue
		}
		l.n++
		if !a.acked() {
			l.failed++
		}
		took = append(took, a.took)
	}
	if len(took) == 0 {
		return l
	}
	slices.Sort(took)
	l.median, l.p99, l.max = took[len(took)/2], took[min(len(took)-1, len(took)*99/100)], took[len(took)-1]
	return l
}

// statusCounts shows how many answers had each status: "12× 422, 9× 200".
func statusCounts(m map[int]int) string {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(m)) {
		name := strconv.Itoa(s)
		if s == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%d× %s", m[s], name))
	}
	return strings.Join(parts, ", ")
}

// kb shows a size in KB.
func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }

// millis shows a duration in milliseconds.
func millis(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// thousands writes n with commas: 1,400,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

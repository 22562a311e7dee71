package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/scripts/internal/loadtest"
)

func init() {
	register(scenario{order: 40, name: "export",
		about: "The town admin's daily.xlsx for a township of 50,000 workers in 200 enterprises with yesterday's " +
			"check-ins, and range.xlsx of 1,000,000 rows (500 enterprises × 2,000 days of daily statistics: " +
			"the API takes at most 3,660 days), against excelize's StreamWriter writing the same rows and " +
			"columns with no database.",
		run: exportScenario})
}

// Targets of the export scenario (issue 7).
const (
	exportDailyTarget = 1.5 // daily.xlsx's wall time over the baseline's
	exportRSSTarget   = 100 // MiB the server may grow by during the range export
)

// exportDailyRuns is how many times daily.xlsx and its baseline are timed, in turn, after the
// first request.
const exportDailyRuns = 5

// exportMedian is the middle one of some durations.
func exportMedian(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func exportScenario(ctx context.Context, r *runner) error {
	if err := exportDaily(ctx, r); err != nil {
		return fmt.Errorf("daily: %w", err)
	}
	if err := exportRange(ctx, r); err != nil {
		return fmt.Errorf("range: %w", err)
	}
	return nil
}

// exportDaily times daily.xlsx on a township with yesterday's check-ins, against writing the
// downloaded workbook's rows again with the stream writer.
func exportDaily(ctx context.Context, r *runner) error {
	nEnt, nWorkers := r.Size(200, 20), r.Size(50_000, 2_000)
	t0 := time.Now()
	sc, release, err := r.seededPostgres(ctx, nEnt, nWorkers)
	if err != nil {
		return err
	}
	defer release()
	dbURL, d := sc.url, sc.d
	checkins, alerts, err := exportCheckins(ctx, sc.app.Stores, d)
	if err != nil {
		return err
	}
	if err := exportAnalyze(ctx, dbURL); err != nil {
		return err
	}
	fmt.Printf("_Loaded %d workers in %d enterprises, %d check-ins and %d alerts of yesterday, then ANALYZE, in %s (not timed). %s._\n\n",
		nWorkers, nEnt, checkins, alerts, time.Since(t0).Round(time.Second), exportLoad())

	srv, err := r.StartServer(ctx, dbURL)
	if err != nil {
		return err
	}
	defer srv.Stop()
	swept, settled, err := exportSettle(ctx, dbURL)
	if err != nil {
		return err
	}
	fmt.Printf("_The server's first sweep raised %d alerts (missed check-ins of yesterday and of today's passed cut-offs) in %s; timed after it._\n\n",
		swept, settled.Round(time.Second))
	token, err := r.Tokens().Issue(d.Admin.Actor())
	if err != nil {
		return err
	}
	url := srv.URL + "/api/v1/reports/daily.xlsx?date=" + exportDay(d).String()
	// The first request of a fresh server pays for what it sets up once (connections, the day's
	// roster snapshot, which the sweep takes before anyone looks on a real day); it is shown,
	// and the verdict is on the median of the next ones. Each of those is followed by a
	// baseline run, so that both sides meet the same moments of this shared machine.
	t0 = time.Now()
	body, err := exportGet(ctx, url, token, nil)
	if err != nil {
		return err
	}
	cold := time.Since(t0)
	sheets, err := exportSheets(body)
	if err != nil {
		return fmt.Errorf("the downloaded workbook: %w", err)
	}
	if len(sheets) == 0 || sheets[0].name != "汇总" {
		return fmt.Errorf("the downloaded workbook has no sheet 汇总 first")
	}
	times, baselines := make([]time.Duration, exportDailyRuns), make([]time.Duration, exportDailyRuns)
	for i := range times {
		t0 = time.Now()
		if _, err = exportGet(ctx, url, token, nil); err != nil {
			return err
		}
		times[i] = time.Since(t0)
		if baselines[i], err = exportDailyBaseline(filepath.Join(r.Dir(), "daily-baseline.xlsx"), sheets); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
	}
	fugong, baseline := exportMedian(times), exportMedian(baselines)

	var shape []string
	for _, s := range sheets {
		shape = append(shape, fmt.Sprintf("%s %d×%d", s.name, len(s.rows), s.cols))
	}
	t := loadtest.Table{Title: fmt.Sprintf("daily.xlsx, %d workers in %d enterprises, PostgreSQL", nWorkers, nEnt),
		Header: []string{"measure", "Fugong", "baseline", "ratio", "target", "verdict"}}
	t.Add(fmt.Sprintf("wall time, median of %d", exportDailyRuns), importSeconds(fugong), importSeconds(baseline),
		ratio(fugong.Seconds(), baseline.Seconds()), fmt.Sprintf("≤ %.1f×", exportDailyTarget),
		verdict(fugong.Seconds() <= exportDailyTarget*baseline.Seconds()))
	t.Add("wall time, first request of the server", importSeconds(cold), "–", ratio(cold.Seconds(), baseline.Seconds()), "none", "–")
	t.Print()
	fmt.Printf("The workbook (%.1f MB), sheet rows × columns: %s. %s.\n\n", float64(len(body))/(1<<20), strings.Join(shape, ", "), exportLoad())
	return nil
}

// exportDay is the day daily.xlsx reports: yesterday, whose check-in cut-offs have passed
// whatever the hour of the run, so that its missed list (the biggest sheet) is the same at
// 00:10 as at 21:00. Reporting today, a run just after midnight listed no one as missed and
// timed a nearly empty workbook.
func exportDay(d *loadtest.Dataset) domain.Date { return d.Today.AddDays(-1) }

// exportCheckins loads the report day's morning check-in for nine in ten workers and the afternoon's
// for half of those, one in a hundred with a fever and one in two hundred with a cough, through
// CheckinStore.InsertMany (its statement triggers keep daily_stats), with the alerts the
// township's policy raises for them.
func exportCheckins(ctx context.Context, st domain.Stores, d *loadtest.Dataset) (checkins, alerts int, err error) {
	now := time.Now().UTC()
	var batch []domain.Checkin
	var raised []domain.Alert
	flush := func() error {
		if len(batch) > 0 {
			if err := st.Checkins.InsertMany(ctx, batch); err != nil {
				return fmt.Errorf("check-ins: %w", err)
			}
		}
		if len(raised) > 0 {
			if _, err := st.Alerts.Raise(ctx, raised); err != nil {
				return fmt.Errorf("alerts: %w", err)
			}
		}
		checkins, alerts = checkins+len(batch), alerts+len(raised)
		batch, raised = batch[:0], raised[:0]
		return nil
	}
	for i, w := range d.Workers {
		if i%10 == 9 {
			continue // missed
		}
		slots := []domain.Slot{domain.SlotAM}
		if i%2 == 0 {
			slots = append(slots, domain.SlotPM)
		}
		for _, slot := range slots {
			c := domain.Checkin{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID,
				Date: exportDay(d), Slot: slot, Temperature: domain.Temperature(361 + i%6), Location: domain.AtWork,
				CreatedAt: now, UpdatedAt: now}
			if i%100 == 3 {
				c.Temperature = 381
			}
			if i%200 == 5 {
				c.Symptoms = []domain.Symptom{domain.SymptomDryCough}
			}
			c.Fever = d.Township.Fever(c.Temperature)
			c.Due = domain.DueOn(w, exportDay(d))
			batch = append(batch, c)
			raised = append(raised, d.Township.CheckinAlerts(c, nil)...)
		}
		if len(batch) >= 5000 {
			if err := flush(); err != nil {
				return 0, 0, err
			}
		}
	}
	return checkins, alerts, flush()
}

// exportSheet is one sheet of a downloaded workbook: its rows as stored.
type exportSheet struct {
	name string
	rows [][]string
	cols int
}

// exportSheets opens a workbook, checking that it is one, and reads every sheet's rows.
func exportSheets(body []byte) ([]exportSheet, error) {
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []exportSheet
	for _, name := range f.GetSheetList() {
		rows, err := f.Rows(name)
		if err != nil {
			return nil, err
		}
		s := exportSheet{name: name}
		for rows.Next() {
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				rows.Close()
				return nil, err
			}
			s.rows = append(s.rows, cells)
			s.cols = max(s.cols, len(cells))
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// exportDailyBaseline writes the same sheets, rows and cells with the stream writer: numbers
// as numbers, the rest as text, no styles, no charts.
func exportDailyBaseline(path string, sheets []exportSheet) (time.Duration, error) {
	defer os.Remove(path)
	t0 := time.Now()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return 0, err
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return 0, err
		}
		sw, err := f.NewStreamWriter(s.name)
		if err != nil {
			return 0, err
		}
		line := make([]any, s.cols)
		for n, row := range s.rows {
			clear(line)
			for j, v := range row {
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					line[j] = x
				} else if v != "" {
					line[j] = v
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, n+1)
			if err := sw.SetRow(cell, line); err != nil {
				return 0, err
			}
		}
		if err := sw.Flush(); err != nil {
			return 0, err
		}
	}
	if err := f.SaveAs(path); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// exportRange times range.xlsx of a million rows of daily statistics, loaded straight into
// daily_stats, sampling the server's memory, against the stream writer writing as many rows.
func exportRange(ctx context.Context, r *runner) error {
	nEnt, days := r.Size(500, 20), r.Size(2_000, 1_000)
	t0 := time.Now()
	sc, release, err := r.seededPostgres(ctx, nEnt, 0)
	if err != nil {
		return err
	}
	defer release()
	dbURL, d := sc.url, sc.d
	// The days end yesterday: today's rows are the live ones seed's snapshot began.
	from, to := d.Today.AddDays(-days), d.Today.AddDays(-1)
	n, err := exportLoadStats(ctx, dbURL, d, from, days)
	if err != nil {
		return err
	}
	fmt.Printf("_Loaded %d daily_stats rows (%d enterprises × %d days, %s to %s) with COPY, then ANALYZE, in %s (not timed). %s._\n\n",
		n, nEnt, days, from, to, time.Since(t0).Round(time.Second), exportLoad())

	srv, err := r.StartServer(ctx, dbURL)
	if err != nil {
		return err
	}
	defer srv.Stop()
	token, err := r.Tokens().Issue(d.Admin.Actor())
	if err != nil {
		return err
	}
	base := srv.URL + "/api/v1/reports/range.xlsx?"
	// One day first, so that what the server sets up once (the first snapshot of today, the
	// first workbook) is not counted as growth.
	if _, err := exportGet(ctx, base+"from="+to.String()+"&to="+to.String(), token, nil); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	started, _ := srv.Memory()
	time.Sleep(time.Second)
	before, _ := srv.Memory()
	path := filepath.Join(r.Dir(), "range.xlsx")
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	watch := srv.WatchMemory(50 * time.Millisecond)
	t0 = time.Now()
	_, err = exportGet(ctx, base+"from="+from.String()+"&to="+to.String(), token, out)
	fugong := time.Since(t0)
	peak := watch()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	size, rows, err := exportCountRows(path)
	if err != nil {
		return fmt.Errorf("the downloaded workbook: %w", err)
	}
	if rows != n+2 { // the title and the header
		return fmt.Errorf("the downloaded workbook has %d rows, want %d", rows, n+2)
	}
	baseline, err := exportRangeBaseline(filepath.Join(r.Dir(), "range-baseline.xlsx"), n, nEnt, from)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}

	t := loadtest.Table{Title: fmt.Sprintf("range.xlsx, %d rows (%d enterprises × %d days), PostgreSQL", n, nEnt, days),
		Header: []string{"measure", "Fugong", "baseline", "ratio", "target", "verdict"}}
	t.Add("wall time", importSeconds(fugong), importSeconds(baseline), ratio(fugong.Seconds(), baseline.Seconds()), "none", "–")
	t.Add("server RSS growth", fmt.Sprintf("%.0f MB (%.0f → peak %.0f MB)", peak-before, before, peak), "–", "–",
		fmt.Sprintf("≤ %d MB", exportRSSTarget), verdict(peak-before <= exportRSSTarget))
	t.Print()
	fmt.Printf("The workbook: %.1f MB, %d sheet rows (title, header, %d data rows). RSS %.0f MB after the one-day warm-up export. %s.\n",
		float64(size)/(1<<20), rows, n, started, exportLoad())
	return nil
}

// exportLoadStats COPYs one daily_stats row per enterprise and day from from on, with
// roster figures taken (snapshot) and plausible numbers, then analyzes the table as
// autovacuum would after a load.
func exportLoadStats(ctx context.Context, dbURL string, d *loadtest.Dataset, from domain.Date, days int) (int, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	cols := []string{"township_id", "enterprise_id", "date", "snapshot", "roster", "returned", "on_duty", "isolating",
		"key_area", "due", "checkins_am", "checkins_pm", "fever", "symptomatic", "alerts", "alerts_open"}
	day, e := 0, 0
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"daily_stats"}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if day == days {
			return nil, nil
		}
		ent := d.Enterprises[e]
		v := exportFigures(e, day)
		row := []any{d.Township.ID, ent.ID, from.AddDays(day).Time(), true,
			v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]}
		if e++; e == len(d.Enterprises) {
			e, day = 0, day+1
		}
		return row, nil
	}))
	if err != nil {
		return 0, fmt.Errorf("copy daily_stats: %w", err)
	}
	return int(copied), exportAnalyze(ctx, dbURL)
}

// exportSettle waits for the sweep a server runs as it starts: it raises the missed-check-in
// alerts of the day's passed cut-offs and of yesterday (when the loaded workers did not check
// in), which on a real day are raised minute by minute. Timing the report while it writes
// would time the sweep. It waits until the alerts stop growing for 3 s, or 10 s without any.
func exportSettle(ctx context.Context, dbURL string) (raised int, took time.Duration, err error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	count := func() (n int, err error) {
		err = db.QueryRowContext(ctx, "SELECT count(*) FROM alerts").Scan(&n)
		return n, err
	}
	first, err := count()
	if err != nil {
		return 0, 0, err
	}
	t0, last, lastChange := time.Now(), first, time.Now()
	for time.Since(t0) < 3*time.Minute {
		time.Sleep(500 * time.Millisecond)
		n, err := count()
		if err != nil {
			return 0, 0, err
		}
		if n != last {
			last, lastChange = n, time.Now()
		}
		quiet := time.Since(lastChange)
		if last != first && quiet >= 3*time.Second || last == first && quiet >= 10*time.Second {
			return last - first, time.Since(t0) - quiet, nil
		}
	}
	return 0, 0, fmt.Errorf("the server's alerts still grow after 3 minutes")
}

// exportAnalyze gathers the planner's statistics after a bulk load, as autovacuum would
// within a minute or so: without them PostgreSQL plans for the empty tables it last saw
// (paging through 50,000 workers then took 6 s instead of 0.5 s, see the report).
func exportAnalyze(ctx context.Context, dbURL string) error {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "ANALYZE")
	return err
}

// exportLoad says how busy the machine is, since other work on it shows in every time.
func exportLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load average unknown"
	}
	f := strings.Fields(string(b))
	return "Load average " + strings.Join(f[:min(3, len(f))], " ")
}

// exportFigures are plausible figures of an enterprise's day, varying from row to row:
// roster, returned, on duty, isolating, key area, due, check-ins am and pm, fever,
// symptomatic, alerts, alerts open.
func exportFigures(e, day int) [12]int32 {
	h := int32((e*7919 + day*104729) % 997)
	roster := 60 + h%200
	returned := roster - h%7
	isolating := h % 4
	onDuty := returned - isolating
	due := onDuty + isolating
	am, pm := due-h%5, due-h%9
	fever, sym := h%3/2, h%5/4
	alerts := fever + sym + h%2
	return [12]int32{roster, returned, onDuty, isolating, h % 3, due, am, pm, fever, sym, alerts, alerts * (h % 2)}
}

// exportRangeBaseline writes n rows of range.xlsx's 21 columns (a date, five texts, fourteen
// counts and a rate), perDay enterprises a day, with the stream writer, below a title and a
// header, to a file.
func exportRangeBaseline(path string, n, perDay int, from domain.Date) (time.Duration, error) {
	defer os.Remove(path)
	t0 := time.Now()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return 0, err
	}
	if err := sw.SetRow("A1", []any{"基准镇企业复工统计"}); err != nil {
		return 0, err
	}
	header := make([]any, 21)
	for i := range header {
		header[i] = fmt.Sprintf("列%d", i+1)
	}
	if err := sw.SetRow("A2", header); err != nil {
		return 0, err
	}
	line := make([]any, 21)
	for i := range n {
		e, day := i%perDay, i/perDay
		v := exportFigures(e, day)
		line[0] = excelize.Cell{StyleID: dateStyle, Value: from.AddDays(day).Time()}
		line[1], line[2] = fmt.Sprintf("基准企业%03d有限公司", e), loadtest.CreditCode(e)
		line[3], line[4], line[5] = "一区", "制造业", "已复工"
		for j := range 6 {
			line[6+j] = int(v[j])
		}
		line[12], line[13] = int(v[6]), int(v[7])
		line[14], line[15] = int(v[5]-v[6]), int(v[5]-v[7])
		line[16] = float64(v[6]+v[7]) / float64(2*max(v[5], 1))
		for j := range 4 {
			line[17+j] = int(v[8+j])
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cell, line); err != nil {
			return 0, err
		}
	}
	if err := sw.Flush(); err != nil {
		return 0, err
	}
	if err := f.SaveAs(path); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// exportCountRows checks a downloaded range.xlsx without loading it: a zip with the sheet
// 复工统计, whose worksheet XML it streams through, counting the rows.
func exportCountRows(path string) (size int64, rows int, err error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return 0, 0, err
	}
	defer zr.Close()
	var sheet *zip.File
	named := false
	for _, f := range zr.File {
		switch {
		case f.Name == "xl/workbook.xml":
			b, err := exportReadZip(f)
			if err != nil {
				return 0, 0, err
			}
			named = bytes.Contains(b, []byte(`name="复工统计"`))
		case strings.HasPrefix(f.Name, "xl/worksheets/sheet") && sheet == nil:
			sheet = f
		}
	}
	if !named || sheet == nil {
		return 0, 0, fmt.Errorf("no sheet 复工统计")
	}
	rc, err := sheet.Open()
	if err != nil {
		return 0, 0, err
	}
	defer rc.Close()
	mark := []byte("<row ")
	br := bufio.NewReaderSize(rc, 1<<20)
	buf := make([]byte, 1<<20)
	carry := 0 // bytes kept from the previous read, so that a mark across reads is found
	for {
		k, err := br.Read(buf[carry:])
		chunk := buf[:carry+k]
		rows += bytes.Count(chunk, mark)
		// Keep the last len(mark)-1 bytes: too short to hold a whole mark, so none is counted twice.
		carry = min(len(mark)-1, len(chunk))
		copy(buf, chunk[len(chunk)-carry:])
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, err
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	return st.Size(), rows, nil
}

func exportReadZip(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// exportGet downloads a workbook as the town admin, into w when given (returning nothing) or
// into memory; anything but 200 with a workbook is an error.
func exportGet(ctx context.Context, url, token string, w io.Writer) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 500))
		return nil, fmt.Errorf("GET %s: status %d: %s", url, res.StatusCode, b)
	}
	if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		return nil, fmt.Errorf("GET %s: content type %q", url, ct)
	}
	if w != nil {
		_, err := io.Copy(w, res.Body)
		return nil, err
	}
	return io.ReadAll(res.Body)
}

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/domain/region"
	"fugong/scripts/internal/loadtest"
)

func init() {
	register(scenario{order: 30, name: "import",
		about: "A 50,000-row roster workbook (as Excel saves it: shared strings, ID numbers in text cells) uploaded " +
			"by the enterprise's HR through POST /api/v1/enterprises/{id}/workers/import, against reading the same " +
			"workbook with excelize's row iterator and COPY-ing its cells into a scratch table with pgx.",
		run: importScenario})
}

// Targets of the import scenario (issue 7).
const (
	importRatioTarget = 2.0 // Fugong's wall time over the baseline's
	importRSSTarget   = 300 // MiB: the server's peak resident set during the upload
)

func importScenario(ctx context.Context, r *runner) error {
	n := r.Size(50_000, 2_000)
	sc, release, err := r.seededPostgres(ctx, 1, 0)
	if err != nil {
		return err
	}
	defer release()
	dbURL, d := sc.url, sc.d
	ent := d.Enterprises[0]
	hr, err := sc.app.Services.Users.Create(ctx, d.Admin.Actor(), domain.NewUser{Username: "hr-bench", Password: "bench-password",
		Role: domain.RoleEnterpriseHR, Name: "人事", Phone: "13900000000", EnterpriseID: ent.ID})
	if err != nil {
		return fmt.Errorf("HR user: %w", err)
	}
	token, err := r.Tokens().Issue(hr.Actor())
	if err != nil {
		return err
	}

	path := filepath.Join(r.Dir(), "roster.xlsx")
	t0 := time.Now()
	if err := importWorkbook(path, n, d.Today); err != nil {
		return fmt.Errorf("build the workbook: %w", err)
	}
	body, contentType, err := importMultipart(path)
	if err != nil {
		return err
	}
	fmt.Printf("_Workbook of %d rows (%.1f MB) built in %s (not timed). %s._\n\n", n, float64(body.Len())/(1<<20), time.Since(t0).Round(time.Millisecond), exportLoad())

	// The baseline goes first, so that neither side reads a workbook the other has warmed.
	baseline, err := importBaseline(ctx, dbURL, path, n)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}

	srv, err := r.StartServer(ctx, dbURL)
	if err != nil {
		return err
	}
	defer srv.Stop()
	rssBefore, _ := srv.Memory()
	url := fmt.Sprintf("%s/api/v1/enterprises/%d/workers/import", srv.URL, ent.ID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body.Bytes()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	watch := srv.WatchMemory(50 * time.Millisecond)
	t0 = time.Now()
	res, err := http.DefaultClient.Do(req)
	var answer []byte
	if err == nil {
		answer, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	fugong := time.Since(t0)
	peak := watch()
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("upload: status %d: %.500s", res.StatusCode, answer)
	}
	var out struct {
		Created int `json:"created"`
		Updated int `json:"updated"`
	}
	if err := json.Unmarshal(answer, &out); err != nil {
		return fmt.Errorf("upload answer: %w: %.200s", err, answer)
	}
	var inTable int
	if err := importCount(ctx, dbURL, "SELECT count(*) FROM workers WHERE enterprise_id = "+strconv.FormatInt(ent.ID, 10), &inTable); err != nil {
		return err
	}
	if out.Created != n || inTable != n {
		return fmt.Errorf("upload: the answer says %d created, the workers table has %d rows; want %d", out.Created, inTable, n)
	}

	t := loadtest.Table{Title: fmt.Sprintf("Roster import, %d rows, PostgreSQL", n),
		Header: []string{"measure", "Fugong", "baseline", "ratio", "target", "verdict"}}
	t.Add("wall time", importSeconds(fugong), importSeconds(baseline), ratio(fugong.Seconds(), baseline.Seconds()),
		fmt.Sprintf("≤ %.0f×", importRatioTarget), verdict(fugong.Seconds() <= importRatioTarget*baseline.Seconds()))
	t.Add("server peak RSS", fmt.Sprintf("%.0f MB (%.0f MB before)", peak, rssBefore), "–", "–",
		fmt.Sprintf("≤ %d MB", importRSSTarget), verdict(peak <= importRSSTarget))
	t.Print()
	fmt.Printf("The answer: %d created, %d updated; the workers table holds %d rows of the enterprise. %s.\n", out.Created, out.Updated, inTable, exportLoad())
	return nil
}

// importWorkbook writes a roster of n people in the template's layout to path, the way Excel
// or WPS saves one: with the ordinary (non-streaming) API, so that text goes to the shared
// strings table, ID numbers and phones in text-formatted columns, dates as date cells.
func importWorkbook(path string, n int, today domain.Date) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "花名册"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	header := make([]any, len(domain.RosterColumns))
	for i, c := range domain.RosterColumns {
		header[i] = c.Header
		if c.Key == domain.ColArrivedOn {
			continue
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColStyle(sheet, col, text); err != nil {
			return err
		}
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	places := loadtest.Origins() // the seeded workers', by name as HR writes them
	for i, code := range places {
		if name, ok := region.Name(code); ok {
			places[i] = name
		}
	}
	transports := []string{"自驾", "火车", "长途汽车", "火车", "自驾", "飞机", "其他"}
	departments := []string{"织造车间", "印染车间", "包装车间", "仓储部", "质检部", "行政部"}
	row := make([]any, len(domain.RosterColumns))
	for i := range n {
		keyArea := "否"
		if i%50 == 7 {
			keyArea = "是"
		}
		for j, c := range domain.RosterColumns {
			var v any
			switch c.Key {
			case domain.ColName:
				v = fmt.Sprintf("职工%05d", i)
			case domain.ColIDNumber:
				v = string(loadtest.IDNumber(i))
			case domain.ColPhone:
				v = fmt.Sprintf("139%08d", i)
			case domain.ColDepartment:
				v = departments[i%len(departments)]
			case domain.ColShiftGroup:
				v = loadtest.ShiftNames[i%len(loadtest.ShiftNames)]
			case domain.ColOriginRegion:
				v = places[i%len(places)]
			case domain.ColArrivedOn:
				v = today.AddDays(-(i % 30)).Time()
			case domain.ColTransport:
				v = transports[i%len(transports)]
			case domain.ColKeyAreaExposure:
				v = keyArea
			case domain.ColContactHistory:
				v = "否"
			}
			row[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	return f.SaveAs(path)
}

// importMultipart is the upload's body, as a browser sends it, built before the clock starts.
func importMultipart(path string) (*bytes.Buffer, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "职工花名册.xlsx")
	if err != nil {
		return nil, "", err
	}
	if _, err := fw.Write(data); err != nil {
		return nil, "", err
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return &body, mw.FormDataContentType(), nil
}

// importBaseline reads the workbook at path with excelize's row iterator and COPYs every
// data row's cells, as text, into a scratch table: the least any import of it must do.
func importBaseline(ctx context.Context, dbURL, path string, want int) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	cols := make([]string, len(domain.RosterColumns))
	ddl := "CREATE TABLE bench_roster_copy ("
	for i, c := range domain.RosterColumns {
		cols[i] = c.Key
		if i > 0 {
			ddl += ", "
		}
		ddl += c.Key + " TEXT"
	}
	if _, err := conn.Exec(ctx, ddl+")"); err != nil {
		return 0, err
	}

	t0 := time.Now()
	f, err := excelize.OpenFile(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if !rows.Next() { // the header
		return 0, fmt.Errorf("empty workbook")
	}
	values := make([]any, len(cols))
	var iterErr error
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_roster_copy"}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Error()
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			iterErr = err
			return nil, err
		}
		for i := range values {
			values[i] = ""
			if i < len(cells) {
				values[i] = cells[i]
			}
		}
		return values, nil
	}))
	elapsed := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("copy: %w (%v)", err, iterErr)
	}
	if int(copied) != want {
		return 0, fmt.Errorf("copied %d rows, want %d", copied, want)
	}
	return elapsed, nil
}

// importCount runs a query that returns one integer.
func importCount(ctx context.Context, dbURL, query string, into *int) error {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRowContext(ctx, query).Scan(into)
}

// importSeconds writes a duration in seconds with two decimals.
func importSeconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

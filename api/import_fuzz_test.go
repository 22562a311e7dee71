package api

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/crypto/bcrypt"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
	"fugong/report/roster"
	"fugong/report/xlsxtest"
)

// FuzzRosterImport feeds arbitrary bytes, as the uploaded workbook, to what the import route
// does with an upload (importWorkbook: roster.Stream, then WorkerService.Import), on a
// real SQLite database made once per fuzzing process. Whatever the bytes:
//   - nothing panics;
//   - an error is what the route would answer with a 422: ErrInvalid naming the file, with
//     a message (describe maps it as the error handler does, so a 500 shows as one);
//   - a refused file (an error, or row errors) writes nothing: the workers, daily statistics,
//     alerts and audit trail keep their rows;
//   - row errors have messages, and the error workbook for them is made or refused as the
//     route would (a 422, or ErrTooBigToAnnotate), never a 500 or a panic.
//
// The seeds run in every go test; run it for real with
// go test -run XXX -fuzz FuzzRosterImport -fuzztime 5m ./api
func FuzzRosterImport(f *testing.F) {
	for _, seed := range rosterSeeds(f) {
		f.Add(seed)
	}
	check := importChecker(f)
	f.Fuzz(func(t *testing.T, upload []byte) { check(t, upload) })
}

// FuzzRosterSheet is FuzzRosterImport with the zip taken care of: the fuzzer writes the rows
// of the sheet (inside <sheetData>) and the items of the shared string table, which go into a
// well-formed package. FuzzRosterImport's changes rarely get past the zip's checksums, which
// the upload's check verifies (report/internal/ooxml); these reach the sheet reader's reading
// of the XML, the header's mapping and domain's validation.
func FuzzRosterSheet(f *testing.F) {
	shared := xlsxtest.SI("姓名") + xlsxtest.SI("身份证号") + xlsxtest.SI("手机号") + xlsxtest.SI("张三") +
		xlsxtest.SI("371626199001011234") + xlsxtest.SI("13800000000")
	p := xlsxtest.Person(1)
	seeds := []struct{ rows, sst string }{
		{xlsxtest.InlineRow(1, xlsxtest.Header...) + xlsxtest.InlineRow(2, p...), ""},
		{xlsxtest.SharedRow(0, 1, 2) + xlsxtest.SharedRow(3, 4, 5), shared},
		// An ID number and a phone as numbers, a date as a serial, a formula, rows out of order.
		{xlsxtest.SharedRow(0, 1, 2) + `<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3"><v>3.71626199001011E+17</v></c>` +
			`<c r="C3"><f>1+1</f><v>13800000000</v></c><c r="G3" s="1"><v>46070</v></c></row>` +
			`<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[李四]]></t></is></c><!-- note --></row>`, shared},
		{`<x:row xmlns:x="ns"><x:c t="s"><x:v>0</x:v></x:c></x:row><row r="1048576"/>`, shared},
	}
	for _, s := range seeds {
		f.Add([]byte(s.rows), []byte(s.sst))
	}
	check := importChecker(f)
	f.Fuzz(func(t *testing.T, rows, sst []byte) {
		book := xlsxtest.Book{Rows: func(w io.Writer) error { _, err := w.Write(rows); return err }}
		if len(sst) > 0 {
			book.SharedStrings = func(w io.Writer) error { _, err := w.Write(sst); return err }
		}
		check(t, book.Bytes(t))
	})
}

// importChecker makes the database and fixture of a fuzz target once, and returns the check
// of one upload: see FuzzRosterImport.
func importChecker(f *testing.F) func(t *testing.T, upload []byte) {
	db := dbtest.Engines(f)[0].Open(f) // SQLite: made once, shared by the inputs of this process
	svc, hr, enterpriseID := importFixture(f, db)
	ctx := context.Background()
	state := func(t *testing.T) string {
		var s string
		for _, table := range []string{"workers", "daily_stats", "daily_origins", "alerts", "audit_events"} {
			n, err := dbtest.CountRows(ctx, db, table)
			if err != nil {
				t.Fatal(err)
			}
			s += fmt.Sprintf("%s=%d ", table, n)
		}
		return s
	}
	return func(t *testing.T, upload []byte) {
		before := state(t)
		res, err := importWorkbook(ctx, svc.Workers, hr, enterpriseID, upload, domain.ImportOptions{})
		if err != nil || len(res.Errors) > 0 {
			if after := state(t); after != before {
				t.Errorf("a refused upload wrote: got %s, want %s", after, before)
			}
		}
		if err != nil {
			wantFileError(t, err)
			return
		}
		for _, e := range res.Errors {
			if e.Message == "" || e.Row < 0 {
				t.Errorf("got row error %+v, want a row and a message", e)
			}
		}
		if len(res.Errors) == 0 {
			return
		}
		_, err = roster.Annotate(upload, res.Errors)
		if err != nil && !errors.Is(err, roster.ErrTooBigToAnnotate) {
			wantFileError(t, err)
		}
	}
}

// wantFileError checks that err is answered 422 with a message naming field file.
func wantFileError(t *testing.T, err error) {
	t.Helper()
	status, body := describe(err)
	var de *domain.Error
	if status != http.StatusUnprocessableEntity || !errors.As(err, &de) {
		t.Fatalf("got %d for %v, want 422", status, err)
	}
	if len(de.Fields) != 1 || de.Fields[0].Field != "file" || de.Fields[0].Message == "" || body.Error.Message == "" {
		t.Fatalf("got %v, want a message on field file", err)
	}
}

// importFixture makes a township with an enterprise and its HR, whose actor imports.
func importFixture(tb testing.TB, db *repo.DB) (domain.Services, domain.Actor, int64) {
	tb.Helper()
	ctx := context.Background()
	svc := domain.NewServices(repo.Stores(db, dbtest.Box()), domain.Options{Passwords: domain.PasswordHasher{Cost: bcrypt.MinCost}})
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("fixture: %v", err)
		}
	}
	const password = "secret-pass-1"
	root, err := svc.Users.Bootstrap(ctx, "root", password, "平台")
	must(err)
	_, err = svc.Townships.Create(ctx, root.Actor(), domain.NewTownship{Name: "长山镇", Code: "371626102",
		Population: 73000, Zones: []string{"一区"}, AdminUsername: "admina", AdminPassword: password})
	must(err)
	admin, err := repo.Stores(db, dbtest.Box()).Users.GetByUsername(ctx, "admina")
	must(err)
	name, zone, industry, contact, phone, headcount := "长山一号纺织有限公司", "一区", "纺织服装", "王强", "13800000001", 100
	code := "91371626MA3C8A010"
	code += string(domain.CreditCheckChar(code))
	e, err := svc.Enterprises.Create(ctx, admin.Actor(), domain.EnterpriseInput{Name: &name, CreditCode: &code,
		Industry: &industry, Zone: &zone, ContactName: &contact, ContactPhone: &phone, Headcount: &headcount})
	must(err)
	hr, err := svc.Users.Create(ctx, admin.Actor(), domain.NewUser{Username: "hra1", Password: password,
		Role: domain.RoleEnterpriseHR, Name: "人事", EnterpriseID: e.ID})
	must(err)
	return svc, hr.Actor(), e.ID
}

// rosterSeeds are the fuzzer's starting points: valid rosters as excelize writes them (shared
// strings, styles) and as xlsxtest writes them (inline strings; once uncompressed, so that the
// fuzzer's changes reach the XML), the first cut at several points, random bytes, an empty
// zip, a zip with no workbook in it, and the template with its example row.
func rosterSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	book := excelize.NewFile()
	defer book.Close()
	rows := [][]string{xlsxtest.Header, xlsxtest.Person(1), xlsxtest.Person(2)}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := book.SetSheetRow("Sheet1", cell, &r); err != nil {
			tb.Fatal(err)
		}
	}
	buf, err := book.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	valid := buf.Bytes()
	seeds := [][]byte{valid,
		xlsxtest.Valid(tb, 2),
		xlsxtest.Book{Rows: xlsxtest.Rows(rows...), Stored: true}.Bytes(tb),
	}
	for _, frac := range []float64{0.1, 0.5, 0.9} {
		seeds = append(seeds, valid[:int(float64(len(valid))*frac)])
	}
	seeds = append(seeds, valid[:len(valid)-1])
	random := make([]byte, 2048)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	seeds = append(seeds, random)
	var empty bytes.Buffer
	if err := zip.NewWriter(&empty).Close(); err != nil {
		tb.Fatal(err)
	}
	seeds = append(seeds, empty.Bytes(),
		xlsxtest.Zip(tb, xlsxtest.Part{Name: "[Content_Types].xml", Data: []byte(`<Types/>`)}, xlsxtest.Part{Name: "docProps/app.xml", Data: []byte(`<Properties/>`)}))
	template, err := roster.Template()
	if err != nil {
		tb.Fatal(err)
	}
	return append(seeds, template)
}

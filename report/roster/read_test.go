package roster

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/report/xlsxtest"
)

func TestReadRoster(t *testing.T) {
	feb17 := dateCell(time.Date(2026, 2, 17, 0, 0, 0, 0, time.UTC))
	head := []any{"姓名", "身份证号", "手机号", "返岗日期"}
	type want struct {
		row     int
		cells   map[string]string
		numeric []string
	}
	person := func(row int, name, id, phone, arrived string, numeric ...string) want {
		return want{row, map[string]string{domain.ColName: name, domain.ColIDNumber: id, domain.ColPhone: phone, domain.ColArrivedOn: arrived}, numeric}
	}
	tests := []struct {
		name     string
		book     []byte
		maxRows  int
		want     []want
		wantErrs []domain.RowError
	}{
		{name: "OK", book: newBook(t, head, []any{"张三", "371626199001011234", "13800000000", "2026-02-17"}),
			want: []want{person(2, "张三", "371626199001011234", "13800000000", "2026-02-17")}},
		{name: "Spaces", book: newBook(t, head,
			[]any{"  张三\u3000", "\u3000371626199001011234 ", " 13800000000\t", "\u00a02026-02-17\u200b"}),
			want: []want{person(2, "张三", "371626199001011234", "13800000000", "2026-02-17")}},
		{name: "FullWidthDigits", book: newBook(t, head,
			[]any{"张三", "３７１６２６１９９００１０１１２３Ｘ", "１３８００００００００", "２０２６-０２-１７"}),
			want: []want{person(2, "张三", "37162619900101123X", "13800000000", "2026-02-17")}},
		{name: "TextDatesStayText", book: newBook(t, head,
			[]any{"甲", "1", "1", "2026-02-17"}, []any{"乙", "2", "2", "2026/2/17"},
			[]any{"丙", "3", "3", "2026.2.17"}, []any{"丁", "4", "4", "2026年2月17日"}),
			want: []want{person(2, "甲", "1", "1", "2026-02-17"), person(3, "乙", "2", "2", "2026/2/17"),
				person(4, "丙", "3", "3", "2026.2.17"), person(5, "丁", "4", "4", "2026年2月17日")}},
		{name: "ExcelDates", book: newBook(t, head,
			[]any{"甲", "1", "1", feb17},
			[]any{"乙", "2", "2", dateCell(time.Date(2026, 2, 17, 18, 30, 0, 0, time.UTC))},
			[]any{"丙", "3", "3", 46070},    // a serial typed into a General column
			[]any{"丁", "4", "4", 20260217}, // not a date serial: kept for domain to read
			[]any{"戊", "5", "5", 1.5}),     // 1900: not a plausible arrival
			want: []want{person(2, "甲", "1", "1", "2026-02-17"), person(3, "乙", "2", "2", "2026-02-17"),
				person(4, "丙", "3", "3", "2026-02-17"), person(5, "丁", "4", "4", "20260217", domain.ColArrivedOn),
				person(6, "戊", "5", "5", "1.5", domain.ColArrivedOn)}},
		{name: "IDStoredAsNumber", book: newBook(t, head,
			[]any{"Excel", numberCell("3.71626199001011E+17"), "13800000000", ""},
			[]any{"LibreOffice", numberCell("3.71626199001011E+017"), "13800000000", ""},
			[]any{"Program", numberCell("371626199001011000"), numberCell("13800000000"), ""},
			[]any{"Text", "371626199001011000", "13800000000", ""}),
			want: []want{
				person(2, "Excel", "3.71626199001011E+17", "13800000000", "", domain.ColIDNumber),
				person(3, "LibreOffice", "3.71626199001011E+017", "13800000000", "", domain.ColIDNumber),
				person(4, "Program", "371626199001011000", "13800000000", "", domain.ColIDNumber, domain.ColPhone),
				person(5, "Text", "371626199001011000", "13800000000", "")}},
		{name: "EmptyRowsSkipped", book: newBook(t, head,
			[]any{"甲", "1", "1", ""},
			[]any{" ", "\u3000", "", ""}, // spaces only
			nil,                          // no row at all
			[]any{"乙", "2", "2", ""},
			[]any{"", "", "", ""}, []any{" "}, nil, nil),
			want: []want{person(2, "甲", "1", "1", ""), person(5, "乙", "2", "2", "")}},
		{name: "OtherOrderAndAliases", book: newBook(t,
			[]any{"序号", "手机号码", "证件号码", "职工姓名", "从何地返回", "备注", "抵达日期"},
			[]any{1, "13800000000", "371626199001011234", "张三", "湖北省武汉市", "夜班", "2026-02-17"},
			[]any{2}, // a numbered line with nothing else: empty
		),
			want: []want{{2, map[string]string{domain.ColName: "张三", domain.ColIDNumber: "371626199001011234",
				domain.ColPhone: "13800000000", domain.ColOriginRegion: "湖北省武汉市", domain.ColArrivedOn: "2026-02-17"}, nil}}},
		{name: "StarsParenthesesSpaces", book: newBook(t,
			[]any{"*姓名", "＊身份证号（18位）", "手 机 号\n(必填)", "返回地（区划代码或名称）", "返岗日期*"},
			[]any{"张三", "371626199001011234", "13800000000", "420100", "2026-02-17"}),
			want: []want{{2, map[string]string{domain.ColName: "张三", domain.ColIDNumber: "371626199001011234",
				domain.ColPhone: "13800000000", domain.ColOriginRegion: "420100", domain.ColArrivedOn: "2026-02-17"}, nil}}},
		{name: "TitleAboveHeader", book: newBook(t,
			[]any{"XX公司返岗职工花名册"}, nil,
			[]any{"姓名", "身份证号", "手机号"},
			[]any{"张三", "371626199001011234", "13800000000"}),
			want: []want{{4, map[string]string{domain.ColName: "张三", domain.ColIDNumber: "371626199001011234", domain.ColPhone: "13800000000"}, nil}}},
		{name: "HeaderBeatsAlias", book: newBook(t,
			[]any{"姓名", "身份证号", "联系电话", "手机号"},
			[]any{"张三", "371626199001011234", "0543-1234567", "13800000000"}),
			want: []want{{2, map[string]string{domain.ColName: "张三", domain.ColIDNumber: "371626199001011234", domain.ColPhone: "13800000000"}, nil}}},
		{name: "ExampleRowSkipped", book: newBook(t, head,
			[]any{"示例:张三", "371626199001011234", "13800000000", "2026-02-17"},
			[]any{"李四", "1", "1", ""}),
			want: []want{person(3, "李四", "1", "1", "")}},
		{name: "MissingRequiredColumn", book: newBook(t,
			[]any{"姓名", "手机号", "部门"}, []any{"张三", "13800000000", "织造车间"}),
			wantErrs: []domain.RowError{{Row: 1, Message: "缺少「身份证号」列"}}},
		{name: "MissingEverything", book: newBook(t, []any{"甲", "乙"}, []any{"1", "2"}),
			wantErrs: []domain.RowError{{Row: 1, Message: "缺少「姓名」列"}, {Row: 1, Message: "缺少「身份证号」列"},
				{Row: 1, Message: "缺少「手机号」列"}}},
		{name: "TooManyRows", maxRows: 2, book: newBook(t, head,
			[]any{"甲", "1", "1"}, []any{"乙", "2", "2"}, []any{"丙", "3", "3"}),
			wantErrs: []domain.RowError{{Row: 0, Message: "最多 2 行，请分批导入"}}},
		{name: "ExactlyMaxRows", maxRows: 2, book: newBook(t, head,
			[]any{"甲", "1", "1"}, []any{"乙", "2", "2"}, nil, []any{"", ""}),
			want: []want{person(2, "甲", "1", "1", ""), person(3, "乙", "2", "2", "")}},
		{name: "HeaderOnly", book: newBook(t, head), want: nil},
		{name: "RosterOnSecondSheet", book: newBookSheets(t, map[string][][]any{
			"封面":   {{"返岗职工登记"}, {"填表人:王五"}},
			"职工名单": {head, {"张三", "371626199001011234", "13800000000", feb17}},
		}, "封面", "职工名单"),
			want: []want{person(2, "张三", "371626199001011234", "13800000000", "2026-02-17")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs := readRoster(t, tt.book, tt.maxRows)
			if fmt.Sprint(errs) != fmt.Sprint(tt.wantErrs) {
				t.Errorf("errors: got %v, want %v", errs, tt.wantErrs)
			}
			if len(rows) != len(tt.want) {
				t.Fatalf("got %d rows %v, want %d", len(rows), rows, len(tt.want))
			}
			for i, w := range tt.want {
				got := rows[i]
				if got.Row != w.row {
					t.Errorf("row %d: got number %d, want %d", i, got.Row, w.row)
				}
				for key, v := range w.cells {
					if got.Cells[key] != v {
						t.Errorf("row %d %s: got %q, want %q", w.row, key, got.Cells[key], v)
					}
				}
				wantNumeric := map[string]bool{}
				for _, k := range w.numeric {
					wantNumeric[k] = true
				}
				if !maps.Equal(got.Numeric, wantNumeric) {
					t.Errorf("row %d numeric: got %v, want %v", w.row, got.Numeric, wantNumeric)
				}
			}
		})
	}
}

// TestReadRosterDate1904 reads a workbook whose dates count from 1904, as old Mac Excel's do.
func TestReadRosterDate1904(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "身份证号", "手机号", "返岗日期"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Sheet1", "A2", &[]any{"张三", "1", "1", 46070 - 1462}); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := readRoster(t, buf.Bytes(), 0)
	if len(rows) != 1 || rows[0].Cells[domain.ColArrivedOn] != "2026-02-17" {
		t.Fatalf("got %v, want 返岗日期 2026-02-17", rows)
	}
}

func TestReadRosterNotAWorkbook(t *testing.T) {
	good := newBook(t, []any{"姓名", "身份证号", "手机号"}, []any{"张三", "371626199001011234", "13800000000"})
	random := make([]byte, 4096)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	const notXLSX = "不是有效的 Excel 工作簿"
	cases := []struct {
		name    string
		data    []byte
		wantMsg string
	}{
		{"Empty", nil, notXLSX},
		{"RandomBytes", random, notXLSX},
		{"CSV", []byte("姓名,身份证号,手机号\n张三,371626199001011234,13800000000\n"), notXLSX},
		{"TruncatedZip", good[:len(good)/2], notXLSX},
		{"ZipOfSomethingElse", zipOf(t, map[string][]byte{"readme.txt": []byte("hello")}), notXLSX},
		{"OldXLS", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, random...), "旧版 .xls"},
		{"ZipBomb", zipBomb(t), "64 MB"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := readAll(bytes.NewReader(tt.data), 100)
			wantInvalidFile(t, err)
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got %v, want a message with %q", err, tt.wantMsg)
			}
			if rows != nil || errs != nil {
				t.Errorf("got rows %v errors %v, want none", rows, errs)
			}
			_, err = Annotate(tt.data, []domain.RowError{{Row: 2, Message: "x"}})
			wantInvalidFile(t, err)
		})
	}
}

// zipOf writes a zip with the given entries.
func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb is a real workbook whose sheet unpacks to more than the upload limit, though the
// file itself is small.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	good := newBook(t, []any{"姓名"})
	src, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range src.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var part bytes.Buffer
		if _, err := part.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		_ = rc.Close()
		data := part.Bytes()
		if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			// Pad the sheet with 80 MB of spaces before its closing tag: valid XML, tiny zipped.
			end := bytes.LastIndex(data, []byte("</worksheet>"))
			data = append(append(append([]byte{}, data[:end]...), bytes.Repeat([]byte(" "), 80<<20)...), data[end:]...)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 1<<20 {
		t.Fatalf("zip bomb is %d bytes, want it small", buf.Len())
	}
	return buf.Bytes()
}

func TestReadRoster10000Rows(t *testing.T) {
	const n = 10000
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", templateHeaders()); err != nil {
		t.Fatal(err)
	}
	person := func(i int) (name, id, phone string) {
		first17 := fmt.Sprintf("371626199%08d", i)
		return "职工" + strconv.Itoa(i), first17 + string(domain.IDCheckChar(first17)), fmt.Sprintf("139%08d", i)
	}
	for i := 1; i <= n; i++ {
		name, id, phone := person(i)
		row := make([]any, len(domain.RosterColumns))
		for j, c := range domain.RosterColumns {
			switch c.Key {
			case domain.ColName:
				row[j] = name
			case domain.ColIDNumber:
				row[j] = id
			case domain.ColPhone:
				row[j] = phone
			case domain.ColArrivedOn:
				row[j] = 46070 + i%10
			default:
				row[j] = c.Example
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}

	rows, errs := readRoster(t, buf.Bytes(), n)
	if len(errs) != 0 || len(rows) != n {
		t.Fatalf("got %d rows and errors %v, want %d rows", len(rows), errs, n)
	}
	for _, i := range []int{1, n / 2, n} {
		name, id, phone := person(i)
		got := rows[i-1]
		want := map[string]string{domain.ColName: name, domain.ColIDNumber: id, domain.ColPhone: phone,
			domain.ColArrivedOn: fmt.Sprintf("2026-02-%02d", 17+i%10)}
		if got.Row != i+1 {
			t.Errorf("person %d: got row %d, want %d", i, got.Row, i+1)
		}
		for key, v := range want {
			if got.Cells[key] != v {
				t.Errorf("person %d %s: got %q, want %q", i, key, got.Cells[key], v)
			}
		}
		if len(got.Numeric) != 0 {
			t.Errorf("person %d: got numeric %v, want none", i, got.Numeric)
		}
	}
	if _, errs := readRoster(t, buf.Bytes(), n-1); len(errs) != 1 || errs[0].Row != 0 {
		t.Errorf("with one row too many: got %v, want one error on row 0", errs)
	}
}

// TestReadRosterLibreOffice reads a roster as real ones arrive: a CSV that LibreOffice 7.4
// converted to .xlsx (soffice --headless --infilter="CSV:44,34,76,1" --convert-to xlsx), from
//
//	姓名,身份证号,手机号,返岗日期
//	张三,371626199001011234,13800000000,2026-02-17
//	李四,37162619900101123X,13900000000,2026/2/17
//
// LibreOffice turned the first ID number into the number 3.71626199001011E+017 (t="n"), the
// phones into numbers, and 2026-02-17 into a date cell; the ID ending in X and 2026/2/17 stayed
// text.
func TestReadRosterLibreOffice(t *testing.T) {
	data, err := os.ReadFile("testdata/libreoffice-from-csv.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	rows, errs := readRoster(t, data, 0)
	if len(errs) != 0 || len(rows) != 2 {
		t.Fatalf("got rows %v errors %v, want 2 rows", rows, errs)
	}
	tests := []struct {
		row     domain.RosterRow
		id      string
		arrived string
		numeric map[string]bool
	}{
		{rows[0], "3.71626199001011E+017", "2026-02-17", map[string]bool{domain.ColIDNumber: true, domain.ColPhone: true}},
		{rows[1], "37162619900101123X", "2026/2/17", map[string]bool{domain.ColPhone: true}},
	}
	for _, tt := range tests {
		if got := tt.row.Cells[domain.ColIDNumber]; got != tt.id {
			t.Errorf("row %d 身份证号: got %q, want %q", tt.row.Row, got, tt.id)
		}
		if got := tt.row.Cells[domain.ColArrivedOn]; got != tt.arrived {
			t.Errorf("row %d 返岗日期: got %q, want %q", tt.row.Row, got, tt.arrived)
		}
		if !maps.Equal(tt.row.Numeric, tt.numeric) {
			t.Errorf("row %d numeric: got %v, want %v", tt.row.Row, tt.row.Numeric, tt.numeric)
		}
	}
}

// TestStreamRosterStops: a reading stops when its context ends, before the first row or
// between batches, and returns the context's cause: a client that left, or a spent time
// budget, does not keep a core busy with the rest of the sheet.
func TestStreamRosterStops(t *testing.T) {
	book := xlsxtest.Valid(t, 100)
	left := errors.New("the client left")
	t.Run("Before", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(left)
		batches := 0
		_, err := Stream(ctx, bytes.NewReader(book), domain.MaxImportRows, 10, func([]domain.RosterRow) error {
			batches++
			return nil
		})
		if !errors.Is(err, left) || batches != 0 {
			t.Errorf("got %v after %d batches, want the cause and none", err, batches)
		}
	})
	t.Run("Between", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		batches := 0
		_, err := Stream(ctx, bytes.NewReader(book), domain.MaxImportRows, 10, func([]domain.RosterRow) error {
			if batches++; batches == 2 {
				cancel(left)
			}
			return nil
		})
		if !errors.Is(err, left) || batches != 2 {
			t.Errorf("got %v after %d batches, want the cause after 2", err, batches)
		}
	})
}

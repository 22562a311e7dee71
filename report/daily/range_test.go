package daily

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/report/xlsxtest"
)

// rangeEnterprises are the enterprises of the range tests.
var rangeEnterprises = []domain.Enterprise{
	{ID: 1, Name: "鲁丰纺织有限公司", CreditCode: "913716260000000012", Zone: "一区", Industry: "纺织服装", Status: domain.StatusReopened},
	{ID: 2, Name: "华兴机械厂", CreditCode: "91371626MA3C00001X", Zone: "二区", Industry: "机械制造", Status: domain.StatusApproved},
	{ID: 3, Name: "东方食品厂", CreditCode: "913716260000000099", Industry: "食品加工", Status: domain.StatusNotApplied},
}

// rangeRow is enterprise e's made-up figures on day n of the range.
func rangeRow(from domain.Date, n int, e domain.Enterprise) domain.RangeRow {
	i := int(e.ID)
	return domain.RangeRow{Enterprise: e, DayRow: domain.DayRow{EnterpriseID: e.ID, Date: from.AddDays(n),
		Figures: domain.Figures{Roster: 100 * i, Returned: n * i, OnDuty: n, Isolating: (n * i) - n, KeyArea: n % 5,
			Due: n * i, CheckinsAM: n*i - n%3, CheckinsPM: n*i - n%4, Fever: n % 7 / 6, Symptomatic: n % 11 / 10,
			Alerts: n % 3, AlertsOpen: n % 2}},
		Return: domain.ReturnFigures{Planned: n % 2 * i, PlannedToDate: n * i, Arrived: n % 3, ArrivedToDate: n*i - 1,
			Early: n % 4, NoShow: i}}
}

// writeRange writes days × enterprises rows, ordered by day and enterprise as the stores give
// them, and returns the workbook.
func writeRange(t *testing.T, from domain.Date, days int) []byte {
	t.Helper()
	rw, err := NewRangeWriter("长山镇", from, from.AddDays(days-1))
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	for n := range days {
		for _, e := range rangeEnterprises {
			if err := rw.Add(rangeRow(from, n, e)); err != nil {
				t.Fatalf("Add: %v", err)
			}
		}
	}
	var buf bytes.Buffer
	written, err := rw.WriteTo(&buf)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if written != int64(buf.Len()) {
		t.Errorf("WriteTo: got %d bytes counted, want %d written", written, buf.Len())
	}
	return buf.Bytes()
}

func TestRangeWriter(t *testing.T) {
	from := domain.NewDate(2026, 1, 9)
	const days = 40
	data := writeRange(t, from, days)
	f := xlsxtest.Reopen(t, data)
	header := []string{"日期", "企业名称", "统一社会信用代码", "责任区", "行业", "复工状态", "花名册人数", "已返岗", "在岗",
		"隔离观察", "重点地区返回", "应打卡", "上午已打卡", "下午已打卡", "上午未打卡", "下午未打卡", "迟报", "完成率", "发热",
		"有症状", "未登记返岗", "新增预警", "未处理预警", "计划返岗", "计划累计", "实际返岗", "实际累计", "提前返岗", "逾期未返",
		"累计较计划"}

	t.Run("Rows", func(t *testing.T) {
		if got := f.GetSheetList(); !slices.Equal(got, []string{"复工统计"}) {
			t.Fatalf("got sheets %v, want 复工统计", got)
		}
		rows := allRows(t, f, rangeSheet)
		if got := cellAt(rows, 1, 1); got != "长山镇企业复工统计(2026-01-09 至 2026-02-17)" {
			t.Errorf("title: got %q", got)
		}
		if !slices.Equal(rows[1], header) {
			t.Fatalf("header: got %v, want %v", rows[1], header)
		}
		if got, want := len(rows), 2+days*len(rangeEnterprises); got != want {
			t.Fatalf("got %d rows, want %d", got, want)
		}
		// Day 39 of 华兴机械厂: the second enterprise of the last day.
		r := rangeRow(from, 39, rangeEnterprises[1])
		want := []string{"2026-02-17", "华兴机械厂", "91371626MA3C00001X", "二区", "机械制造", "已批准",
			"200", "78", "39", "39", "4", "78", "78", "75", "0", "3", "0", percent(r.Completion()), "0", "0", "0", "0", "1",
			"2", "78", "0", "77", "3", "2", "-1"}
		if got := rows[len(rows)-2]; !slices.Equal(got, want) {
			t.Errorf("last day of 华兴机械厂: got %v, want %v", got, want)
		}
		if got := cellAt(rows, 4, len(rows)); got != "未划分责任区" {
			t.Errorf("东方食品厂 责任区: got %q, want 未划分责任区", got)
		}
		wantDateCell(t, f, rangeSheet, "A3", from)
		wantDateCell(t, f, rangeSheet, "A"+strconv.Itoa(len(rows)), from.AddDays(days-1))
		col := func(name string) string { return headerCol(t, header, name) }
		for _, name := range []string{"企业名称", "统一社会信用代码"} {
			if typ, _ := f.GetCellType(rangeSheet, col(name)+"3"); typ != excelize.CellTypeInlineString {
				t.Errorf("%s: got cell type %v, want text", name, typ)
			}
		}
		raw, _ := f.GetCellValue(rangeSheet, col("已返岗")+"4", excelize.Options{RawCellValue: true})
		if raw != "0" {
			t.Errorf("已返岗 on day 0: got raw %q, want the number 0", raw)
		}
		if s := xlsxtest.Style(t, f, rangeSheet, col("完成率")+"3"); s.CustomNumFmt == nil || *s.CustomNumFmt != percentFormat {
			t.Errorf("完成率: got format %v, want %s", s.CustomNumFmt, percentFormat)
		}
	})

	t.Run("Layout", func(t *testing.T) {
		p, err := f.GetPanes(rangeSheet)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Freeze || p.YSplit != 2 || p.TopLeftCell != "A3" {
			t.Errorf("got panes %+v, want the title and header frozen", p)
		}
		tables, err := f.GetTables(rangeSheet)
		if err != nil {
			t.Fatal(err)
		}
		if want := "A2:AD" + strconv.Itoa(2+days*len(rangeEnterprises)); len(tables) != 1 || tables[0].Range != want {
			t.Errorf("got tables %+v, want one over %s (its filter)", tables, want)
		}
		for _, c := range []struct {
			col     string
			atLeast float64
		}{{"A", 12}, {"B", 28}, {"C", 21}} {
			if w, _ := f.GetColWidth(rangeSheet, c.col); w < c.atLeast {
				t.Errorf("column %s: got width %v, want at least %v", c.col, w, c.atLeast)
			}
		}
		wantPrintLayout(t, f, rangeSheet)
		if !slices.ContainsFunc(f.GetDefinedName(), func(d excelize.DefinedName) bool {
			return d.Name == "_xlnm.Print_Titles" && d.Scope == rangeSheet && d.RefersTo == "'复工统计'!$2:$2"
		}) {
			t.Errorf("got defined names %+v, want the header repeated on every printed page", f.GetDefinedName())
		}
	})
}

// TestRangeWriterEmpty checks a range with no rows: the title and header still there, and a
// table Excel accepts.
func TestRangeWriterEmpty(t *testing.T) {
	data := writeRange(t, domain.NewDate(2026, 2, 1), 0)
	f := xlsxtest.Reopen(t, data)
	rows := allRows(t, f, rangeSheet)
	if len(rows) != 2 || rows[1][0] != "日期" {
		t.Errorf("got rows %v, want the title and the header", rows)
	}
	if tables, _ := f.GetTables(rangeSheet); len(tables) != 1 {
		t.Errorf("got tables %+v, want one", tables)
	}
}

// TestRangeWriterFinished checks the writer's life: nothing after WriteTo or Close, and Close
// as often as a deferred call and an error path like.
func TestRangeWriterFinished(t *testing.T) {
	from := domain.NewDate(2026, 2, 1)
	rw, err := NewRangeWriter("长山镇", from, from)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rw.WriteTo(io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := rw.Add(rangeRow(from, 0, rangeEnterprises[0])); !errors.Is(err, errRangeFinished) {
		t.Errorf("Add after WriteTo: got %v, want errRangeFinished", err)
	}
	if _, err := rw.WriteTo(io.Discard); !errors.Is(err, errRangeFinished) {
		t.Errorf("WriteTo twice: got %v, want errRangeFinished", err)
	}
	for range 2 {
		if err := rw.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	rw, err = NewRangeWriter("长山镇", from, from)
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rw.Add(rangeRow(from, 0, rangeEnterprises[0])); !errors.Is(err, errRangeFinished) {
		t.Errorf("Add after Close: got %v, want errRangeFinished", err)
	}
}

// TestRangeWriterMemory writes 200,000 rows and checks that the heap does not hold them:
// written out as XML they are well over 100 MB, which the stream writer must keep in its
// temporary file, and the zip goes straight to the writer. The temporary file is gone after
// WriteTo.
func TestRangeWriterMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200,000 rows")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // excelize's temporary files go to os.TempDir
	from := domain.NewDate(2020, 1, 1)
	rw, err := NewRangeWriter("长山镇", from, from.AddDays(1999))
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	const rows = 200_000
	var peak uint64
	var ms runtime.MemStats
	for n := range rows {
		if err := rw.Add(rangeRow(from, n/100, rangeEnterprises[n%3])); err != nil {
			t.Fatal(err)
		}
		if n%50_000 == 49_999 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if spilled, _ := filepath.Glob(filepath.Join(tmp, "*")); len(spilled) == 0 {
		t.Errorf("no temporary file while adding rows: the rows are all in memory")
	}
	var size int64
	cw := &countingWriter{w: io.Discard}
	if size, err = rw.WriteTo(cw); err != nil {
		t.Fatal(err)
	}
	if size != cw.n || size < 1<<20 {
		t.Errorf("got %d bytes (%d counted), want a workbook", size, cw.n)
	}
	t.Logf("peak heap %d MB, workbook %d MB", peak>>20, size>>20)
	const limit = 64 << 20
	if peak > limit {
		t.Errorf("heap reached %d MB while adding rows, want under %d MB", peak>>20, limit>>20)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "*"))
	if len(left) != 0 {
		t.Errorf("temporary files left after WriteTo: %v", left)
	}
}

func TestRangeFileName(t *testing.T) {
	got := RangeFileName("长山镇", domain.NewDate(2026, 2, 1), domain.NewDate(2026, 2, 17))
	if got != "长山镇复工统计-2026-02-01至2026-02-17.xlsx" {
		t.Errorf("got %q", got)
	}
}

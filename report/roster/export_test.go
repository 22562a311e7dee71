package roster

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/domain/region"
	"fugong/report/internal/xlstyle"
	"fugong/report/xlsxtest"
)

// validID makes a valid ID number from its first 17 digits.
func validID(first17 string) domain.IDNumber {
	return domain.IDNumber(first17 + string(domain.IDCheckChar(first17)))
}

func exportWorkers() []domain.Worker {
	return []domain.Worker{{
		Name: "张三", IDNumber: validID("37168119900101123"), Phone: "13800000000", Department: "织造车间",
		ShiftGroup: "甲班", OriginRegion: "420100", ArrivedOn: domain.NewDate(2026, 2, 10), Transport: "火车 G1234",
		KeyAreaExposure: true, RiskLevel: domain.RiskHigh, RiskReason: "14 天内到过重点地区",
		Status: domain.WorkerIsolating, IsolationPlace: "家中单独房间",
		IsolationStart: domain.NewDate(2026, 2, 10), IsolationUntil: domain.NewDate(2026, 2, 24),
	}, {
		Name: "李四", IDNumber: validID("37168119920315002"), Phone: "13900000000",
		ContactHistory: true, RiskLevel: domain.RiskLow, Status: domain.WorkerExpected,
	}}
}

func TestWriteRoster(t *testing.T) {
	today := domain.NewDate(2026, 2, 17)
	workers := exportWorkers()
	write := func(t *testing.T, reveal bool) []byte {
		t.Helper()
		var buf bytes.Buffer
		if err := Write(&buf, workers, reveal, today); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	masked, revealed := write(t, false), write(t, true)
	derived := []string{"出生日期", "年龄", "性别", "户籍地", "风险等级", "风险原因", "状态", "隔离开始", "隔离截止", "隔离剩余天数"}
	col := func(header string) string {
		i := slices.Index(append(templateHeaderTexts(), derived...), header)
		if i < 0 {
			t.Fatalf("no column %s", header)
		}
		n, _ := excelize.ColumnNumberToName(i + 1)
		return n
	}

	t.Run("Header", func(t *testing.T) {
		f := xlsxtest.Reopen(t, masked)
		rows, err := f.GetRows(rosterSheet) // a small test workbook: GetRows is fine here
		if err != nil {
			t.Fatal(err)
		}
		if want := append(templateHeaderTexts(), derived...); !slices.Equal(rows[0], want) {
			t.Fatalf("got header %v, want %v", rows[0], want)
		}
		if len(rows) != 3 {
			t.Errorf("got %d rows, want 3", len(rows))
		}
		if s := xlsxtest.Style(t, f, rosterSheet, "A1"); s.Font == nil || !s.Font.Bold || s.Fill.Type != "pattern" {
			t.Errorf("A1: got style %+v, want the header style", s)
		}
		p, err := f.GetPanes(rosterSheet)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Freeze || p.YSplit != 1 {
			t.Errorf("got panes %+v, want the header frozen", p)
		}
		if w, _ := f.GetColWidth(rosterSheet, col("身份证号")); w < 20 {
			t.Errorf("身份证号: got width %v, want at least 20", w)
		}
	})

	t.Run("AutoFilter", func(t *testing.T) {
		sheetXML := strings.ReplaceAll(xlsxtest.PartText(t, masked, "xl/worksheets/sheet1.xml"), "$", "")
		want := `<autoFilter ref="A1:` + col("隔离剩余天数") + `3"`
		if !strings.Contains(sheetXML, want) {
			t.Errorf("got no %s in the sheet", want)
		}
		if strings.Index(sheetXML, "<autoFilter") < strings.Index(sheetXML, "</sheetData>") {
			t.Errorf("autoFilter comes before the rows; Excel wants it after sheetData")
		}
		f := xlsxtest.Reopen(t, masked)
		names := f.GetDefinedName()
		if !slices.ContainsFunc(names, func(d excelize.DefinedName) bool { return d.Name == "_xlnm._FilterDatabase" }) {
			t.Errorf("got defined names %+v, want the filter database", names)
		}
	})

	t.Run("Cells", func(t *testing.T) {
		f := xlsxtest.Reopen(t, masked)
		w := workers[0]
		household, _ := region.Name(w.IDNumber.Region()[:2] + "0000") // masked: the province only
		origin, _ := region.Name("420100")
		want := map[string]string{
			"姓名": "张三", "身份证号": w.IDNumber.Masked(), "手机号": "13800000000", "部门": "织造车间", "班组": "甲班",
			"返回地": origin, "返岗日期": "2026-02-10", "交通方式": "火车 G1234", "14天内到过重点地区": "是",
			"接触过确诊或疑似病例": "否", "隔离地点": "家中单独房间",
			"出生日期": "", "年龄": "36", "性别": "男", "户籍地": household, "风险等级": "高", "风险原因": "14 天内到过重点地区",
			"状态": "隔离观察", "隔离开始": "2026-02-10", "隔离截止": "2026-02-24", "隔离剩余天数": "7",
		}
		for header, v := range want {
			if got := xlsxtest.Cell(t, f, rosterSheet, col(header)+"2"); got != v {
				t.Errorf("%s: got %q, want %q", header, got, v)
			}
		}
		second := map[string]string{
			"姓名": "李四", "返回地": "", "返岗日期": "", "14天内到过重点地区": "否", "接触过确诊或疑似病例": "是",
			"出生日期": "", "年龄": "33", "性别": "女", "风险等级": "低", "状态": "待返岗", "隔离开始": "", "隔离截止": "",
			"隔离剩余天数": "",
		}
		for header, v := range second {
			if got := xlsxtest.Cell(t, f, rosterSheet, col(header)+"3"); got != v {
				t.Errorf("row 3 %s: got %q, want %q", header, got, v)
			}
		}
		if !strings.Contains(w.IDNumber.Masked(), "***************") {
			t.Fatalf("masked ID %q is not masked", w.IDNumber.Masked())
		}
		for _, c := range []struct {
			header string
			want   excelize.CellType
		}{{"身份证号", excelize.CellTypeInlineString}, {"手机号", excelize.CellTypeInlineString},
			{"返岗日期", excelize.CellTypeUnset}, {"隔离剩余天数", excelize.CellTypeUnset}} {
			if got, _ := f.GetCellType(rosterSheet, col(c.header)+"2"); got != c.want {
				t.Errorf("%s: got cell type %v, want %v", c.header, got, c.want)
			}
		}
		if s := xlsxtest.Style(t, f, rosterSheet, col("返岗日期")+"2"); s.CustomNumFmt == nil || *s.CustomNumFmt != xlstyle.DateFormat {
			t.Errorf("返岗日期: got format %v, want %q", s.CustomNumFmt, xlstyle.DateFormat)
		}
		if s := xlsxtest.Style(t, f, rosterSheet, col("身份证号")+"2"); s.NumFmt != xlstyle.NumFmtText {
			t.Errorf("身份证号: got number format %d, want text", s.NumFmt)
		}
	})

	t.Run("Revealed", func(t *testing.T) {
		f := xlsxtest.Reopen(t, revealed)
		for i, w := range workers {
			n := strconv.Itoa(i + 2)
			household, _ := region.Name(w.IDNumber.Region())
			for header, want := range map[string]string{"身份证号": string(w.IDNumber), "出生日期": w.IDNumber.BirthDate().String(), "户籍地": household} {
				if got := xlsxtest.Cell(t, f, rosterSheet, col(header)+n); got != want {
					t.Errorf("%s%s: got %q, want %q", header, n, got, want)
				}
			}
		}
	})

	t.Run("ReimportGivesTheSameCells", func(t *testing.T) {
		rows, errs := readRoster(t, revealed, 0)
		if len(errs) != 0 || len(rows) != len(workers) {
			t.Fatalf("got %d rows, errors %v, want %d rows", len(rows), errs, len(workers))
		}
		f := xlsxtest.Reopen(t, revealed)
		for i, r := range rows {
			if r.Row != i+2 {
				t.Errorf("got row %d, want %d", r.Row, i+2)
			}
			for _, c := range domain.RosterColumns {
				want := xlsxtest.Cell(t, f, rosterSheet, col(c.Header)+strconv.Itoa(i+2))
				if r.Cells[c.Key] != want {
					t.Errorf("row %d %s: got %q, want %q as exported", r.Row, c.Header, r.Cells[c.Key], want)
				}
			}
			if len(r.Numeric) != 0 {
				t.Errorf("row %d: got numeric %v, want none", r.Row, r.Numeric)
			}
		}
		if got := rows[0].Cells[domain.ColArrivedOn]; got != "2026-02-10" {
			t.Errorf("返岗日期: got %q, want 2026-02-10", got)
		}
		if code, ok := region.Find(rows[0].Cells[domain.ColOriginRegion]); !ok || code != "420100" {
			t.Errorf("返回地 %q: got code %q, want 420100", rows[0].Cells[domain.ColOriginRegion], code)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Write(&buf, nil, false, today); err != nil {
			t.Fatal(err)
		}
		rows, errs := readRoster(t, buf.Bytes(), 0)
		if len(rows) != 0 || len(errs) != 0 {
			t.Errorf("got rows %v errors %v, want none", rows, errs)
		}
	})
}

// TestWriteRosterDates checks that a date cell holds the day it was given, whatever the
// process's time zone.
func TestWriteRosterDates(t *testing.T) {
	w := exportWorkers()[:1]
	w[0].ArrivedOn = domain.NewDate(2026, 12, 31)
	var buf bytes.Buffer
	if err := Write(&buf, w, true, domain.NewDate(2027, 1, 1)); err != nil {
		t.Fatal(err)
	}
	f := xlsxtest.Reopen(t, buf.Bytes())
	i := slices.Index(templateHeaderTexts(), "返岗日期")
	cell, _ := excelize.CoordinatesToCellName(i+1, 2)
	raw, err := f.GetCellValue(rosterSheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	serial := (time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC).Unix() - time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Unix()) / 86400
	if raw != strconv.FormatInt(serial, 10) {
		t.Errorf("got serial %q, want %d", raw, serial)
	}
}

package daily

import (
	"archive/zip"
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/report/xlsxtest"
)

// TestRowsXMLAsSetRow: the rows rowsXML writes are, byte for byte, those excelize's
// StreamWriter.SetRow writes for the same cells: the text a sheet can hold (spaces at either
// end, line breaks, markup characters, what Excel reads as an escape, characters XML cannot
// hold, broken UTF-8, text over Excel's limit), numbers, dates, styles and empty cells.
func TestRowsXMLAsSetRow(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	date := func(t time.Time) *excelize.Cell { return &excelize.Cell{StyleID: 2, Value: t} } // every date of ours has its style
	rows := [][]any{
		{"鲁丰纺织有限公司", "张三", " 前有空格", "后有空格 ", "换\n行", "制\t表", `<&>"'`, nil, "_x0041_ 与 _X00e9_ 与 _x12_"},
		{"_x005F_", "_x005F_x0041_", "_x005F__x0041_", "_xZZZZ_", "a_x12345_", "_x00411_", "__x0041__", "_x0041__x0042_", "x_x005f_"},
		{"\x01控制字符\x1f", "坏\xffUTF-8", "😀表情", strings.Repeat("长", excelize.TotalCellChars+10), strings.Repeat("😀", excelize.TotalCellChars/2+3), ""},
		{36.5, 38.25, -1.5, 0.1 + 0.2, 123456789.123456789, 1e20, 12345678901234567890.0, 0.0, 42, int64(-7)},
		{date(time.Date(2026, 2, 17, 0, 0, 0, 0, time.UTC)), date(time.Date(2026, 2, 17, 0, 0, 0, 0, shanghai)),
			date(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)), date(time.Date(2026, 2, 17, 8, 30, 0, 0, time.UTC))},
		{&excelize.Cell{StyleID: 3, Value: "有样式"}, &excelize.Cell{StyleID: 4, Value: 36.8}, excelize.Cell{StyleID: 5, Value: time.Date(2020, 2, 7, 0, 0, 0, 0, time.UTC)},
			&excelize.Cell{StyleID: 6}, nil, &excelize.Cell{StyleID: 7, Value: ""}},
		{},
	}

	f := excelize.NewFile()
	defer f.Close()
	for i := range 8 { // styles 1–7 exist
		if _, err := f.NewStyle(&excelize.Style{NumFmt: i}); err != nil {
			t.Fatal(err)
		}
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	x := newRowsXML(10, 0)
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatalf("SetRow %d: %v", i+1, err)
		}
		if err := x.add(row); err != nil {
			t.Fatalf("add %d: %v", i+1, err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := newRowsXML(1, 0).add([]any{time.Now()}); err == nil {
		t.Errorf("a date without a style: got no error, want one (SetRow would make a style of its own)")
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sheet := xlsxtest.PartText(t, buf.Bytes(), "xl/worksheets/sheet1.xml")
	from, to := strings.Index(sheet, "<sheetData>"), strings.Index(sheet, "</sheetData>")
	if from < 0 || to < 0 {
		t.Fatalf("no sheetData in %.200s", sheet)
	}
	want, got := sheet[from+len("<sheetData>"):to], x.buf.String()
	if got != want {
		for i := 0; i < min(len(got), len(want)); i++ {
			if got[i] != want[i] {
				t.Fatalf("rowsXML and SetRow part at byte %d:\n got …%.160s\nwant …%.160s", i, got[max(i-40, 0):], want[max(i-40, 0):])
			}
		}
		t.Fatalf("rowsXML wrote %d bytes, SetRow %d", len(got), len(want))
	}
}

// TestPeopleSheetsAsStreamWriter: the workbook WritePeople writes (rows as XML, put into
// their sheets as it is packed) holds, part for part and byte for byte, what writing the same
// people through excelize's StreamWriter gives: nothing but the way it is written changed.
func TestPeopleSheetsAsStreamWriter(t *testing.T) {
	r := dailyReport()
	for i := range 300 { // more than one of the sheets' people, over several buffer growths
		p := r.Missed[0]
		p.Worker.ID, p.Worker.Name, p.Worker.Department = int64(1000+i), "职工"+strings.Repeat("甲", i%7), strings.Repeat(" ", i%2)+"车间"
		r.Missed = append(r.Missed, p)
	}
	write := func(people func(b *Book) error) []byte {
		t.Helper()
		b, err := NewBook()
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if err := people(b); err != nil {
			t.Fatal(err)
		}
		if err := b.WriteRest(r); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := b.Save(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	spliced := write(func(b *Book) error { return b.WritePeople(r) })
	streamed := write(func(b *Book) error {
		for _, s := range []struct {
			name   string
			people []domain.PersonDay
		}{{abnormalSheet, r.Abnormal}, {missedSheet, r.Missed}, {keyAreaSheet, r.KeyArea}, {isolatingSheet, r.Isolating}, {unregisteredSheet, r.Unregistered}} {
			if err := writeList(b.f, b.st, s.name, personColumns, s.people, personValues); err != nil {
				return err
			}
		}
		return nil
	})
	parts := func(data []byte) map[string]string {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, f := range zr.File {
			out[f.Name] = xlsxtest.PartText(t, data, f.Name)
		}
		return out
	}
	got, want := parts(spliced), parts(streamed)
	if len(got) != len(want) {
		t.Errorf("got %d parts, want %d", len(got), len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: missing", name)
		} else if name == "[Content_Types].xml" {
			// excelize lists the image types from a map, in no fixed order: compared as a set.
			if gs, ws := elements(g), elements(w); !slices.Equal(gs, ws) {
				t.Errorf("%s: %q, want %q", name, gs, ws)
			}
		} else if g != w {
			t.Errorf("%s: %d bytes, want %d as the StreamWriter writes it", name, len(g), len(w))
		}
	}
	if !strings.Contains(got["xl/worksheets/sheet6.xml"], "职工甲甲甲甲甲甲") {
		t.Errorf("未打卡 (sheet6) does not hold the people added")
	}
}

// elements are a part's elements, sorted.
func elements(xml string) []string {
	out := strings.Split(xml, "><")
	slices.Sort(out)
	return out
}

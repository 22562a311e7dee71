package roster

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/report/internal/xlstyle"
	"fugong/report/xlsxtest"
)

func TestRosterTemplate(t *testing.T) {
	data, err := Template()
	if err != nil {
		t.Fatal(err)
	}
	f := xlsxtest.Reopen(t, data)

	t.Run("Sheets", func(t *testing.T) {
		if got, want := f.GetSheetList(), []string{rosterSheet, guideSheet}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		if got := f.GetActiveSheetIndex(); got != 0 {
			t.Errorf("got active sheet %d, want 0", got)
		}
	})

	t.Run("Header", func(t *testing.T) {
		for i, c := range domain.RosterColumns {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			got := xlsxtest.Cell(t, f, rosterSheet, cell)
			want := c.Header
			if c.Required {
				want = "*" + c.Header
			}
			if got != want {
				t.Errorf("%s: got %q, want %q", cell, got, want)
			}
			if m := headerKeys[normalizeHeader(got)]; m.key != c.Key {
				t.Errorf("%s: header %q maps to %q, want %q", cell, got, m.key, c.Key)
			}
			runs, err := f.GetCellRichText(rosterSheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			starRed := len(runs) == 2 && runs[0].Text == "*" && runs[0].Font != nil &&
				strings.HasSuffix(strings.ToUpper(runs[0].Font.Color), colorRequired)
			if starRed != c.Required {
				t.Errorf("%s: got red star %v, want %v (runs %+v)", cell, starRed, c.Required, runs)
			}
			if s := xlsxtest.Style(t, f, rosterSheet, cell); s.Fill.Type != "pattern" || s.Font == nil || !s.Font.Bold {
				t.Errorf("%s: got style %+v, want a bold header with a fill", cell, s)
			}
			width, err := f.GetColWidth(rosterSheet, cell[:len(cell)-1])
			if err != nil {
				t.Fatal(err)
			}
			if width != max(c.Width, 8) {
				t.Errorf("%s: got width %v, want %v", cell, width, max(c.Width, 8))
			}
		}
	})

	t.Run("HintComments", func(t *testing.T) {
		comments, err := f.GetComments(rosterSheet)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range comments {
			text := c.Text
			for _, p := range c.Paragraph {
				text += p.Text
			}
			got[c.Cell] = text
		}
		for i, c := range domain.RosterColumns {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			if c.Hint != "" && !strings.Contains(got[cell], c.Hint) {
				t.Errorf("%s: got comment %q, want %q", cell, got[cell], c.Hint)
			}
			if c.Hint == "" && got[cell] != "" {
				t.Errorf("%s: got comment %q, want none", cell, got[cell])
			}
		}
		if name := colName(t, domain.ColName) + "2"; !strings.Contains(got[name], "示例") {
			t.Errorf("%s: got comment %q, want the example row explained", name, got[name])
		}
	})

	t.Run("TextFormat", func(t *testing.T) {
		for _, c := range domain.RosterColumns {
			col := colName(t, c.Key)
			for _, row := range []string{"2", "3", "5000", "10001"} {
				s := xlsxtest.Style(t, f, rosterSheet, col+row)
				if c.Key == domain.ColArrivedOn {
					if s.CustomNumFmt == nil || *s.CustomNumFmt != xlstyle.DateFormat {
						t.Errorf("%s%s: got format %v, want %q", col, row, s.CustomNumFmt, xlstyle.DateFormat)
					}
					continue
				}
				if s.NumFmt != xlstyle.NumFmtText {
					t.Errorf("%s%s (%s): got number format %d, want %d (text)", col, row, c.Header, s.NumFmt, xlstyle.NumFmtText)
				}
			}
		}
	})

	t.Run("DropLists", func(t *testing.T) {
		dvs, err := f.GetDataValidations(rosterSheet)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, dv := range dvs {
			if dv.Type != "list" {
				t.Errorf("%s: got type %q, want list", dv.Sqref, dv.Type)
			}
			got[dv.Sqref] = dv.Formula1
		}
		want := map[string]string{}
		for _, c := range domain.RosterColumns {
			if len(c.Choices) > 0 {
				col := colName(t, c.Key)
				want[col+"2:"+col+"10001"] = `"` + strings.Join(c.Choices, ",") + `"`
			}
		}
		if len(want) == 0 {
			t.Fatal("no column has choices; the test checks nothing")
		}
		for sqref, formula := range want {
			if got[sqref] != formula {
				t.Errorf("%s: got list %q, want %q", sqref, got[sqref], formula)
			}
		}
		if len(got) != len(want) {
			t.Errorf("got %d validations %v, want %d", len(got), got, len(want))
		}
	})

	t.Run("FrozenHeader", func(t *testing.T) {
		p, err := f.GetPanes(rosterSheet)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Freeze || p.YSplit != 1 || p.XSplit != 0 || p.TopLeftCell != "A2" {
			t.Errorf("got panes %+v, want the first row frozen", p)
		}
	})

	t.Run("ExampleRow", func(t *testing.T) {
		name := colName(t, domain.ColName) + "2"
		if got := xlsxtest.Cell(t, f, rosterSheet, name); !strings.HasPrefix(got, exampleMark) {
			t.Errorf("%s: got %q, want it to start with %q", name, got, exampleMark)
		}
		s := xlsxtest.Style(t, f, rosterSheet, name)
		if s.Font == nil || !s.Font.Italic || !strings.HasSuffix(strings.ToUpper(s.Font.Color), colorExample) {
			t.Errorf("%s: got font %+v, want grey italics", name, s.Font)
		}
		for i, c := range domain.RosterColumns {
			cell, _ := excelize.CoordinatesToCellName(i+1, 2)
			if got := xlsxtest.Cell(t, f, rosterSheet, cell); c.Key != domain.ColName && got != c.Example {
				t.Errorf("%s: got %q, want %q", cell, got, c.Example)
			}
		}
		rows, errs := readRoster(t, data, 10)
		if len(rows) != 0 || len(errs) != 0 {
			t.Errorf("got rows %v errors %v, want none: the example is not imported", rows, errs)
		}
	})

	t.Run("FilledTemplateImports", func(t *testing.T) {
		g := xlsxtest.Reopen(t, data)
		values := map[string]string{
			domain.ColName: "李四", domain.ColIDNumber: "371626199001011234", domain.ColPhone: "13900000000",
			domain.ColArrivedOn: "2026/2/17", domain.ColTransport: "火车",
		}
		for key, v := range values {
			if err := g.SetCellStr(rosterSheet, colName(t, key)+"3", v); err != nil {
				t.Fatal(err)
			}
		}
		buf, err := g.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		rows, errs := readRoster(t, buf.Bytes(), 10)
		if len(errs) != 0 || len(rows) != 1 {
			t.Fatalf("got rows %v errors %v, want one row", rows, errs)
		}
		if rows[0].Row != 3 {
			t.Errorf("got row %d, want 3", rows[0].Row)
		}
		for key, v := range values {
			if rows[0].Cells[key] != v {
				t.Errorf("%s: got %q, want %q", key, rows[0].Cells[key], v)
			}
		}
		if len(rows[0].Numeric) != 0 {
			t.Errorf("got numeric %v, want none", rows[0].Numeric)
		}
	})

	t.Run("Guide", func(t *testing.T) {
		if got := xlsxtest.Cell(t, f, guideSheet, "A1"); got != "列名" {
			t.Errorf("A1: got %q, want 列名", got)
		}
		for i, c := range domain.RosterColumns {
			a, _ := excelize.CoordinatesToCellName(1, i+2)
			b, _ := excelize.CoordinatesToCellName(2, i+2)
			cc, _ := excelize.CoordinatesToCellName(3, i+2)
			if got := xlsxtest.Cell(t, f, guideSheet, a); got != c.Header {
				t.Errorf("%s: got %q, want %q", a, got, c.Header)
			}
			want := map[bool]string{true: "必填", false: "选填"}[c.Required]
			if got := xlsxtest.Cell(t, f, guideSheet, b); got != want {
				t.Errorf("%s: got %q, want %q", b, got, want)
			}
			if got := xlsxtest.Cell(t, f, guideSheet, cc); got == "" || (c.Hint != "" && !strings.Contains(got, c.Hint)) {
				t.Errorf("%s: got %q, want what to fill, with the hint %q", cc, got, c.Hint)
			}
		}
	})

	t.Run("GuideSheetIsNotARoster", func(t *testing.T) {
		g := xlsxtest.Reopen(t, data)
		if err := g.DeleteSheet(rosterSheet); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := g.Write(&buf); err != nil {
			t.Fatal(err)
		}
		rows, errs := readRoster(t, buf.Bytes(), 10)
		if len(rows) != 0 || len(errs) == 0 {
			t.Errorf("got rows %v errors %v, want the missing columns named", rows, errs)
		}
	})
}

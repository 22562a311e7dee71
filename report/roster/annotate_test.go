package roster

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/report/internal/ooxml"
	"fugong/report/internal/xlstyle"
	"fugong/report/xlsxtest"
)

func TestAnnotateErrors(t *testing.T) {
	// HR's own sheet: a title row, alias headers, an unknown column and a row wider than the
	// header. Columns: A 序号, B 职工姓名, C 身份证号码, D 手机号, E 备注, F (no header).
	upload := newBook(t,
		[]any{"返岗职工花名册"},
		[]any{"序号", "职工姓名", "身份证号码", "手机号", "备注"},
		[]any{1, "张三", "371626199001011234", "13800000000"},
		[]any{2, "李四", "37162619900101123", "1380000000", "夜班", "多写的一格"},
		[]any{3, "王五", "371626199001011234", "13900000000"},
	)
	errs := []domain.RowError{
		{Row: 4, Column: "身份证号", Message: "身份证号应为 18 位"}, // domain names columns by the template's header
		{Row: 4, Column: "手机号", Message: "请填写 11 位手机号"},
		{Row: 5, Column: "身份证号", Message: "与第 3 行是同一人"},
		{Row: 5, Message: "整行有误"},
		{Row: 0, Message: "最多 1 行，请分批导入"},
	}
	out, err := Annotate(upload, errs)
	if err != nil {
		t.Fatal(err)
	}
	f := xlsxtest.Reopen(t, out)
	sheet := f.GetSheetName(0)

	t.Run("ErrorColumn", func(t *testing.T) {
		want := map[string]string{
			"G1": "",
			"G2": "错误说明：最多 1 行，请分批导入",
			"G3": "",
			"G4": "身份证号：身份证号应为 18 位；手机号：请填写 11 位手机号",
			"G5": "身份证号：与第 3 行是同一人；整行有误",
			"F4": "多写的一格",
		}
		for cell, v := range want {
			if got := xlsxtest.Cell(t, f, sheet, cell); got != v {
				t.Errorf("%s: got %q, want %q", cell, got, v)
			}
		}
		if w, _ := f.GetColWidth(sheet, "G"); w < 40 {
			t.Errorf("G: got width %v, want a wide column", w)
		}
	})

	t.Run("RedCells", func(t *testing.T) {
		for _, c := range []struct {
			cell string
			red  bool
		}{{"C4", true}, {"D4", true}, {"C5", true}, {"B4", false}, {"D5", false}, {"C3", false}} {
			if got := isRed(t, f, sheet, c.cell); got != c.red {
				t.Errorf("%s: got red %v, want %v", c.cell, got, c.red)
			}
		}
	})

	t.Run("ReadsTheSameRows", func(t *testing.T) {
		before, _ := readRoster(t, upload, 0)
		after, _ := readRoster(t, out, 0)
		if len(before) != len(after) {
			t.Fatalf("got %d rows, want %d", len(after), len(before))
		}
		for i := range before {
			if before[i].Row != after[i].Row || len(before[i].Cells) != len(after[i].Cells) {
				t.Errorf("got %v, want %v", after[i], before[i])
			}
			for k, v := range before[i].Cells {
				if after[i].Cells[k] != v {
					t.Errorf("row %d %s: got %q, want %q", before[i].Row, k, after[i].Cells[k], v)
				}
			}
		}
	})

	t.Run("AnnotatedAgain", func(t *testing.T) {
		again, err := Annotate(out, []domain.RowError{{Row: 3, Column: "手机号", Message: "手机号已被占用"}})
		if err != nil {
			t.Fatal(err)
		}
		g := xlsxtest.Reopen(t, again)
		want := map[string]string{"G2": "错误说明", "G3": "手机号：手机号已被占用", "G4": "", "G5": "", "H2": "", "H3": ""}
		for cell, v := range want {
			if got := xlsxtest.Cell(t, g, sheet, cell); got != v {
				t.Errorf("%s: got %q, want %q", cell, got, v)
			}
		}
		for cell, red := range map[string]bool{"D3": true, "C4": false, "D4": false, "C5": false} {
			if got := isRed(t, g, sheet, cell); got != red {
				t.Errorf("%s: got red %v, want %v", cell, got, red)
			}
		}
	})

	t.Run("MissingColumn", func(t *testing.T) {
		upload := newBook(t, []any{"姓名", "手机号"}, []any{"张三", "13800000000"})
		_, errs := readRoster(t, upload, 0)
		out, err := Annotate(upload, errs)
		if err != nil {
			t.Fatal(err)
		}
		g := xlsxtest.Reopen(t, out)
		if got, want := xlsxtest.Cell(t, g, "Sheet1", "C1"), "错误说明：缺少「身份证号」列"; got != want {
			t.Errorf("C1: got %q, want %q", got, want)
		}
	})

	t.Run("KeepsCellFormats", func(t *testing.T) {
		data, err := Template()
		if err != nil {
			t.Fatal(err)
		}
		g := xlsxtest.Reopen(t, data)
		id := colName(t, domain.ColIDNumber) + "3"
		for cell, v := range map[string]string{colName(t, domain.ColName) + "3": "张三", id: "371626199001011234",
			colName(t, domain.ColPhone) + "3": "13800000000"} {
			if err := g.SetCellStr(rosterSheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
		buf, err := g.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		out, err := Annotate(buf.Bytes(), []domain.RowError{{Row: 3, Column: "身份证号", Message: "校验位不正确"}})
		if err != nil {
			t.Fatal(err)
		}
		h := xlsxtest.Reopen(t, out)
		s := xlsxtest.Style(t, h, rosterSheet, id)
		if !isRed(t, h, rosterSheet, id) || s.NumFmt != xlstyle.NumFmtText {
			t.Errorf("%s: got fill %v format %d, want red and still text", id, s.Fill, s.NumFmt)
		}
		errCol, _ := excelize.ColumnNumberToName(len(domain.RosterColumns) + 1)
		if got := xlsxtest.Cell(t, h, rosterSheet, errCol+"3"); got != "身份证号：校验位不正确" {
			t.Errorf("%s3: got %q, want the message", errCol, got)
		}
		if got := h.GetSheetName(h.GetActiveSheetIndex()); got != rosterSheet {
			t.Errorf("got active sheet %q, want %q", got, rosterSheet)
		}
	})
}

// isRed reports whether a cell is filled with the error colour.
func isRed(t *testing.T, f *excelize.File, sheet, cell string) bool {
	t.Helper()
	s := xlsxtest.Style(t, f, sheet, cell)
	return s.Fill.Type == "pattern" && len(s.Fill.Color) > 0 && strings.HasSuffix(strings.ToUpper(s.Fill.Color[0]), xlstyle.ErrorFill)
}

// TestAnnotateErrorsPlainWorkbook: a workbook that programs other than Excel write, with no
// style sheet or with cells whose style it does not define, is annotated with text only
// where it cannot be styled. excelize's NewStyle panicked on the first.
func TestAnnotateErrorsPlainWorkbook(t *testing.T) {
	rows := xlsxtest.Rows(xlsxtest.Header, xlsxtest.Person(1), xlsxtest.Person(2))
	undefinedStyle := func(w io.Writer) error {
		if err := rows(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, `<row r="4"><c r="A4" s="7" t="inlineStr"><is><t>赵六</t></is></c>`+
			`<c r="B4" s="7" t="inlineStr"><is><t>1</t></is></c></row>`)
		return err
	}
	minimalStyles := xlsxtest.Part{Name: "xl/styles.xml", Data: []byte(`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>` +
		`<cellXfs count="1"><xf/></cellXfs></styleSheet>`)}
	tests := []struct {
		name string
		book xlsxtest.Book
	}{
		{"NoStyleSheet", xlsxtest.Book{Rows: rows}},
		{"EmptyStyleSheet", xlsxtest.Book{Rows: rows, Extra: []xlsxtest.Part{{Name: "xl/styles.xml", Data: []byte(`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`)}}}},
		{"UndefinedStyle", xlsxtest.Book{Rows: undefinedStyle, Extra: []xlsxtest.Part{minimalStyles}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Annotate(tt.book.Bytes(t), []domain.RowError{
				{Row: 3, Column: "身份证号", Message: "校验位不正确"}, {Row: 4, Column: "身份证号", Message: "应为 18 位"}})
			if err != nil {
				t.Fatal(err)
			}
			f := xlsxtest.Reopen(t, out)
			for cell, want := range map[string]string{"L1": "错误说明", "L3": "身份证号：校验位不正确", "L4": "身份证号：应为 18 位"} {
				if got := xlsxtest.Cell(t, f, "花名册", cell); got != want {
					t.Errorf("%s: got %q, want %q", cell, got, want)
				}
			}
		})
	}
}

// TestAnnotateErrorsTooBig: a sheet too big to load whole is not annotated, however it is too
// big, and the answer comes before excelize loads it.
func TestAnnotateErrorsTooBig(t *testing.T) {
	tests := []struct {
		name string
		book []byte
	}{
		{"TooManyCells", xlsxtest.Valid(t, maxAnnotateCells/10)}, // 10 cells a row, and the header's 11
		{"TooManyRows", xlsxtest.ManyRows(t, maxAnnotateRows)},
		{"MostRows", xlsxtest.ManyRows(t, ooxml.MaxSheetRows-1)}, // and the header: as many as a sheet may have
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Annotate(tt.book, []domain.RowError{{Row: 0, Message: "最多 60000 行，请分批导入"}})
			if !errors.Is(err, ErrTooBigToAnnotate) {
				t.Errorf("got %v, want ErrTooBigToAnnotate", err)
			}
		})
	}
}

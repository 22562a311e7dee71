package roster

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"fugong/domain"
	"fugong/report/internal/ooxml"
	"fugong/report/xlsxtest"
)

// hostileCase is a workbook no spreadsheet program writes, and the words the refusal must
// hold. The same files go through the HTTP route in api's TestRosterImportHostile, which also
// measures memory.
type hostileCase struct {
	name    string
	book    func(t testing.TB) []byte
	wantMsg string
}

// withoutPart drops an entry from a package's parts.
func withoutPart(parts []xlsxtest.Part, name string) []xlsxtest.Part {
	var out []xlsxtest.Part
	for _, p := range parts {
		if p.Name != name {
			out = append(out, p)
		}
	}
	return out
}

// damagedRow is a roster of people in rows 2, 3, 5 and 6 and row 4 as given: excelize's row
// iterator stops at what it cannot read in it without a word.
func damagedRow(row4 string) func(testing.TB) []byte {
	return func(t testing.TB) []byte {
		return xlsxtest.Book{Rows: func(w io.Writer) error {
			_, err := io.WriteString(w, xlsxtest.InlineRow(1, xlsxtest.Header...)+xlsxtest.InlineRow(2, xlsxtest.Person(2)...)+
				xlsxtest.InlineRow(3, xlsxtest.Person(3)...)+row4+xlsxtest.InlineRow(5, xlsxtest.Person(5)...)+
				xlsxtest.InlineRow(6, xlsxtest.Person(6)...))
			return err
		}}.Bytes(t)
	}
}

var damagedCases = []hostileCase{
	// Each of these imported rows 2 and 3 (or 2, 3, 5 and 6) and answered 200, dropping the
	// rest unsaid.
	{"UnknownEntity", damagedRow(`<row r="4"><c r="A4" t="inlineStr"><is><t>&bogus;</t></is></c></row>`),
		"文件已损坏,工作表「花名册」读到第 4 行时出错"},
	{"MismatchedEndTag", damagedRow(`<row r="4"><c r="A4" t="inlineStr"><is><t>x</t></is></row>`),
		"文件已损坏,工作表「花名册」读到第 4 行时出错"},
	{"InvalidUTF8InSheet", damagedRow("<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>\xff</t></is></c></row>"),
		"文件已损坏,工作表「花名册」读到第 4 行时出错"},
	{"RowsOutOfOrder", damagedRow(`<row r="2"><c r="A2" t="inlineStr"><is><t>李四</t></is></c></row>`),
		"文件已损坏,工作表「花名册」"},
	{"UnclosedAtEnd", func(t testing.TB) []byte {
		return xlsxtest.Book{Rows: func(w io.Writer) error {
			_, err := io.WriteString(w, xlsxtest.InlineRow(1, xlsxtest.Header...)+xlsxtest.InlineRow(2, xlsxtest.Person(2)...)+`<row r="3"><c r="A3">`)
			return err
		}}.Bytes(t)
	}, "文件已损坏,工作表「花名册」读到第 3 行时出错"},
	{"SheetPartMissing", func(t testing.TB) []byte {
		return xlsxtest.Zip(t, withoutPart(xlsxtest.Book{}.Parts(), xlsxtest.SheetPart)...)
	}, "文件已损坏,工作表「花名册」"},
	{"InvalidUTF8", func(t testing.TB) []byte {
		return xlsxtest.Book{
			SharedStrings: func(w io.Writer) error {
				_, err := io.WriteString(w, xlsxtest.SI("姓名")+"<si><t>\xff\xfe</t></si>")
				return err
			},
			Rows: func(w io.Writer) error { _, err := io.WriteString(w, xlsxtest.SharedRow(0, 1)); return err },
		}.Bytes(t)
	}, "文件已损坏,工作表「花名册」读到第 1 行时出错"},
}

var bombCases = []hostileCase{
	// The headers tell the truth: the sheet unpacks to 4 GB, more than the upload may.
	{"ZipBomb", func(t testing.TB) []byte { return xlsxtest.ZipBomb(t, 4<<30, 0) }, "解压后超过 64 MB"},
	// The headers lie: the sheet says 1 KB, or 60 MB, and unpacks to 4 GB. Its spaces are one
	// long text, which the 60 MB one reaches before its declared end.
	{"ZipBombLying1KB", func(t testing.TB) []byte { return xlsxtest.ZipBomb(t, 4<<30, 1<<10) }, "文件已损坏(其中的 xl/worksheets/sheet1.xml 无法解压)"},
	{"ZipBombLying60MB", func(t testing.TB) []byte { return xlsxtest.ZipBomb(t, 4<<30, 60<<20) }, "其中的 xl/worksheets/sheet1.xml 有一段超过 256 KB"},
	// An entry of 1 byte, then one that says 2⁶⁴-1 bytes: 0 in all, in a uint64.
	{"DeclaredExabytes", func(t testing.TB) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, size := range []uint64{1, math.MaxUint64} {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprint(size), Method: zip.Store, CompressedSize64: 1, UncompressedSize64: size})
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("x"))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}, "解压后超过 64 MB"},
	{"BadChecksum", func(t testing.TB) []byte {
		data := xlsxtest.Zip(t, xlsxtest.Book{Rows: xlsxtest.Rows(xlsxtest.Header, xlsxtest.Person(1)), Stored: true}.Parts()...)
		i := bytes.Index(data, []byte("职工1"))
		data[i+len("职工")] = '2' // a stored part: the name changes, the checksum does not
		return data
	}, "文件已损坏(其中的 xl/worksheets/sheet1.xml 无法解压)"},
}

var pathCases = []hostileCase{
	{"PathTraversal", xlsxtest.PathTraversal, "路径不安全的条目(../../../../tmp/fugong-evil.xml)"},
	{"PathTraversalBackslash", func(t testing.TB) []byte {
		b := xlsxtest.Book{Rows: xlsxtest.Rows(xlsxtest.Header, xlsxtest.Person(1))}
		b.Extra = []xlsxtest.Part{{Name: `xl\..\..\evil.xml`, Data: []byte("<x/>")}}
		return b.Bytes(t)
	}, "路径不安全的条目"},
	{"AbsolutePath", func(t testing.TB) []byte {
		b := xlsxtest.Book{Rows: xlsxtest.Rows(xlsxtest.Header, xlsxtest.Person(1))}
		b.Extra = []xlsxtest.Part{{Name: "/etc/cron.d/evil", Data: []byte("* * * * * root true")}}
		return b.Bytes(t)
	}, "路径不安全的条目(/etc/cron.d/evil)"},
}

var stringCases = []hostileCase{
	{"HugeSharedString", func(t testing.TB) []byte { return xlsxtest.HugeSharedString(t, 50<<20) },
		"其中的 xl/sharedStrings.xml 有一段超过 256 KB"},
	{"ManySharedStrings", func(t testing.TB) []byte { return xlsxtest.ManySharedStrings(t, 12_000_000) }, "文字条目超过 300000 条"},
	{"OneSharedStringTooMany", func(t testing.TB) []byte { return xlsxtest.ManySharedStrings(t, ooxml.MaxSharedStrings-3+1) }, "文字条目超过 300000 条"},
	{"HugeInlineString", func(t testing.TB) []byte {
		return xlsxtest.Book{Rows: xlsxtest.Rows(xlsxtest.Header, []string{strings.Repeat("长", 1<<20), "x"})}.Bytes(t)
	}, "其中的 xl/worksheets/sheet1.xml 有一段超过 256 KB"},
	{"HugeAttribute", func(t testing.TB) []byte {
		return xlsxtest.Book{Rows: func(w io.Writer) error {
			_, err := io.WriteString(w, `<row r="1" x="`+strings.Repeat("a", 1<<20)+`"/>`)
			return err
		}}.Bytes(t)
	}, "有一段超过 256 KB"},
	{"HugeComment", func(t testing.TB) []byte {
		return xlsxtest.Book{Rows: func(w io.Writer) error {
			_, err := io.WriteString(w, `<!--`+strings.Repeat(" ", 1<<20)+`-->`)
			return err
		}}.Bytes(t)
	}, "有一段超过 256 KB"},
}

// bloated writes an XML part of n copies of an element inside a root.
func bloated(root, item string, n int) func(io.Writer) error {
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, `<`+root+` xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`); err != nil {
			return err
		}
		for range n {
			if _, err := io.WriteString(w, item); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, `</`+root+`>`)
		return err
	}
}

var wholePartCases = []hostileCase{
	{"BloatedStyles", func(t testing.TB) []byte {
		b := xlsxtest.Book{Rows: xlsxtest.Rows(xlsxtest.Header, xlsxtest.Person(1))}
		b.Extra = []xlsxtest.Part{{Name: "xl/styles.xml", Write: bloated("styleSheet><cellXfs", `<xf numFmtId="0"/>`, 1_500_000)}}
		return b.Bytes(t)
	}, "格式信息解压后超过 4 MB(其中 xl/styles.xml 有 25 MB)"},
	// The workbook part may sit anywhere the package's relationships say.
	{"BloatedWorkbookElsewhere", func(t testing.TB) []byte {
		parts := xlsxtest.Book{Rows: xlsxtest.Rows(xlsxtest.Header, xlsxtest.Person(1))}.Parts()
		for i, p := range parts {
			switch p.Name {
			case "_rels/.rels":
				parts[i].Data = bytes.ReplaceAll(p.Data, []byte("xl/workbook.xml"), []byte("xl/book.xml"))
			case "xl/workbook.xml":
				parts[i].Name = "xl/book.xml"
				pad := bytes.Repeat([]byte(`<definedName name="x">A1</definedName>`), 200_000)
				parts[i].Data = bytes.Replace(p.Data, []byte("</workbook>"), append(pad, "</workbook>"...), 1)
			case "xl/_rels/workbook.xml.rels":
				parts[i].Name = "xl/_rels/book.xml.rels"
			}
		}
		return xlsxtest.Zip(t, parts...)
	}, "(其中 xl/book.xml 有 7 MB)"},
}

var entryCases = []hostileCase{
	{"TooManyEntries", func(t testing.TB) []byte { return xlsxtest.ManyEntries(t, ooxml.MaxParts-4) }, "文件中有 10001 个条目"},
}

var sheetCases = []hostileCase{
	{"TooManySheets", func(t testing.TB) []byte { return xlsxtest.ManySheets(t, ooxml.MaxSheets, nil) }, "工作簿中有 1001 个工作表"},
	// 999 sheets, each of 100,000 empty rows: the header is looked for in the first thousand
	// rows of each, so this takes a second rather than an hour. (A sheet of more than
	// ooxml.MaxSheetRows is refused as it is checked.)
	{"ManyEmptyRows", func(t testing.TB) []byte {
		return xlsxtest.ManySheets(t, ooxml.MaxSheets-1, func(w io.Writer) error {
			_, err := io.WriteString(w, strings.Repeat("<row/>", 100_000))
			return err
		})
	}, "文件中没有任何数据"},
}

var notWorkbookCases = []hostileCase{
	{"Truncated", func(t testing.TB) []byte { return xlsxtest.Truncated(t, 20, 0.6) }, "不是有效的 Excel 工作簿(.xlsx)"},
	{"CSV", func(testing.TB) []byte { return xlsxtest.CSV() }, "CSV、旧版 .xls 等请先在 Excel 或 WPS 中另存为 .xlsx"},
	{"PNG", func(testing.TB) []byte { return xlsxtest.PNG() }, "文件是图片或 PDF"},
	{"Encrypted", func(testing.TB) []byte { return xlsxtest.Encrypted() }, "工作簿设有打开密码"},
	{"XLS", func(testing.TB) []byte { return xlsxtest.XLS() }, "这是旧版 Excel 97-2003 工作簿(.xls)"},
	{"BIFF", func(testing.TB) []byte { return xlsxtest.BIFF() }, "这是旧版 Excel 97-2003 工作簿(.xls)"},
}

// TestReadRosterHostile: a workbook that is damaged or built to exhaust the server is refused
// as ErrInvalid on field file, with a message that names the problem, and yields no rows.
func TestReadRosterHostile(t *testing.T) {
	for _, tt := range slices.Concat(notWorkbookCases, damagedCases, bombCases, pathCases, stringCases, wholePartCases, entryCases, sheetCases) {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.book(t)
			rows, errs, err := readAll(bytes.NewReader(data), domain.MaxImportRows)
			wantInvalidFile(t, err)
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got %v, want a message with %q", err, tt.wantMsg)
			}
			if rows != nil || errs != nil {
				t.Errorf("got %d rows and errors %v, want none", len(rows), errs)
			}
		})
	}
}

// TestReadRosterLastRowNumber: a row numbered 1,048,576, the last Excel has, after the roster
// makes excelize's iterator give every number up to it; the roster is read all the same, and
// (not asserted: no timing in tests) in milliseconds rather than the 2.6 s it took.
func TestReadRosterLastRowNumber(t *testing.T) {
	book := xlsxtest.Book{Rows: func(w io.Writer) error {
		_, err := io.WriteString(w, xlsxtest.InlineRow(1, xlsxtest.Header...)+xlsxtest.InlineRow(2, xlsxtest.Person(2)...)+
			`<row r="1048576"/>`)
		return err
	}}.Bytes(t)
	rows, errs := readRoster(t, book, domain.MaxImportRows)
	if len(rows) != 1 || len(errs) != 0 || rows[0].Row != 2 {
		t.Fatalf("got rows %v and errors %v, want the one person of row 2", rows, errs)
	}
}

// allocated is what fn allocated on the heap, all told: what a reading cost in work, without
// timing it.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestReadRosterWide: rows with a cell in column XFD, the last column Excel has, cost what a
// one-cell row costs. excelize's row iterator padded each to 16,384 cells, so that 2,000 such
// rows allocated 500 MB and the 1.4 million of issue 16 (169 KB) took half an hour; the reader
// now keeps only the roster's columns and never pads a row.
func TestReadRosterWide(t *testing.T) {
	book := xlsxtest.Wide(3, 2000).Bytes(t)
	var rows []domain.RosterRow
	var errs []domain.RowError
	var err error
	alloc := allocated(func() { rows, errs, err = readAll(bytes.NewReader(book), domain.MaxImportRows) })
	t.Logf("%d KB workbook: allocated %.1f MB", len(book)>>10, float64(alloc)/(1<<20))
	if err != nil || len(errs) != 0 || len(rows) != 3 {
		t.Fatalf("got %d rows, errors %v, %v; want the 3 people", len(rows), errs, err)
	}
	if got := rows[2].Cells[domain.ColName]; got != "职工4" {
		t.Errorf("got name %q in the last row, want 职工4", got)
	}
	const bound = 32 << 20
	if alloc > bound {
		t.Errorf("got %.1f MB allocated, want under %d MB: the rows' empty columns were read", float64(alloc)/(1<<20), bound>>20)
	}
}

// TestReadRosterRowLimit: every row the reader reads counts against ooxml.MaxSheetRows, empty ones
// and ones with nothing in the roster's columns too; past it the file is refused, naming the
// sheet and the row. Before, such rows did not count, and a sheet of a million of them was
// read to its end.
func TestReadRosterRowLimit(t *testing.T) {
	blank := func(n int) []byte {
		return xlsxtest.Book{Rows: func(w io.Writer) error {
			_, err := io.WriteString(w, xlsxtest.InlineRow(1, xlsxtest.Header...)+xlsxtest.InlineRow(2, xlsxtest.Person(2)...)+
				strings.Repeat("<row/>", n))
			return err
		}}.Bytes(t)
	}
	tooMany := fmt.Sprintf("工作表「花名册」读到第 %d 行时已超过 %d 行", ooxml.MaxSheetRows+1, ooxml.MaxSheetRows)
	t.Run("OKAtTheLimit", func(t *testing.T) {
		rows, errs := readRoster(t, blank(ooxml.MaxSheetRows-2), domain.MaxImportRows)
		if len(rows) != 1 || len(errs) != 0 {
			t.Fatalf("got rows %v and errors %v, want the one person", rows, errs)
		}
	})
	for _, tt := range []struct {
		name string
		book []byte
	}{
		{"ErrBlankRows", blank(ooxml.MaxSheetRows - 1)},
		{"ErrWideRows", xlsxtest.Wide(1, ooxml.MaxSheetRows-1).Bytes(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs, err := readAll(bytes.NewReader(tt.book), domain.MaxImportRows)
			wantInvalidFile(t, err)
			if !strings.Contains(err.Error(), tooMany) {
				t.Errorf("got %v, want a message with %q", err, tooMany)
			}
			if rows != nil || errs != nil {
				t.Errorf("got %d rows and errors %v, want none", len(rows), errs)
			}
		})
	}
}

package ooxml

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/report/xlsxtest"
)

// sheetSeeds are sheets (the rows inside <sheetData>, and shared string items) as programs
// write them and as they should not.
var sheetSeeds = []struct{ rows, sst string }{
	{xlsxtest.InlineRow(1, xlsxtest.Header...) + xlsxtest.InlineRow(2, xlsxtest.Person(2)...), ""},
	{xlsxtest.SharedRow(0, 1, 2) + xlsxtest.SharedRow(3, 4, 5),
		xlsxtest.SI("姓名") + xlsxtest.SI("身份证号") + xlsxtest.SI("手机号") + xlsxtest.SI("张三") +
			`<si><r><rPr><b/></rPr><t>3716261990</t></r><r><t xml:space="preserve">01011234 </t></r><rPh sb="0" eb="1"><t>ハ</t></rPh></si>` +
			`<si><t>a_x000D_b_x005F_x0041_</t></si>`},
	// An ID number and a phone as numbers, a date as a serial, a formula, an inline string in
	// CDATA, a comment, entities, a cell in column XFD.
	{xlsxtest.SharedRow(0, 1, 2) + `<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3"><v>3.71626199001011E+17</v></c>` +
		`<c r="C3"><f>1+1</f><v>13800000000</v></c><c r="D3" t="str"><f>A3</f><v></v></c><c r="G3" s="1"><v>46070</v></c>` +
		`<c r="XFD3" t="b"><v>1</v></c></row>` +
		`<row r="5"><c r="A5" t="inlineStr"><is><t><![CDATA[李<四>]]></t></is></c><!-- note --><c t="e"><v>#N/A</v></c>` +
		`<c r="D5" t="inlineStr"><is><t>&lt;&#x4E00;&#20108;&amp;&quot;</t></is></c><c r="E5" t="d"><v>2026-02-17T00:00:00</v></c></row>`,
		xlsxtest.SI("姓名") + xlsxtest.SI("身份证号") + xlsxtest.SI("手机号") + xlsxtest.SI("张三")},
	{`<x:row xmlns:x="ns"><x:c t="s"><x:v>0</x:v></x:c></x:row><row r="1048576"/>`, xlsxtest.SI("姓名")},
	{"<row><c t=\"inlineStr\"><is><t>a\r\nb\rc</t></is></c><c><v> 1 </v></c><c/><c r=\"F1\" s=\"3\"/></row>", ""},
}

// TestSheetReaderAgrees: on the seeds, the reader gives every row excelize's iterator gives,
// cell for cell (FuzzSheetReader looks further).
func TestSheetReaderAgrees(t *testing.T) {
	for i, s := range sheetSeeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if !compareWithExcelize(t, []byte(s.rows), []byte(s.sst)) {
				t.Fatal("the reader refused a sheet excelize reads")
			}
		})
	}
}

// FuzzSheetReader compares the reader with excelize's row iterator (RawCellValue), which it
// replaced: on a sheet both read through (the sheet well-formed XML, as encoding/xml says, and
// the iterator without an error), each row with something in it must be the same cells at the
// same row number. The reader may refuse what the iterator read, never read it otherwise.
//
//	go test -run XXX -fuzz FuzzSheetReader -fuzztime 2m ./report/internal/ooxml
func FuzzSheetReader(f *testing.F) {
	for _, s := range sheetSeeds {
		f.Add([]byte(s.rows), []byte(s.sst))
	}
	f.Fuzz(func(t *testing.T, rows, sst []byte) { compareWithExcelize(t, rows, sst) })
}

// compareWithExcelize reads a sheet both ways and fails t where they disagree; it reports
// whether the reader read the sheet.
func compareWithExcelize(t *testing.T, rows, sst []byte) bool {
	t.Helper()
	book := xlsxtest.Book{Rows: func(w io.Writer) error { _, err := w.Write(rows); return err }}
	if len(sst) > 0 {
		book.SharedStrings = func(w io.Writer) error { _, err := w.Write(sst); return err }
	}
	data := book.Bytes(t)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := readAllRows(zr)
	if err != nil {
		return false
	}
	if !wellFormed(zr, xlsxtest.SheetPart) || (len(sst) > 0 && !wellFormed(zr, xlsxtest.SSTPart)) {
		return true
	}
	theirs, err := excelizeRows(data)
	if err != nil {
		return true
	}
	if !maps.EqualFunc(ours, theirs, slices.Equal) {
		t.Errorf("rows differ:\n ours   %v\n theirs %v", ours, theirs)
	}
	return true
}

// readAllRows reads every row of the book's sheet with the reader, by number, dense; rows
// with nothing in them are left out.
func readAllRows(zr *zip.Reader) (map[int][]string, error) {
	parts := newSheetParts(zr)
	sr, err := openSheet(parts, "花名册", &sharedStrings{zf: parts.files[sharedStringsPart]})
	if err != nil {
		return nil, err
	}
	defer sr.Close()
	out := map[int][]string{}
	for {
		row, ok, err := sr.Next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, sr.Finish()
		}
		if len(row.Cells) > 0 {
			out[row.N] = row.Dense()
		}
	}
}

// excelizeRows reads every row of the book's sheet as the import did before SheetReader.
func excelizeRows(data []byte) (map[int][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := f.Rows("花名册")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int][]string{}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		if len(cells) > 0 {
			out[n] = slices.Clone(cells)
		}
	}
	return out, rows.Error()
}

// wellFormed reports whether a part is well-formed XML, as encoding/xml reads it.
func wellFormed(zr *zip.Reader, name string) bool {
	zf := findZipFile(zr, name)
	if zf == nil {
		return false
	}
	rc, err := zf.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for {
		if _, err := d.Token(); errors.Is(err, io.EOF) {
			return true
		} else if err != nil {
			return false
		}
	}
}

// TestSheetReaderKeepsLittle: what a row keeps is bounded by the columns asked for, however
// many cells the row has: 16,384 cells with values keep 256 while the header is looked for, and
// 100,000 cells all in column A keep one; the row's width still says how far it reaches.
func TestSheetReaderKeepsLittle(t *testing.T) {
	const headerColumns = 256 // as many as the roster's reader looks for its header in
	var wide, same strings.Builder
	wide.WriteString(`<row r="1">`)
	for c := 1; c <= 16384; c++ {
		name, _ := excelize.CoordinatesToCellName(c, 1)
		fmt.Fprintf(&wide, `<c r="%s"><v>%d</v></c>`, name, c)
	}
	wide.WriteString(`</row><row r="2">`)
	same.WriteString(strings.Repeat(`<c r="A2"><v>1</v></c>`, 100_000))
	rows := wide.String() + same.String() + `</row>`
	data := xlsxtest.Book{Rows: func(w io.Writer) error { _, err := io.WriteString(w, rows); return err }}.Bytes(t)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	sr, err := openSheet(newSheetParts(zr), "花名册", &sharedStrings{})
	if err != nil {
		t.Fatal(err)
	}
	defer sr.Close()
	sr.First(headerColumns)
	for _, want := range []struct{ kept, width int }{{headerColumns, 16384}, {1, 1}} {
		row, ok, err := sr.Next()
		if err != nil || !ok {
			t.Fatalf("got %v, %v; want a row", ok, err)
		}
		if len(row.Cells) != want.kept || row.Width != want.width {
			t.Errorf("row %d: got %d cells kept and width %d, want %d and %d", row.N, len(row.Cells), row.Width, want.kept, want.width)
		}
	}
}

package xlsxtest

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Reopen opens a workbook the code under test wrote, to read its cells and styles back; it is
// closed when the test ends.
func Reopen(tb testing.TB, data []byte) *excelize.File {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("reopen: %v", err)
	}
	tb.Cleanup(func() { _ = f.Close() })
	return f
}

// Cell reads a cell as Excel shows it.
func Cell(tb testing.TB, f *excelize.File, sheet, cell string) string {
	tb.Helper()
	v, err := f.GetCellValue(sheet, cell)
	if err != nil {
		tb.Fatalf("cell %s: %v", cell, err)
	}
	return v
}

// Style reads the style a cell shows with, its column's when it has none of its own.
func Style(tb testing.TB, f *excelize.File, sheet, cell string) *excelize.Style {
	tb.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		tb.Fatalf("style of %s: %v", cell, err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		tb.Fatalf("style %d: %v", id, err)
	}
	return s
}

// PartText reads one part of a workbook as text.
func PartText(tb testing.TB, data []byte, name string) string {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	f, err := zr.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

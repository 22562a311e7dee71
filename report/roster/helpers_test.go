package roster

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
)

// dateCell is a real Excel date in a workbook a test writes, formatted as Excel formats a
// date typed in a Chinese locale.
type dateCell time.Time

// numberCell is a number as a program writes it, with all its digits.
type numberCell string

// newBook writes a one-sheet workbook ("Sheet1") from rows of cells, starting at A1: a string is
// a text cell, an int or float64 a number cell, a dateCell a date, nil no cell at all.
func newBook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	return newBookSheets(t, map[string][][]any{"Sheet1": rows}, "Sheet1")
}

// newBookSheets writes a workbook with the named sheets, in order.
func newBookSheets(t *testing.T, sheets map[string][][]any, order ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				switch v := v.(type) {
				case dateCell:
					err = f.SetCellValue(name, cell, time.Time(v))
					if err == nil {
						err = f.SetCellStyle(name, cell, cell, dateStyle)
					}
				case numberCell:
					err = f.SetCellDefault(name, cell, string(v))
				default:
					err = f.SetCellValue(name, cell, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readRoster reads a workbook and fails the test on an error.
func readRoster(t *testing.T, data []byte, maxRows int) ([]domain.RosterRow, []domain.RowError) {
	t.Helper()
	rows, errs, err := readAll(bytes.NewReader(data), maxRows)
	if err != nil {
		t.Fatalf("readAll: %v", err)
	}
	return rows, errs
}

// wantInvalidFile checks that err is ErrInvalid naming field file.
func wantInvalidFile(t *testing.T, err error) {
	t.Helper()
	var de *domain.Error
	if !errors.Is(err, domain.ErrInvalid) || !errors.As(err, &de) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
	if len(de.Fields) != 1 || de.Fields[0].Field != "file" || de.Fields[0].Message == "" {
		t.Fatalf("got fields %v, want one message on field file", de.Fields)
	}
}

// colName is the column letter of a roster column in the template.
func colName(t *testing.T, key string) string {
	t.Helper()
	for i, c := range domain.RosterColumns {
		if c.Key == key {
			n, _ := excelize.ColumnNumberToName(i + 1)
			return n
		}
	}
	t.Fatalf("no column %s", key)
	return ""
}

// templateHeaderTexts are the template's headers, in order.
func templateHeaderTexts() []string {
	h := make([]string, len(domain.RosterColumns))
	for i, c := range domain.RosterColumns {
		h[i] = c.Header
	}
	return h
}

// templateHeaders are the template's headers as a row of cells.
func templateHeaders() []any {
	h := make([]any, len(domain.RosterColumns))
	for i, c := range templateHeaderTexts() {
		h[i] = c
	}
	return h
}

// readAll is Stream's rows, all of them, or none with the sheet's problems: what the tests of
// reading a roster compare.
func readAll(r io.Reader, maxRows int) ([]domain.RosterRow, []domain.RowError, error) {
	var out []domain.RosterRow
	errs, err := Stream(context.Background(), r, maxRows, 0, func(rows []domain.RosterRow) error {
		out = append(out, rows...)
		return nil
	})
	if err != nil || len(errs) > 0 {
		return nil, errs, err
	}
	return out, nil, nil
}

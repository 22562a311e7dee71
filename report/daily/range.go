package daily

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
)

// rangeSheet is the only sheet of range.xlsx.
const rangeSheet = "复工统计"

// rangeHeaderRow is the row of range.xlsx's header, below a title that says whose and which
// days (see startList).
const rangeHeaderRow = 2

// maxRangeRows is how many rows fit below the title and the header: Excel's sheets end at row
// 1,048,576.
const maxRangeRows = excelize.TotalRows - rangeHeaderRow

// rangeColumns are the columns of range.xlsx. 复工状态 is the enterprise's status as of the
// row's day, which domain reads from the status history (RangeRow.Enterprise is the
// enterprise as it stood that day).
var rangeColumns = slices.Concat([]listColumn{
	{"日期", 12, fieldDate}, {"企业名称", 28, fieldText}, {"统一社会信用代码", 21, fieldText},
	{"责任区", 10, fieldText}, {"行业", 10, fieldText}, {"复工状态", 9, fieldText},
}, figureColumns(), returnFigureColumns())

// RangeFileName is the download name of a township's range export, e.g.
// "长山镇复工统计-2026-02-01至2026-02-17.xlsx".
func RangeFileName(township string, from, to domain.Date) string {
	return fileNamePart(township) + "复工统计-" + from.String() + "至" + to.String() + ".xlsx"
}

// RangeWriter writes range.xlsx — one row per enterprise and day — with excelize's
// StreamWriter, so memory does not grow with the rows (1,000,000 rows must be fine): the
// stream writer keeps the rows in a temporary file past its first 16 MB, and WriteTo zips
// them straight into its writer. Add the rows with Add, in the order they should appear, then
// call WriteTo once; call Close on every path, including after an error.
type RangeWriter struct {
	f      *excelize.File // nil once closed
	sw     *excelize.StreamWriter
	st     reportStyles
	rows   int         // data rows added
	line   *streamLine // the row being written, reused from row to row
	values []any       // the values of that row, reused likewise
	done   bool        // WriteTo has been called
}

// NewRangeWriter starts range.xlsx for a township's days from one date to another: the sheet
// 复工统计 with a title row, a frozen header, column widths and the print setup. The rows
// follow with Add.
func NewRangeWriter(township string, from, to domain.Date, opts ...Option) (*RangeWriter, error) {
	rw := &RangeWriter{f: excelize.NewFile(), line: newStreamLine(len(rangeColumns))}
	if err := rw.start(township, from, to, optionsOf(opts)); err != nil {
		_ = rw.Close()
		return nil, fmt.Errorf("range report: %w", err)
	}
	return rw, nil
}

// start lays out the sheet and writes the title and the header.
func (rw *RangeWriter) start(township string, from, to domain.Date, o options) error {
	f := rw.f
	if err := f.SetSheetName("Sheet1", rangeSheet); err != nil {
		return err
	}
	var err error
	if rw.st, err = newReportStyles(f); err != nil {
		return err
	}
	rw.st.titleNote = o.titleNote
	// The filter comes with the table WriteTo adds, when the last row is known.
	title := fmt.Sprintf("%s企业复工统计(%s 至 %s)", township, from, to)
	rw.sw, err = startList(f, rw.st, rangeSheet, title, rangeColumns, -1)
	return err
}

// errRangeFinished is what Add and WriteTo say once the workbook has been written or closed.
var errRangeFinished = errors.New("range report: already written or closed")

// Add writes one enterprise's day as the next row. A range with more rows than a sheet holds
// is ErrInvalid, since the town can ask for fewer days.
func (rw *RangeWriter) Add(r domain.RangeRow) error {
	if rw.f == nil || rw.done {
		return errRangeFinished
	}
	if rw.rows == maxRangeRows {
		return domain.Invalid("to", fmt.Sprintf("导出超过 Excel 单表上限(%d 行),请缩短日期范围", maxRangeRows))
	}
	rw.values = rangeValues(rw.values, r)
	for i, v := range rw.values {
		rw.line.set(rw.st, i, rangeColumns[i].kind, v, false)
	}
	rw.rows++
	cell, _ := excelize.CoordinatesToCellName(1, rangeHeaderRow+rw.rows)
	if err := rw.sw.SetRow(cell, rw.line.values); err != nil {
		return fmt.Errorf("range report: %w", err)
	}
	return nil
}

// rangeValues puts a row of range.xlsx into values, reused from row to row.
func rangeValues(values []any, r domain.RangeRow) []any {
	e := r.Enterprise
	values = append(values[:0], r.Date, e.Name, string(e.CreditCode), zoneName(e.Zone), e.Industry, e.Status.Label())
	return returnFigureValues(figureValues(values, r.Figures), r.Return)
}

// WriteTo flushes the stream and writes the workbook to w, then releases temp files. It
// counts the bytes written, as io.WriterTo does.
func (rw *RangeWriter) WriteTo(w io.Writer) (int64, error) {
	if rw.f == nil || rw.done {
		return 0, errRangeFinished
	}
	rw.done = true
	defer rw.Close()
	// A table gives the rows their filter: the stream writer cannot take a filter once rows
	// are written, but takes a table then, and a table knows its rows when Excel adds more.
	lastCol, _ := excelize.ColumnNumberToName(len(rangeColumns))
	noStripes := false
	if err := rw.sw.AddTable(&excelize.Table{
		Range: fmt.Sprintf("A%d:%s%d", rangeHeaderRow, lastCol, rangeHeaderRow+max(rw.rows, 1)),
		Name:  "复工统计表", StyleName: "TableStyleLight1", ShowRowStripes: &noStripes,
	}); err != nil {
		return 0, fmt.Errorf("range report: %w", err)
	}
	if err := rw.sw.Flush(); err != nil {
		return 0, fmt.Errorf("range report: %w", err)
	}
	// excelize builds the whole zip in a buffer before copying it to w. A zip writer of our
	// own on w streams it instead, so neither the rows nor the compressed file are ever held
	// in memory; what excelize then copies from its buffer is nothing. (Excelize's fix-up for
	// parts over 4 GB works on that buffer and so is skipped, but none comes near: a million
	// rows make 850 MB of XML, and a sheet holds no more.)
	cw := &countingWriter{w: w}
	rw.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(cw) })
	if err := rw.f.Write(cw); err != nil {
		return cw.n, fmt.Errorf("range report: %w", err)
	}
	return cw.n, nil
}

// Close releases the workbook's temporary files (safe to call after WriteTo, and on error
// paths).
func (rw *RangeWriter) Close() error {
	if rw.f == nil {
		return nil
	}
	err := rw.f.Close()
	rw.f = nil
	if err != nil {
		return fmt.Errorf("range report: %w", err)
	}
	return nil
}

// countingWriter counts what passes through it to w.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

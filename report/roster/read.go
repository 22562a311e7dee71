package roster

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/report/internal/ooxml"
)

// headerSearchRows is how many non-empty rows Stream looks through for the header: HR's
// sheets often start with a title row ("XX公司返岗职工花名册") and a note or two above it.
// headerScanRows bounds the rows it reads for them, empty ones included: a sheet whose first
// thousand rows are empty holds no roster, and 20 sheets of 700,000 empty rows each (8 KB
// zipped) took 16 s to look through.
const (
	headerSearchRows = 10
	headerScanRows   = 1000
)

// headerColumns is how many columns from A the header is looked for in: 256 (A to IV, as
// many as Excel had before 2007) leave room for any roster, and a row of 16,384 cells, or of
// a million cells all in column A, costs no more memory than a row of 256.
const headerColumns = 256

// errDamaged is the answer to a workbook that opens but whose sheet cannot be read through:
// a damaged file, or one written by a program that does not follow the format. n is the row
// being read when it failed, 0 when the sheet could not be opened at all. Whatever excelize
// said is no help to HR, and no fault of the server's: it is a 422, never a 500.
func errDamaged(sheet string, n int) error {
	where := "工作表「" + sheet + "」无法读取"
	if n > 0 {
		where = "工作表「" + sheet + "」读到第 " + strconv.Itoa(n) + " 行时出错"
	}
	return domain.Invalid("file", "文件已损坏,"+where+";请在 Excel 或 WPS 中重新保存后上传")
}

// checkEvery is how many rows a reading goes between looks at its context: often enough that
// a client who left, or a spent time budget, stops it within a few milliseconds.
const checkEvery = 1024

// findHeader reads up to the header: the first of the first headerSearchRows non-empty rows
// that names at least two roster columns (one could be chance: the 填写说明 sheet has a 姓名
// in its first column). It returns the header's layout, or the number of the first non-empty
// row when there is none (0 for a sheet with no data).
func findHeader(ctx context.Context, s *ooxml.SheetReader) (layout, int, bool, error) {
	s.First(headerColumns)
	first, seen := 0, 0
	for seen < headerSearchRows && s.RowsRead() < headerScanRows {
		if s.RowsRead()%checkEvery == 0 {
			if ctx.Err() != nil {
				return layout{}, 0, false, context.Cause(ctx)
			}
		}
		row, ok, err := s.Next()
		if err != nil || !ok {
			return layout{}, first, false, err
		}
		if blank(row) {
			continue
		}
		seen++
		if first == 0 {
			first = row.N
		}
		if l := mapHeader(row.N, row.Dense()); len(l.col) >= 2 {
			return l, first, true, nil
		}
	}
	return layout{}, first, false, nil
}

// blank reports whether a row has nothing but spaces (cleanCell).
func blank(r ooxml.Row) bool {
	for _, c := range r.Cells {
		if cleanCell(c.Value) != "" {
			return false
		}
	}
	return true
}

// findRoster picks the sheet that holds the roster and reads its header: the first visible
// sheet with a header row; failing that, the first with any data, read with its first
// non-empty row as the header so that the missing columns are named. The reader returned
// stands after the header.
func findRoster(ctx context.Context, u *ooxml.Upload) (string, layout, *ooxml.SheetReader, error) {
	fallback, fallbackRow := "", 0
	for _, sheet := range u.File.GetSheetList() {
		if visible, err := u.File.GetSheetVisible(sheet); err == nil && !visible {
			continue // hidden sheets hold lookup lists, not rosters
		}
		sr, err := u.OpenSheet(sheet)
		if err != nil {
			return "", layout{}, nil, errDamaged(sheet, 0)
		}
		l, first, found, err := findHeader(ctx, sr)
		if err != nil {
			_ = sr.Close()
			if ctx.Err() != nil {
				return "", layout{}, nil, err
			}
			return "", layout{}, nil, errDamaged(sheet, sr.RowNumber())
		}
		if found {
			return sheet, l, sr, nil
		}
		_ = sr.Close()
		if first > 0 && fallback == "" {
			fallback, fallbackRow = sheet, first
		}
	}
	if fallback == "" {
		return "", layout{}, nil, domain.Invalid("file", "文件中没有任何数据;请在模板的“花名册”表中填写后上传")
	}
	sr, err := u.OpenSheet(fallback)
	if err != nil {
		return "", layout{}, nil, errDamaged(fallback, 0)
	}
	sr.First(headerColumns)
	for {
		row, ok, err := sr.Next()
		if err != nil || !ok {
			_ = sr.Close()
			return "", layout{}, nil, errDamaged(fallback, sr.RowNumber())
		}
		if row.N == fallbackRow {
			return fallback, mapHeader(row.N, row.Dense()), sr, nil
		}
	}
}

// openRoster opens an upload (ooxml.Open) and finds its roster sheet and header (findRoster).
func openRoster(ctx context.Context, data []byte) (*ooxml.Upload, string, layout, *ooxml.SheetReader, error) {
	u, err := ooxml.Open(data)
	if err != nil {
		return nil, "", layout{}, nil, err
	}
	sheet, l, sr, err := findRoster(ctx, u)
	if err != nil {
		_ = u.Close()
		return nil, "", layout{}, nil, err
	}
	return u, sheet, l, sr, nil
}

// Stream reads an uploaded roster workbook into rows of text keyed by column, calling
// yield with them in sheet order, batch rows at a time (all at once when batch is 0), as it
// reads them. It streams the sheet straight from the upload (ooxml.SheetReader), keeping only the
// cells of the roster's columns, so memory grows with a batch, not with the sheet's XML or
// its width. It stops when ctx ends, returning its cause. An error from yield stops it and is
// returned.
//
// The roster is the first visible sheet whose header row (the first non-empty row, or a later
// one below a title) names roster columns by their template header or an alias, in any order;
// "*" marks and notes in brackets are ignored, and so are unknown columns. A required column
// that is missing gives one RowError on the header row, and no rows are yielded. More than
// maxRows data rows (maxRows > 0) give one RowError on row 0, after the first maxRows have
// been yielded: whoever keeps them must drop them.
//
// Each cell is trimmed of spaces and has full-width digits and letters narrowed. Empty rows
// and the template's example row are skipped. A number in the 返岗日期 column that is an Excel
// date from 1990 to 2100 becomes YYYY-MM-DD; dates typed as text stay as typed. A cell that
// stored a number keeps Excel's form of it ("3.71626199001011E+17") and is marked in Numeric;
// an Excel date in the date column is not.
//
// A file that is not a workbook, that ooxml.Open refuses (a zip bomb, a lying or damaged
// zip, an entry named ../, overlong text, too many shared strings, parts, sheets or styles),
// whose roster sheet has more than ooxml.MaxSheetRows rows (empty ones too), or whose roster sheet
// cannot be read through to its end (damaged XML, rows out of order) is a *domain.Error of kind
// ErrInvalid naming field file, with a message that says which; rows read before the damage
// may have been yielded.
func Stream(ctx context.Context, r io.Reader, maxRows, batch int, yield func([]domain.RosterRow) error) ([]domain.RowError, error) {
	data, err := ooxml.ReadUpload(r)
	if err != nil {
		return nil, err
	}
	u, sheet, l, sr, err := openRoster(ctx, data)
	if err != nil {
		return nil, err
	}
	defer u.Close()
	defer sr.Close()
	if missing := l.missing(); len(missing) > 0 {
		errs := make([]domain.RowError, 0, len(missing))
		for _, c := range missing {
			errs = append(errs, domain.RowError{Row: l.headerRow, Message: "缺少「" + c.Header + "」列"})
		}
		return errs, nil
	}
	date1904 := false
	if props, err := u.File.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	sr.Only(l.columns())
	var out []domain.RosterRow
	read := 0
	for {
		if sr.RowsRead()%checkEvery == 0 {
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
		}
		row, ok, err := sr.Next()
		if err != nil {
			return nil, errDamaged(sheet, sr.RowNumber())
		}
		if !ok {
			if err := sr.Finish(); err != nil {
				return nil, errDamaged(sheet, sr.RowNumber())
			}
			break
		}
		if sr.RowsRead() > ooxml.MaxSheetRows {
			return nil, ooxml.TooManyRows(sheet, row.N)
		}
		if len(row.Cells) == 0 {
			continue // nothing in the roster's columns
		}
		rr, keep := l.rosterRow(row, date1904)
		if !keep {
			continue
		}
		if maxRows > 0 && read == maxRows {
			return []domain.RowError{{Row: 0, Message: "最多 " + strconv.Itoa(maxRows) + " 行，请分批导入"}}, nil
		}
		read++
		if out = append(out, rr); len(out) == batch {
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
			if err := yield(out); err != nil {
				return nil, err
			}
			out = nil // the batch is yield's now
		}
	}
	if len(out) > 0 {
		return nil, yield(out)
	}
	return nil, nil
}

// rosterRow turns one sheet row into a roster row; keep is false for an empty row and for the
// template's example.
func (l layout) rosterRow(sr ooxml.Row, date1904 bool) (domain.RosterRow, bool) {
	row := domain.RosterRow{Row: sr.N, Cells: make(map[string]string, len(l.col)), Numeric: map[string]bool{}}
	blank := true
	for key, i := range l.col {
		v, kind := sr.Cell(i)
		v, row.Numeric[key] = cellValue(key, cleanCell(v), kind, date1904)
		if !row.Numeric[key] {
			delete(row.Numeric, key)
		}
		row.Cells[key] = v
		blank = blank && v == ""
	}
	if blank || strings.HasPrefix(row.Cells[domain.ColName], exampleMark) {
		return domain.RosterRow{}, false
	}
	return row, true
}

// cellValue gives a cleaned cell's text and whether it stored a number where text was wanted.
func cellValue(key, v string, kind ooxml.CellKind, date1904 bool) (string, bool) {
	if v == "" {
		return "", false
	}
	switch kind {
	case ooxml.KindNumber:
		// A date typed into the batch column is a batch's date; a small number there is its
		// number, which serialDate leaves alone (it reads only dates of 1990 to 2100).
		if key == domain.ColArrivedOn || key == domain.ColBatch {
			if d, ok := serialDate(v, date1904); ok {
				return d, false
			}
		}
		return v, true
	case ooxml.KindISODate:
		if len(v) >= 10 {
			if _, err := time.Parse(time.DateOnly, v[:10]); err == nil {
				return v[:10], false
			}
		}
	}
	return v, false
}

// serialDate reads an Excel date serial as YYYY-MM-DD, when it is a date of 1990 to 2100: a
// smaller or larger number in the date column is something else (20260217 typed as a number),
// which domain reads or refuses as text.
func serialDate(v string, date1904 bool) (string, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return "", false
	}
	t, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil || t.Year() < 1990 || t.Year() > 2100 {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
)

// Upload limits. A workbook may unpack to unzipSizeLimit in all, so that a zip bomb stops
// there; worksheets and shared strings above unzipXMLSizeLimit are unpacked to temporary files
// instead of memory. A 10,000-row roster unpacks to about 3 MB.
const (
	unzipSizeLimit    = 64 << 20
	unzipXMLSizeLimit = 16 << 20
)

// headerSearchRows is how many non-empty rows StreamRoster looks through for the header: HR's
// sheets often start with a title row ("XX公司返岗职工花名册") and a note or two above it.
// headerScanRows bounds the rows it reads for them, empty ones included: a sheet whose first
// thousand rows are empty holds no roster, and 20 sheets of 700,000 empty rows each (8 KB
// zipped) took 16 s to look through.
const (
	headerSearchRows = 10
	headerScanRows   = 1000
)

// readUpload reads an upload whole, as excelize would; an upload larger than it may unpack to
// is refused before excelize copies it. A reader that knows its length (the API passes a
// bytes.Reader) is read in one allocation, not io.ReadAll's doubling ones.
func readUpload(r io.Reader) ([]byte, error) {
	if lr, ok := r.(interface{ Len() int }); ok && lr.Len() <= unzipSizeLimit {
		data := make([]byte, lr.Len())
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("read upload: %w", err)
		}
		return data, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, unzipSizeLimit+1))
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if len(data) > unzipSizeLimit {
		return nil, domain.Invalid("file", "文件超过 64 MB,请分批导入")
	}
	return data, nil
}

// openUpload checks an uploaded workbook (checkPackage) and opens it with low unzip limits,
// returning also the zip checkPackage read. Whatever is not a readable .xlsx is ErrInvalid
// naming field file, with a message that tells HR what to do.
func openUpload(data []byte) (*excelize.File, *zip.Reader, error) {
	zr, err := checkPackage(data)
	if err != nil {
		return nil, nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data),
		excelize.Options{UnzipSizeLimit: unzipSizeLimit, UnzipXMLSizeLimit: unzipXMLSizeLimit})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		// excelize reports the limit with an unexported fmt error, so only its text tells.
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, nil, domain.Invalid("file", msgTooBig)
		}
		return nil, nil, domain.Invalid("file", msgNotWorkbook)
	}
	switch n := len(f.GetSheetList()); {
	case n == 0:
		_ = f.Close()
		return nil, nil, domain.Invalid("file", "文件不是有效的 Excel 工作簿(.xlsx):其中没有工作表")
	case n > maxSheets:
		_ = f.Close()
		return nil, nil, domain.Invalid("file", "工作簿中有 "+strconv.Itoa(n)+" 个工作表,超过 "+strconv.Itoa(maxSheets)+" 个;请只保留花名册后上传")
	}
	return f, zr, nil
}

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

// sheetRows iterates the rows of a sheet with their 1-based numbers, which excelize's
// iterator does not give: it yields every row number in turn, empty ones included, so the
// count of Next calls is the number.
type sheetRows struct {
	rows  *excelize.Rows
	kinds *kindsAhead // nil when the cell kinds are not wanted or not found
	n     int
}

// openSheetRows starts iterating a sheet. With parts, it also learns the cell kinds.
func openSheetRows(f *excelize.File, parts *sheetParts, sheet string) (*sheetRows, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("read sheet %q: %w", sheet, err)
	}
	sr := &sheetRows{rows: rows}
	if parts != nil {
		if k, ok := newKindScanner(parts, sheet); ok {
			sr.kinds = startKindsAhead(k)
		}
	}
	return sr, nil
}

// next returns the next row: its number, its cells as stored (RawCellValue, so that dates
// come as serial numbers rather than in the format of the author's locale) and the kinds of
// its number cells (nil without a scanner).
func (s *sheetRows) next() (int, []string, map[int]cellKind, bool, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, nil, false, err
		}
		return 0, nil, nil, false, nil
	}
	s.n++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, nil, false, err
	}
	var kinds map[int]cellKind
	if s.kinds != nil {
		kinds = s.kinds.row(s.n)
	}
	return s.n, cells, kinds, true, nil
}

// Close ends the iteration.
func (s *sheetRows) Close() error {
	if s.kinds != nil {
		_ = s.kinds.Close()
	}
	return s.rows.Close()
}

// blankRow reports whether a row has nothing but spaces.
func blankRow(cells []string) bool {
	for _, c := range cells {
		if cleanCell(c) != "" {
			return false
		}
	}
	return true
}

// findHeader reads up to the header: the first of the first headerSearchRows non-empty rows
// that names at least two roster columns (one could be chance: the 填写说明 sheet has a 姓名
// in its first column). It returns the header's layout, or the number of the first non-empty
// row when there is none (0 for a sheet with no data).
func (s *sheetRows) findHeader() (layout, int, bool, error) {
	first, seen := 0, 0
	for seen < headerSearchRows && s.n < headerScanRows {
		n, cells, _, ok, err := s.next()
		if err != nil || !ok {
			return layout{}, first, false, err
		}
		if blankRow(cells) {
			continue
		}
		seen++
		if first == 0 {
			first = n
		}
		if l := mapHeader(n, cells); len(l.col) >= 2 {
			return l, first, true, nil
		}
	}
	return layout{}, first, false, nil
}

// findRoster picks the sheet that holds the roster and reads its header: the first visible
// sheet with a header row; failing that, the first with any data, read with its first
// non-empty row as the header so that the missing columns are named. The rows returned stand
// after the header. With parts, they come with their cell kinds.
func findRoster(f *excelize.File, parts *sheetParts) (string, layout, *sheetRows, error) {
	fallback, fallbackRow := "", 0
	for _, sheet := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(sheet); err == nil && !visible {
			continue // hidden sheets hold lookup lists, not rosters
		}
		sr, err := openSheetRows(f, parts, sheet)
		if err != nil {
			return "", layout{}, nil, errDamaged(sheet, 0)
		}
		l, first, found, err := sr.findHeader()
		if err != nil {
			_ = sr.Close()
			return "", layout{}, nil, errDamaged(sheet, sr.n)
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
	sr, err := openSheetRows(f, parts, fallback)
	if err != nil {
		return "", layout{}, nil, errDamaged(fallback, 0)
	}
	for {
		n, cells, _, ok, err := sr.next()
		if err != nil || !ok {
			_ = sr.Close()
			return "", layout{}, nil, errDamaged(fallback, sr.n)
		}
		if n == fallbackRow {
			return fallback, mapHeader(n, cells), sr, nil
		}
	}
}

// StreamRoster reads an uploaded roster workbook into rows of text keyed by column, calling
// yield with them in sheet order, batch rows at a time (all at once when batch is 0), as it
// reads them: the import writes one batch while the next is read. It streams the sheet with
// excelize's row iterator, so memory grows with a batch, not with the sheet's XML. An error
// from yield stops it and is returned.
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
// A file that is not a workbook, that checkPackage refuses (a zip bomb, a lying or damaged
// zip, an entry named ../, overlong text, too many shared strings, parts, sheets or styles),
// or whose roster sheet cannot be read through to its end (damaged XML, rows out of order) is
// a *domain.Error of kind ErrInvalid naming field file, with a message that says which; rows
// read before the damage may have been yielded.
func StreamRoster(r io.Reader, maxRows, batch int, yield func([]domain.RosterRow) error) ([]domain.RowError, error) {
	data, err := readUpload(r)
	if err != nil {
		return nil, err
	}
	f, zr, err := openUpload(data)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheet, l, sr, err := findRoster(f, newSheetParts(zr))
	if err != nil {
		return nil, err
	}
	defer sr.Close()
	if missing := l.missing(); len(missing) > 0 {
		errs := make([]domain.RowError, 0, len(missing))
		for _, c := range missing {
			errs = append(errs, domain.RowError{Row: l.headerRow, Message: "缺少「" + c.Header + "」列"})
		}
		return errs, nil
	}
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	var out []domain.RosterRow
	read := 0
	for {
		n, cells, kinds, ok, err := sr.next()
		if err != nil {
			return nil, errDamaged(sheet, sr.n)
		}
		if !ok {
			if sr.kinds != nil && !sr.kinds.finish(sr.n) {
				return nil, errDamaged(sheet, sr.n)
			}
			break
		}
		if len(cells) == 0 {
			// A row with no cells, as the iterator gives every number up to the next row it
			// has: <row r="1048576"/> after the header is a million of them, and making a
			// roster row of each took 2.6 s.
			continue
		}
		row, keep := l.rosterRow(n, cells, kinds, sr.kinds != nil, date1904)
		if !keep {
			continue
		}
		if maxRows > 0 && read == maxRows {
			return []domain.RowError{{Row: 0, Message: "最多 " + strconv.Itoa(maxRows) + " 行，请分批导入"}}, nil
		}
		read++
		if out = append(out, row); len(out) == batch {
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
// template's example. typed says whether kinds come from the sheet's XML; without it the kind
// is guessed from the value's form.
func (l layout) rosterRow(n int, cells []string, kinds map[int]cellKind, typed, date1904 bool) (domain.RosterRow, bool) {
	row := domain.RosterRow{Row: n, Cells: make(map[string]string, len(l.col)), Numeric: map[string]bool{}}
	blank := true
	for key, i := range l.col {
		v := ""
		if i < len(cells) {
			v = cleanCell(cells[i])
		}
		kind := kinds[i]
		if !typed {
			kind = kindFromForm(key, v)
		}
		v, row.Numeric[key] = cellValue(key, v, kind, date1904)
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
func cellValue(key, v string, kind cellKind, date1904 bool) (string, bool) {
	if v == "" {
		return "", false
	}
	switch kind {
	case kindNumber:
		if key == domain.ColArrivedOn {
			if d, ok := serialDate(v, date1904); ok {
				return d, false
			}
		}
		return v, true
	case kindISODate:
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

// exponentForm is how spreadsheets write a number too long for its digits: 3.71626199001011E+17.
var exponentForm = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$`)

// kindFromForm guesses a cell's kind from its value, for the rare workbook whose sheet part the
// scanner cannot find. Only what text never looks like counts as a number: the exponent form,
// and in the date column a five-digit serial.
func kindFromForm(key, v string) cellKind {
	if exponentForm.MatchString(v) {
		return kindNumber
	}
	if key == domain.ColArrivedOn && len(v) == 5 && strings.Trim(v, "0123456789") == "" {
		return kindNumber
	}
	return kindText
}

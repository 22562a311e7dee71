package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/report/internal/ooxml"
	"fugong/report/internal/xlstyle"
)

// Annotate returns the uploaded workbook with its errors written into it, for HR to
// download, correct and upload again: the roster sheet (found as Stream finds it) gets a
// column 错误说明 after its last used column, holding each row's messages ("身份证号：校验位不正确；
// 手机号：…"); the cells of the columns named are filled light red; errors of the header or of
// the whole file (row 0, or the header row) go into the header cell of that column.
//
// A workbook annotated before is annotated again in place: its 错误说明 column is reused and
// cleared, and the red fills of the rows annotated before are removed, so that only the
// current errors show. The upload is opened with the same limits as Stream's and its
// roster sheet is loaded whole to be edited, so a sheet of more than maxAnnotateCells cells or
// maxAnnotateRows rows is not annotated: the answer is ErrTooBigToAnnotate.
func Annotate(upload []byte, errs []domain.RowError) ([]byte, error) {
	u, err := ooxml.Open(upload)
	if err != nil {
		return nil, err
	}
	defer u.Close()
	f := u.File
	// Bounded by maxAnnotateRows and maxAnnotateCells, not by a context: the import's answer
	// is made once the import is over.
	sheet, l, sr, err := findRoster(context.Background(), u)
	if err != nil {
		return nil, err
	}
	width, errCol, annotated, err := scanRest(sr, l)
	_ = sr.Close()
	switch {
	case errors.Is(err, ErrTooBigToAnnotate):
		return nil, err
	case err != nil:
		return nil, errDamaged(sheet, sr.RowNumber())
	}
	if errCol < 0 {
		errCol = width
	}
	a, err := newAnnotator(f, sheet, l, errCol, u.HasStyleSheet())
	if err != nil {
		return nil, fmt.Errorf("annotate errors: %w", err)
	}
	// Editing makes excelize decode the sheet whole, with a stricter parser than its row
	// iterator's, which skips what it cannot read: an error here is the sheet's.
	if err := a.clear(annotated, width); err != nil {
		return nil, errDamaged(sheet, 0)
	}
	if err := a.write(errs); err != nil {
		return nil, errDamaged(sheet, 0)
	}
	if i, err := f.GetSheetIndex(sheet); err == nil && i >= 0 {
		f.SetActiveSheet(i)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("annotate errors: %w", err)
	}
	return buf.Bytes(), nil
}

// Bounds of the sheet Annotate edits. excelize loads a sheet whole to edit it, at about
// 1.1 KB a cell all told: a roster of 60,000 rows and 11 columns took 753 MB and 33 s, one of
// 200,000 one-cell rows over 2 minutes, 60,000 of them 18 s. 120,000 cells, the template's
// 11 columns of 10,000 rows and then some, take about 135 MB; rows cost time even with few
// cells, and at the template's width the cells run out before maxAnnotateRows anyway.
const (
	maxAnnotateCells = 120_000
	maxAnnotateRows  = 20_000
)

// ErrTooBigToAnnotate is Annotate's answer for a sheet too big to load whole. The
// errors themselves are no less true: the caller sends them as a list instead.
var ErrTooBigToAnnotate = errors.New("roster sheet too big to annotate")

// scanRest reads the rows below the header for the sheet's last used column (its width) and
// for the rows an earlier annotation wrote in an existing 错误说明 column (errCol, -1 if none).
// It stops with ErrTooBigToAnnotate as soon as the sheet is bigger than Annotate edits.
func scanRest(sr *ooxml.SheetReader, l layout) (width, errCol int, annotated []int, err error) {
	width, errCol = len(l.cells), -1
	for i, c := range l.cells {
		if strings.HasPrefix(normalizeHeader(c), errorHeader) {
			errCol = i
		}
	}
	// Cells as excelize would hold them once it loads the sheet to edit it: every row as wide
	// as its rightmost cell. Of the cells, only the old error column's are kept.
	if errCol >= 0 {
		sr.Only([]int{errCol})
	} else {
		sr.Only(nil)
	}
	cellCount := len(l.cells)
	for {
		row, ok, err := sr.Next()
		if err != nil {
			return 0, 0, nil, err
		}
		if !ok {
			break
		}
		w := row.Width
		if cellCount += w; cellCount > maxAnnotateCells || row.N > maxAnnotateRows {
			return 0, 0, nil, ErrTooBigToAnnotate
		}
		width = max(width, w)
		if v, _ := row.Cell(errCol); errCol >= 0 && strings.TrimSpace(v) != "" {
			annotated = append(annotated, row.N)
		}
	}
	if errCol >= 0 {
		width = errCol // the old error column is not data: it is rewritten, not appended to
	}
	return width, errCol, annotated, nil
}

// annotator writes errors into a sheet, with its styles made once.
type annotator struct {
	f       *excelize.File
	sheet   string
	l       layout
	errCol  int
	styled  bool // the workbook has a style sheet to add to; without one, text only
	header  int
	message int
	red     map[int]int // a cell's style → the same style filled red
	unred   map[int]int // a red-filled style → the same style without the fill
}

// errorColWidth fits a message or two on a line; longer ones wrap.
const errorColWidth = 60

// newAnnotator prepares to write into the error column errCol (0-based) of sheet; styled says
// whether it may add styles (ooxml.Upload.HasStyleSheet).
func newAnnotator(f *excelize.File, sheet string, l layout, errCol int, styled bool) (*annotator, error) {
	a := &annotator{f: f, sheet: sheet, l: l, errCol: errCol, styled: styled, red: map[int]int{}, unred: map[int]int{}}
	if !styled {
		return a, nil
	}
	hs := xlstyle.Header()
	hs.Font = &excelize.Font{Bold: true, Color: xlstyle.ErrorText}
	hs.Alignment = &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}
	var err error
	if a.header, err = f.NewStyle(&hs); err != nil {
		return nil, err
	}
	a.message, err = f.NewStyle(&excelize.Style{
		NumFmt:    xlstyle.NumFmtText,
		Font:      &excelize.Font{Color: xlstyle.ErrorText},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	return a, err
}

// clear removes an earlier annotation from the rows it marked.
func (a *annotator) clear(rows []int, width int) error {
	for _, n := range rows {
		cell, _ := excelize.CoordinatesToCellName(a.errCol+1, n)
		if err := a.f.SetCellValue(a.sheet, cell, nil); err != nil {
			return err
		}
		for c := 1; c <= width; c++ {
			cell, _ := excelize.CoordinatesToCellName(c, n)
			if err := a.restyle(cell, a.unred, unfilled); err != nil {
				return err
			}
		}
	}
	return nil
}

// write puts the errors into the sheet.
func (a *annotator) write(errs []domain.RowError) error {
	byRow := map[int][]domain.RowError{}
	for _, e := range errs {
		row := e.Row
		if row <= a.l.headerRow {
			row = a.l.headerRow
		}
		byRow[row] = append(byRow[row], e)
	}
	head := errorHeader
	if msgs := byRow[a.l.headerRow]; len(msgs) > 0 {
		head += "：" + joinMessages(msgs)
	}
	col, _ := excelize.ColumnNumberToName(a.errCol + 1)
	if err := a.f.SetColWidth(a.sheet, col, col, errorColWidth); err != nil {
		return err
	}
	if err := a.setText(a.l.headerRow, head, a.header); err != nil {
		return err
	}
	rows := make([]int, 0, len(byRow))
	for n := range byRow {
		rows = append(rows, n)
	}
	sort.Ints(rows)
	for _, n := range rows {
		if n == a.l.headerRow {
			continue
		}
		if err := a.setText(n, joinMessages(byRow[n]), a.message); err != nil {
			return err
		}
		for _, e := range byRow[n] {
			i, ok := a.l.column(e.Column)
			if !ok {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(i+1, n)
			if err := a.restyle(cell, a.red, redFilled); err != nil {
				return err
			}
		}
	}
	return nil
}

// setText writes the error column's cell of row n.
func (a *annotator) setText(n int, text string, style int) error {
	cell, _ := excelize.CoordinatesToCellName(a.errCol+1, n)
	if err := a.f.SetCellStr(a.sheet, cell, text); err != nil || !a.styled {
		return err
	}
	return a.f.SetCellStyle(a.sheet, cell, cell, style)
}

// restyle changes a cell's fill and keeps the rest of its style (a date stays a date), with
// each derived style made once.
func (a *annotator) restyle(cell string, cache map[int]int, change func(*excelize.Style) bool) error {
	if !a.styled {
		return nil
	}
	orig, err := a.f.GetCellStyle(a.sheet, cell)
	if err != nil {
		return err
	}
	next, ok := cache[orig]
	if !ok {
		s, err := a.f.GetStyle(orig)
		if err != nil {
			cache[orig] = orig // a style the workbook does not define: the cell stays as it is
			return nil
		}
		next = orig
		if change(s) {
			if next, err = a.f.NewStyle(s); err != nil {
				return err
			}
		}
		cache[orig] = next
	}
	if next == orig {
		return nil
	}
	return a.f.SetCellStyle(a.sheet, cell, cell, next)
}

// redFilled fills a style light red; it reports whether anything changed.
func redFilled(s *excelize.Style) bool {
	s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{xlstyle.ErrorFill}}
	return true
}

// unfilled removes the red fill an annotation gave; other fills are HR's and stay.
func unfilled(s *excelize.Style) bool {
	if s.Fill.Type != "pattern" || !slices.ContainsFunc(s.Fill.Color, func(c string) bool {
		return strings.EqualFold(strings.TrimPrefix(c, "#"), xlstyle.ErrorFill) || strings.EqualFold(c, "FF"+xlstyle.ErrorFill)
	}) {
		return false
	}
	s.Fill = excelize.Fill{}
	return true
}

// joinMessages writes a row's errors as HR reads them: "身份证号：校验位不正确；手机号：…".
func joinMessages(errs []domain.RowError) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		if e.Column == "" {
			parts = append(parts, e.Message)
			continue
		}
		parts = append(parts, e.Column+"："+e.Message)
	}
	return strings.Join(parts, "；")
}

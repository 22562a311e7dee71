package roster

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/domain/region"
	"fugong/report/internal/xlstyle"
)

// exportColumn is a column the export adds after the template's: what derives from the ID
// number, the risk assessment and the isolation. Stream ignores them on re-import.
type exportColumn struct {
	header string
	width  float64
	format columnFormat
	value  func(w domain.Worker, id domain.IDView, today domain.Date) any
}

// columnFormat is how an export column's cells are formatted.
type columnFormat int

// Text columns stay text when HR edits them; dates are date cells; numbers are left general,
// to sort and filter by.
const (
	asText columnFormat = iota
	asDate
	asNumber
)

// derivedColumns follow the template's columns in the export, in this order.
var derivedColumns = []exportColumn{
	// What the ID number tells, by the one masking rule (domain.IDView): the birth date only
	// beside the whole number, the age always; the household county whole, the province masked.
	{"出生日期", 12, asDate, func(_ domain.Worker, id domain.IDView, _ domain.Date) any { return dateValue(id.BirthDate) }},
	{"年龄", 6, asNumber, func(_ domain.Worker, id domain.IDView, _ domain.Date) any { return ageValue(id) }},
	{"性别", 6, asText, func(_ domain.Worker, id domain.IDView, _ domain.Date) any { return sexLabel(id.Sex) }},
	{"户籍地", 24, asText, func(_ domain.Worker, id domain.IDView, _ domain.Date) any { return regionName(id.HouseholdRegion) }},
	{"风险等级", 8, asText, func(w domain.Worker, _ domain.IDView, _ domain.Date) any { return xlstyle.RiskLabel[w.RiskLevel] }},
	{"风险原因", 30, asText, func(w domain.Worker, _ domain.IDView, _ domain.Date) any { return w.RiskReason }},
	{"状态", 10, asText, func(w domain.Worker, _ domain.IDView, _ domain.Date) any { return w.Status.Label() }},
	{"隔离开始", 12, asDate, func(w domain.Worker, _ domain.IDView, _ domain.Date) any { return dateValue(w.IsolationStart) }},
	{"隔离截止", 12, asDate, func(w domain.Worker, _ domain.IDView, _ domain.Date) any { return dateValue(w.IsolationUntil) }},
	{"隔离剩余天数", 12, asNumber, func(w domain.Worker, _ domain.IDView, today domain.Date) any {
		if w.IsolationUntil.IsZero() {
			return nil
		}
		return w.IsolationDaysLeft(today)
	}},
}

// Write writes workers as a roster workbook to w: the template's columns in the
// template's order, so that the export can be corrected and imported again, then the derived
// columns 出生日期 (only with reveal), 年龄, 性别, 户籍地 (the province only without reveal), 风险等级, 风险原因, 状态, 隔离开始, 隔离截止 and 隔离剩余天数
// (days left on today). ID numbers are masked unless reveal (a masked export is for reading:
// its ID numbers cannot be imported again); they and the other text columns are text cells in
// text-formatted columns. Dates are real Excel dates formatted yyyy-mm-dd,
// which Stream reads back as YYYY-MM-DD and HR can sort. The sheet is written with
// excelize's StreamWriter, so memory does not grow with the rows beyond the workers given.
func Write(w io.Writer, workers []domain.Worker, reveal bool, today domain.Date) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeRosterSheet(f, workers, reveal, today); err != nil {
		return fmt.Errorf("write roster: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write roster: %w", err)
	}
	return nil
}

// writeRosterSheet streams the roster into f's first sheet.
func writeRosterSheet(f *excelize.File, workers []domain.Worker, reveal bool, today domain.Date) error {
	const sheet = rosterSheet
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	st, err := newTemplateStyles(f)
	if err != nil {
		return err
	}
	ncols := len(domain.RosterColumns) + len(derivedColumns)
	lastCol, _ := excelize.ColumnNumberToName(ncols)
	// The stream writer writes the worksheet's other parts from the sheet as it stands when it
	// starts and has no AutoFilter of its own, so the filter and the page setup come first.
	if err := f.AutoFilter(sheet, fmt.Sprintf("A1:%s%d", lastCol, len(workers)+1), nil); err != nil {
		return err
	}
	landscape := "landscape"
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$1:$1", Scope: sheet}); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := make([]any, 0, ncols)
	for i, c := range domain.RosterColumns {
		style := st.text
		if c.Key == domain.ColArrivedOn {
			style = st.date
		}
		if err := xlstyle.SetColumn(sw, i+1, c.Width, style); err != nil {
			return err
		}
		header = append(header, excelize.Cell{StyleID: st.header, Value: c.Header})
	}
	for i, c := range derivedColumns {
		style := map[columnFormat]int{asText: st.text, asDate: st.date, asNumber: 0}[c.format]
		if err := xlstyle.SetColumn(sw, len(domain.RosterColumns)+i+1, c.width, style); err != nil {
			return err
		}
		header = append(header, excelize.Cell{StyleID: st.header, Value: c.header})
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	row := make([]any, ncols)
	for n, w := range workers {
		id := w.IDNumber.View(today, reveal)
		for i, c := range domain.RosterColumns {
			row[i] = cellOf(templateValue(c.Key, w, id), st)
		}
		for i, c := range derivedColumns {
			row[len(domain.RosterColumns)+i] = cellOf(c.value(w, id, today), st)
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// cellOf turns a value into what the stream writer writes: a date into a date cell, and an
// empty text into no cell at all, so that Excel's filter lists it under (空白) and COUNTA does
// not count it.
func cellOf(v any, st templateStyles) any {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil
		}
	case domain.Date:
		return excelize.Cell{StyleID: st.date, Value: v.Time()}
	}
	return v
}

// templateValue is the value of a template column for a worker, as Stream and domain read
// it back.
func templateValue(key string, w domain.Worker, id domain.IDView) any {
	switch key {
	case domain.ColName:
		return w.Name
	case domain.ColIDNumber:
		return id.Number
	case domain.ColPhone:
		return w.Phone
	case domain.ColDepartment:
		return w.Department
	case domain.ColShiftGroup:
		return w.ShiftGroup
	case domain.ColBatch:
		if w.BatchID == 0 {
			return ""
		}
		return domain.BatchLabel(domain.ReturnBatch{Number: w.BatchNumber, Date: w.BatchDate})
	case domain.ColOriginRegion:
		return regionText(w.OriginRegion)
	case domain.ColArrivedOn:
		return dateValue(w.ArrivedOn)
	case domain.ColTransport:
		return w.Transport
	case domain.ColKeyAreaExposure:
		return yesNo(w.KeyAreaExposure)
	case domain.ColContactHistory:
		return yesNo(w.ContactHistory)
	case domain.ColIsolationPlace:
		return w.IsolationPlace
	}
	return nil // a column added to the template that the export does not know yet
}

// dateValue is a derived date, written as a date cell, or nothing for the zero date.
func dateValue(d domain.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}

// ageValue is an age in years, or nothing without a valid ID number.
func ageValue(id domain.IDView) any {
	if id.Number == "" {
		return nil
	}
	return id.Age
}

// sexLabel is a sex as a form writes it.
func sexLabel(s domain.Sex) string {
	switch s {
	case domain.Male:
		return "男"
	case domain.Female:
		return "女"
	}
	return ""
}

// regionName names a GB/T 2260 division, or gives its code when it has no name.
func regionName(code string) string {
	if name, ok := region.Name(code); ok || code == "" {
		return name
	}
	return code
}

// regionText writes a region code as its full name when the name leads back to the same code
// on import, and as the code otherwise (a code no longer in use is named by its enclosing
// division, which would move the worker on re-import).
func regionText(code string) string {
	if code == "" {
		return ""
	}
	if name, ok := region.Name(code); ok {
		if back, ok := region.Find(name); ok && back == code {
			return name
		}
	}
	return code
}

// yesNo writes a flag as HR writes it.
func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

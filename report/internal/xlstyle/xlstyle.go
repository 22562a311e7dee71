// Package xlstyle is the look the workbooks of report share: the header row, the text and date
// formats, the light red of what needs a look (a roster's wrong cells, a day's abnormal
// enterprises), how a streamed column is laid out and how a risk level is written, so that a
// roster export and a daily report read alike.
package xlstyle

import (
	"github.com/xuri/excelize/v2"

	"fugong/domain"
)

// Number formats: 49 is Excel's built-in "@" (text); dates are written year first, as
// domain.ParseLooseDate and Chinese forms expect.
const (
	NumFmtText = 49
	DateFormat = "yyyy-mm-dd"
)

// Colours of the workbooks: the header's fill, and the fill and text of what is wrong.
const (
	headerFill = "DDEBF7"
	ErrorFill  = "FFC7CE"
	ErrorText  = "9C0006"
)

// Header is the header row's look in every workbook: bold on light blue, centred and wrapped,
// thin borders, and text, so that a header typed over stays text.
func Header() excelize.Style {
	border := func(side string) excelize.Border { return excelize.Border{Type: side, Color: "9BC2E6", Style: 1} }
	return excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerFill}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    []excelize.Border{border("left"), border("right"), border("top"), border("bottom")},
		NumFmt:    NumFmtText,
	}
}

// SetColumn sets a streamed sheet's column width (8 at least) and style (none for 0); cells
// written without a style of their own take the column's, so the text columns stay text when
// HR edits the workbook.
func SetColumn(sw *excelize.StreamWriter, col int, width float64, style int) error {
	if err := sw.SetColWidth(col, col, max(width, 8)); err != nil {
		return err
	}
	if style == 0 {
		return nil
	}
	return sw.SetColStyle(col, col, style)
}

// RiskLabel names the risk levels as the township's forms do: a column 风险等级 of 高, 中, 低.
var RiskLabel = map[domain.RiskLevel]string{domain.RiskHigh: "高", domain.RiskMedium: "中", domain.RiskLow: "低"}

package roster

import (
	"fmt"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/report/internal/xlstyle"
)

// templateRows is how many rows below the header carry the template's drop-down lists: more
// than any enterprise's roster. The text format is set on whole columns instead, so that it
// holds wherever HR types and the sheet's used range stays at the rows actually filled.
const templateRows = 10000

// Colours of the template's own marks; the rest of the look is xlstyle's.
const (
	colorRequired = "FF0000"
	colorExample  = "808080"
)

// guideText says, for the 填写说明 sheet, what goes in each column; a column without an entry
// is described by its hint and choices alone.
var guideText = map[string]string{
	domain.ColName:            "职工本人姓名",
	domain.ColIDNumber:        "18 位居民身份证号,末位可以是 X;出生日期、性别、户籍地由它得出",
	domain.ColPhone:           "11 位手机号;职工用它登录每日健康打卡",
	domain.ColDepartment:      "所在部门或车间",
	domain.ColShiftGroup:      "所在班组(小班制),须是本企业已建的班组;班组满员时导入会指出超出容量的行",
	domain.ColBatch:           "分配到的错峰返岗批次,按复工申请批准的批次;可写序号或日期",
	domain.ColOriginRegion:    "从哪里返回本地",
	domain.ColArrivedOn:       "返回本地的日期,如 2026-02-17",
	domain.ColTransport:       "从下拉列表中选择,也可写明车次、航班,如“火车 G1234”",
	domain.ColKeyAreaExposure: "近 14 天内是否在重点地区居住或途经,填“是”或“否”",
	domain.ColContactHistory:  "是否接触过新冠肺炎确诊或疑似病例,填“是”或“否”",
	domain.ColIsolationPlace:  "已安排隔离观察的,填写隔离地点",
}

// templateStyles are the styles of the template, made once per workbook.
type templateStyles struct {
	header, text, date, example, exampleDate int
}

// newTemplateStyles registers the template's styles with f.
func newTemplateStyles(f *excelize.File) (templateStyles, error) {
	var s templateStyles
	date := xlstyle.DateFormat
	for _, st := range []struct {
		id    *int
		style excelize.Style
	}{
		{&s.header, xlstyle.Header()},
		{&s.text, excelize.Style{NumFmt: xlstyle.NumFmtText}},
		{&s.date, excelize.Style{CustomNumFmt: &date}},
		{&s.example, excelize.Style{NumFmt: xlstyle.NumFmtText, Font: &excelize.Font{Italic: true, Color: colorExample}}},
		{&s.exampleDate, excelize.Style{CustomNumFmt: &date, Font: &excelize.Font{Italic: true, Color: colorExample}}},
	} {
		id, err := f.NewStyle(&st.style)
		if err != nil {
			return s, fmt.Errorf("new style: %w", err)
		}
		*st.id = id
	}
	return s, nil
}

// Template is TemplateFor without an enterprise's own choices.
func Template() ([]byte, error) { return TemplateFor(nil) }

// TemplateFor returns the roster template HR fills in: a sheet 花名册 with the header of
// domain.RosterColumns (required columns marked with a red "*", hints as comments), every
// column formatted as text but the date column (so that Excel keeps the 18 digits of an ID
// number), drop-down lists for the columns with choices, a frozen header and one example row
// in grey italics that Stream skips; and a sheet 填写说明 that explains every column. choices
// are an enterprise's own by column key (its batches, its shifts: domain's TemplateChoices),
// offered as drop-down lists and listed in the guide.
func TemplateFor(choices map[string][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", rosterSheet); err != nil {
		return nil, fmt.Errorf("roster template: %w", err)
	}
	st, err := newTemplateStyles(f)
	if err != nil {
		return nil, fmt.Errorf("roster template: %w", err)
	}
	cols := withChoices(choices)
	if err := writeTemplateSheet(f, st, cols); err != nil {
		return nil, fmt.Errorf("roster template: %w", err)
	}
	if err := writeGuideSheet(f, st, cols); err != nil {
		return nil, fmt.Errorf("roster template: %w", err)
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("roster template: %w", err)
	}
	return buf.Bytes(), nil
}

// withChoices is the template's columns with an enterprise's own choices; a column with none
// keeps its example, and the example of one with some is its first.
func withChoices(choices map[string][]string) []domain.RosterColumn {
	cols := slices.Clone(domain.RosterColumns)
	for i, c := range cols {
		if own, ok := choices[c.Key]; ok && len(own) > 0 {
			cols[i].Choices, cols[i].Example = own, own[0]
		}
	}
	return cols
}

// maxDropList is the most characters Excel takes in a drop-down list written in the cell
// rule itself; a longer list (an enterprise with very many shifts) is left to the guide.
const maxDropList = 255

// writeTemplateSheet lays out the 花名册 sheet.
func writeTemplateSheet(f *excelize.File, st templateStyles, cols []domain.RosterColumn) error {
	const sheet = rosterSheet
	for i, c := range cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		header, _ := excelize.CoordinatesToCellName(i+1, 1)
		example, _ := excelize.CoordinatesToCellName(i+1, 2)
		colStyle, exampleStyle := st.text, st.example
		if c.Key == domain.ColArrivedOn {
			colStyle, exampleStyle = st.date, st.exampleDate
		}
		if err := f.SetColStyle(sheet, col, colStyle); err != nil {
			return err
		}
		if err := f.SetColWidth(sheet, col, col, max(c.Width, 8)); err != nil {
			return err
		}
		if err := f.SetCellRichText(sheet, header, headerRuns(c)); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, header, header, st.header); err != nil {
			return err
		}
		if c.Hint != "" {
			if err := f.AddComment(sheet, excelize.Comment{Cell: header, Author: "复工", Text: c.Hint}); err != nil {
				return err
			}
		}
		value := c.Example
		if c.Key == domain.ColName {
			value = exampleMark + ":" + c.Example
		}
		if err := f.SetCellStr(sheet, example, value); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, example, example, exampleStyle); err != nil {
			return err
		}
		if len(c.Choices) > 0 && len([]rune(strings.Join(c.Choices, ","))) <= maxDropList {
			if err := addDropList(f, sheet, col, c); err != nil {
				return err
			}
		}
	}
	nameCell := "A2"
	if i := slices.IndexFunc(cols, func(c domain.RosterColumn) bool { return c.Key == domain.ColName }); i >= 0 {
		nameCell, _ = excelize.CoordinatesToCellName(i+1, 2)
	}
	if err := f.AddComment(sheet, excelize.Comment{Cell: nameCell, Author: "复工",
		Text: "此行是填写示例,导入时自动跳过;可以删除,也可以保留。"}); err != nil {
		return err
	}
	if err := f.SetRowHeight(sheet, 1, 30); err != nil {
		return err
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// headerRuns writes a header with a red "*" before it when the column is required. The star is
// part of the text, so Stream and HR's own tools see "*身份证号"; normalizeHeader drops it.
func headerRuns(c domain.RosterColumn) []excelize.RichTextRun {
	runs := []excelize.RichTextRun{{Text: c.Header, Font: &excelize.Font{Bold: true}}}
	if c.Required {
		runs = append([]excelize.RichTextRun{{Text: "*", Font: &excelize.Font{Bold: true, Color: colorRequired}}}, runs...)
	}
	return runs
}

// addDropList gives a column a drop-down list of its choices. A yes/no column allows nothing
// else; other lists only warn, since HR may need to write "火车 G1234" where the list says 火车.
func addDropList(f *excelize.File, sheet, col string, c domain.RosterColumn) error {
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, templateRows+1)
	if err := dv.SetDropList(c.Choices); err != nil {
		return err
	}
	list := strings.Join(c.Choices, "、")
	if slices.Equal(c.Choices, []string{"是", "否"}) {
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "请从下拉列表中选择:"+list)
	} else {
		dv.SetError(excelize.DataValidationErrorStyleWarning, c.Header, "建议从下拉列表中选择:"+list+";确实不同的可以照填")
	}
	return f.AddDataValidation(sheet, dv)
}

// writeGuideSheet writes the 填写说明 sheet: one row per column, then general notes.
func writeGuideSheet(f *excelize.File, st templateStyles, cols []domain.RosterColumn) error {
	const sheet = guideSheet
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	if err := f.SetSheetRow(sheet, "A1", &[]string{"列名", "是否必填", "填写说明"}); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", "C1", st.header); err != nil {
		return err
	}
	row := 2
	for _, c := range cols {
		need := "选填"
		if c.Required {
			need = "必填"
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(sheet, cell, &[]string{c.Header, need, guideLine(c)}); err != nil {
			return err
		}
		row++
	}
	notes := []string{
		"填写须知:",
		"1. 在“花名册”表中填写,每行一人;第 2 行灰色斜体的是示例,导入时自动跳过。",
		"2. 带红色 * 的列必须填写;表头文字请勿修改,列的顺序可以调整,不用的选填列可以删除。",
		"3. 身份证号、手机号等列已设为“文本”格式,请勿改成数字或常规格式,否则 18 位身份证号的末几位会丢失。",
		"4. 日期写成 2026-02-17、2026/2/17 或 2026年2月17日 均可。",
		"5. 已在花名册上的职工(身份证号相同)再次导入时按表中内容更新,不会重复添加。",
		"6. 返岗批次和班组:表中没有“返岗批次”或“班组”列时,导入不改动职工原有的批次和班组;有此列而留空的,表示取消。",
		"7. 中、高风险地区返回的职工,隔离观察期晚于所在批次返岗日期的,检查文件时会列出提示,须确认后才能导入。",
	}
	row++
	for _, n := range notes {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetCellStr(sheet, cell, n); err != nil {
			return err
		}
		row++
	}
	for col, width := range map[string]float64{"A": 22, "B": 10, "C": 80} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// guideLine says what to fill in a column: the guide's text, the header's hint, the choices
// and the example.
func guideLine(c domain.RosterColumn) string {
	var parts []string
	if t := guideText[c.Key]; t != "" {
		parts = append(parts, t)
	}
	if c.Hint != "" {
		parts = append(parts, c.Hint)
	}
	if len(c.Choices) > 0 {
		parts = append(parts, "可选:"+strings.Join(c.Choices, "、"))
	}
	if c.Example != "" {
		parts = append(parts, "例:"+c.Example)
	}
	return strings.Join(parts, ";")
}

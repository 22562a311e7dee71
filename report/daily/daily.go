package daily

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/domain/region"
	"fugong/report/internal/xlstyle"
)

// The daily report's sheets, in the order the town reads them.
const (
	summarySheet    = "汇总"
	enterpriseSheet = "企业明细"
	abnormalSheet   = "异常人员"
	missedSheet     = "未打卡"
	keyAreaSheet    = "重点地区返岗"
	isolatingSheet  = "隔离观察"
	// unregisteredSheet lists who reported though not marked back (the figure 未登记返岗).
	unregisteredSheet = "未登记返岗"
	// returnSheet holds each enterprise's return against its plan (FIGURES.md, 错峰返岗).
	returnSheet = "错峰返岗"
)

// FileName is the download name of a township's daily report, e.g.
// "长山镇复工日报-2026-02-17.xlsx".
func FileName(township string, d domain.Date) string {
	return fileNamePart(township) + "复工日报-" + d.String() + ".xlsx"
}

// fileNamePart keeps a name from breaking a download name: the characters Windows refuses in
// file names become "_".
func fileNamePart(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, s)
}

// Write writes the township daily report workbook (日报) of r to w: the sheet 汇总 with
// the headline numbers, the by-zone and 14-day tables and their two charts; 企业明细 with one
// row per enterprise, those needing a look filled light red; and the people sheets 异常人员,
// 未打卡, 重点地区返岗, 隔离观察 and 未登记返岗 with the same columns; 错峰返岗 and 抽查核验 (the day's
// spot checks, their figures and the passes by enterprise). ID numbers are always masked: the
// report is forwarded upward and printed, so it must never carry a whole one.
func Write(w io.Writer, r domain.DailyReport, opts ...Option) error {
	b, err := NewBook(opts...)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.WritePeople(r); err != nil {
		return err
	}
	if err := b.WriteRest(r); err != nil {
		return err
	}
	return b.Save(w)
}

// Book is a daily report workbook being written, in two parts that may come at different
// times: the people sheets (WritePeople), which are most of the writing and can be written
// while the rest of the report is still being read (domain.ReportService.DailyReportWith),
// and the rest (WriteRest). Every sheet is there, in its place, from the start. A Book is
// not for use by two goroutines at once.
type Book struct {
	f    *excelize.File
	st   reportStyles
	rows map[string]*rowsXML // the people sheets' rows, by part, for Save to put in
}

// NewBook starts a daily report workbook with its sheets, empty. Close it.
func NewBook(opts ...Option) (*Book, error) {
	f := excelize.NewFile()
	f.SetZipWriter(fastZip)
	b := &Book{f: f}
	if err := b.start(optionsOf(opts)); err != nil {
		f.Close()
		return nil, fmt.Errorf("write daily report: %w", err)
	}
	return b, nil
}

func (b *Book) start(o options) error {
	if err := b.f.SetSheetName("Sheet1", summarySheet); err != nil {
		return err
	}
	// Set now, while the summary is the only sheet: at the end, excelize would read every
	// sheet back, the 25,000 rows streamed to 未打卡 among them, to mark them not selected.
	b.f.SetActiveSheet(0)
	for _, name := range []string{enterpriseSheet, returnSheet, spotSheet, abnormalSheet, missedSheet, keyAreaSheet,
		isolatingSheet, unregisteredSheet} {
		if _, err := b.f.NewSheet(name); err != nil {
			return err
		}
	}
	st, err := newReportStyles(b.f)
	st.titleNote = o.titleNote
	b.st = st
	return err
}

// WritePeople writes the people sheets of r: of r only its people are read.
func (b *Book) WritePeople(r domain.DailyReport) error {
	for _, s := range []struct {
		name   string
		people []domain.PersonDay
	}{
		{abnormalSheet, r.Abnormal}, {missedSheet, r.Missed}, {keyAreaSheet, r.KeyArea}, {isolatingSheet, r.Isolating},
		{unregisteredSheet, r.Unregistered},
	} {
		if err := b.writePeople(s.name, s.people); err != nil {
			return fmt.Errorf("write daily report: %w", err)
		}
	}
	return nil
}

// writePeople writes a people sheet: excelize writes it with its header and no rows, the rows
// are written as XML (rows_xml.go), and splicingZip puts them in their sheet when the workbook
// is packed. A sheet of nobody is writeList's, with its row saying 无.
func (b *Book) writePeople(sheet string, people []domain.PersonDay) error {
	if len(people) == 0 {
		return writeList(b.f, b.st, sheet, personColumns, people, personValues)
	}
	part, err := sheetPart(b.f, sheet)
	if err != nil {
		return err
	}
	sw, err := startList(b.f, b.st, sheet, "", personColumns, len(people))
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	rows := newRowsXML(len(personColumns), 1)
	line, values := newStreamLine(len(personColumns)), make([]any, len(personColumns))
	for n := range people {
		line.setAll(b.st, personColumns, values, personValues(&people[n], values))
		if err := rows.add(line.values); err != nil {
			return fmt.Errorf("%s row %d: %w", sheet, n+2, err)
		}
	}
	if b.rows == nil {
		b.rows = map[string]*rowsXML{}
	}
	b.rows[part] = rows
	return nil
}

// sheetPart is the part of the workbook a sheet of this Book is written to: excelize names a
// new sheet's part by its sheet ID.
func sheetPart(f *excelize.File, sheet string) (string, error) {
	for id, name := range f.GetSheetMap() {
		if name == sheet {
			return fmt.Sprintf("xl/worksheets/sheet%d.xml", id), nil
		}
	}
	return "", fmt.Errorf("no sheet %s", sheet)
}

// WriteRest writes every sheet of r but the people sheets.
func (b *Book) WriteRest(r domain.DailyReport) error {
	if err := writeRest(b.f, b.st, r); err != nil {
		return fmt.Errorf("write daily report: %w", err)
	}
	return nil
}

// Save writes the workbook to w.
func (b *Book) Save(w io.Writer) error {
	if len(b.rows) > 0 {
		b.f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return &splicingZip{ZipWriter: fastZip(w), rows: b.rows} })
	}
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("write daily report: %w", err)
	}
	return nil
}

// Close lets go of the workbook's temporary files and the people sheets' rows.
func (b *Book) Close() error {
	for _, rows := range b.rows {
		rows.buf.release()
	}
	return b.f.Close()
}

// fastZip packs a workbook with deflate's fastest level rather than its default: a third of
// writing a township's daily report went into compressing it (BENCHMARKS.md), and the file
// comes out about a fifth bigger, 1.6 MB for 50,000 workers.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		fw := deflaters.Get().(*flate.Writer)
		fw.Reset(out)
		return &pooledDeflater{fw}, nil
	})
	return zw
}

// deflaters keeps deflate's compressors between a workbook's files and between workbooks:
// each is over a megabyte of state, and a daily report packs about twenty files, so a new one
// for each was a tenth of the memory a report allocated (BENCHMARKS.md, daily.xlsx).
var deflaters = sync.Pool{New: func() any {
	fw, _ := flate.NewWriter(io.Discard, flate.BestSpeed) // the level is valid: no error
	return fw
}}

// pooledDeflater is a pooled compressor that goes back to the pool once closed.
type pooledDeflater struct{ *flate.Writer }

func (d *pooledDeflater) Close() error {
	err := d.Writer.Close()
	deflaters.Put(d.Writer)
	d.Writer = nil
	return err
}

// writeRest writes the summary, enterprise, return and spot-check sheets of r.
func writeRest(f *excelize.File, st reportStyles, r domain.DailyReport) error {
	if err := writeSummary(f, st, r); err != nil {
		return err
	}
	if err := writeList(f, st, enterpriseSheet, enterpriseColumns, r.Enterprises, enterpriseValues); err != nil {
		return err
	}
	if err := writeList(f, st, returnSheet, returnColumns, returnLines(r), returnValues); err != nil {
		return err
	}
	return writeSpotSheet(f, st, r)
}

// fieldKind is how a report cell is written and formatted.
type fieldKind int

// Text stays text (ID numbers, phones and credit codes must never become numbers); dates are
// real dates; counts are plain numbers to sort and sum; rates show as percentages and supply
// days and temperatures with one decimal, as the town reads them.
const (
	fieldText fieldKind = iota
	fieldDate
	fieldInt
	fieldPercent
	fieldDecimal
)

// cellStyleKey picks one of a report's cell styles: a kind, on a row filled light red or not,
// in the red bold of an alarming value or not.
type cellStyleKey struct {
	kind        fieldKind
	fill, alarm bool
}

// reportStyles are the styles of a report workbook, made once per workbook.
type reportStyles struct {
	title, caption, header int
	cells                  map[cellStyleKey]int
	titleNote              string // after every title (DataAsOf)
}

// Number formats of the reports besides xlstyle.NumFmtText and xlstyle.DateFormat.
const (
	percentFormat = "0.0%"
	decimalFormat = "0.0"
)

// newReportStyles registers the reports' styles with f: every cell kind with and without the
// light red fill of an abnormal row and the red font of an alarming value.
func newReportStyles(f *excelize.File) (reportStyles, error) {
	st := reportStyles{cells: map[cellStyleKey]int{}}
	var err error
	if st.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Vertical: "center"}}); err != nil {
		return st, fmt.Errorf("new style: %w", err)
	}
	if st.caption, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}}); err != nil {
		return st, fmt.Errorf("new style: %w", err)
	}
	header := xlstyle.Header()
	if st.header, err = f.NewStyle(&header); err != nil {
		return st, fmt.Errorf("new style: %w", err)
	}
	for _, kind := range []fieldKind{fieldText, fieldDate, fieldInt, fieldPercent, fieldDecimal} {
		for _, fill := range []bool{false, true} {
			for _, alarm := range []bool{false, true} {
				s := fieldStyle(kind)
				if fill {
					s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{xlstyle.ErrorFill}}
				}
				if alarm {
					s.Font = &excelize.Font{Bold: true, Color: xlstyle.ErrorText}
				}
				id, err := f.NewStyle(&s)
				if err != nil {
					return st, fmt.Errorf("new style: %w", err)
				}
				st.cells[cellStyleKey{kind, fill, alarm}] = id
			}
		}
	}
	return st, nil
}

// fieldStyle is the plain style of a cell kind.
func fieldStyle(kind fieldKind) excelize.Style {
	format := map[fieldKind]string{fieldDate: xlstyle.DateFormat, fieldPercent: percentFormat, fieldDecimal: decimalFormat}[kind]
	switch {
	case kind == fieldText:
		return excelize.Style{NumFmt: xlstyle.NumFmtText}
	case format != "":
		return excelize.Style{CustomNumFmt: &format}
	}
	return excelize.Style{}
}

// cell is the style of a plain cell of a kind.
func (s reportStyles) cell(kind fieldKind) int { return s.cells[cellStyleKey{kind: kind}] }

// alarming marks a value to show in red bold, such as a fever reading.
type alarming struct{ v any }

// streamCell is what the stream writer writes for one value of a list row: a date as a date
// cell, nothing for an empty value unless the row is filled (the fill must run across the
// whole row), and every cell with its kind's style so that a number format never depends on
// what Excel guesses.
func (s reportStyles) streamCell(kind fieldKind, v any, fill bool) (excelize.Cell, bool) {
	alarm := false
	if a, ok := v.(alarming); ok {
		alarm, v = true, a.v
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			v = nil
		}
	case domain.Date:
		if x.IsZero() {
			v = nil
		} else {
			v = x.Time()
		}
	}
	if v == nil && !fill {
		return excelize.Cell{}, false
	}
	return excelize.Cell{StyleID: s.cells[cellStyleKey{kind, fill, alarm}], Value: v}, true
}

// streamLine is a row for the stream writer, reused from row to row. Its cells go to SetRow
// by pointer: boxed as values, every cell of a 25,000-row sheet was an allocation of its own.
type streamLine struct {
	values []any
	cells  []excelize.Cell
}

func newStreamLine(n int) *streamLine {
	return &streamLine{values: make([]any, n), cells: make([]excelize.Cell, n)}
}

// setAll makes the line's cells the values of a row of cols, filled or not.
func (l *streamLine) setAll(st reportStyles, cols []listColumn, values []any, fill bool) {
	for i, c := range cols {
		l.set(st, i, c.kind, values[i], fill)
	}
}

// set makes the i-th cell what streamCell says, or none.
func (l *streamLine) set(st reportStyles, i int, kind fieldKind, v any, fill bool) {
	c, ok := st.streamCell(kind, v, fill)
	if !ok {
		l.values[i] = nil
		return
	}
	l.cells[i] = c
	l.values[i] = &l.cells[i]
}

// listColumn is a column of a list sheet.
type listColumn struct {
	header string
	width  float64
	kind   fieldKind
}

// enterpriseColumns are the columns of 企业明细. Missing check-ins take two columns, morning
// and afternoon, rather than one sum: the town follows up each slot after its own cut-off,
// and a sum of the two would count a person twice. Supplies are the days of use in stock at
// the latest plan; thermometers have no days of use (a plan needs one per hundred workers,
// which domain.SupplyDays does not carry), so gloves take their place.
var enterpriseColumns = slices.Concat([]listColumn{
	{"企业名称", 28, fieldText}, {"统一社会信用代码", 21, fieldText}, {"责任区", 10, fieldText},
	{"行业", 10, fieldText}, {"联系人", 8, fieldText}, {"联系电话", 14, fieldText}, {"复工状态", 9, fieldText},
	{"复工日期", 12, fieldDate}, {"驻厂监督员", 14, fieldText},
}, figureColumns(), []listColumn{
	{"口罩可用天数", 9, fieldDecimal}, {"手套可用天数", 9, fieldDecimal}, {"消毒液可用天数", 9, fieldDecimal},
})

// figureColumns are the columns of the day's figures (domain.FigureDefs), in their order and
// under their names, on every sheet that lists them.
func figureColumns() []listColumn {
	out := make([]listColumn, 0, len(domain.FigureDefs))
	for _, d := range domain.FigureDefs {
		kind := fieldInt
		if d.Kind == domain.FigureShare {
			kind = fieldPercent
		}
		out = append(out, listColumn{d.Label, 8, kind})
	}
	return out
}

// figureValues appends the day's figures in the order of figureColumns.
func figureValues(out []any, f domain.Figures) []any {
	for _, d := range domain.FigureDefs {
		out = append(out, figureCell(d, f))
	}
	return out
}

// figureCell is one figure as a cell: its value, or domain.NoValue for a share that has none.
func figureCell(d domain.FigureDef, f domain.Figures) any {
	if v := d.Value(f); v != nil {
		return v
	}
	return domain.NoValue
}

// returnFigureColumns are the columns of the plan-against-actual figures
// (domain.ReturnFigureDefs), in their order and under their names, on every sheet that lists
// them.
func returnFigureColumns() []listColumn {
	out := make([]listColumn, 0, len(domain.ReturnFigureDefs))
	for _, d := range domain.ReturnFigureDefs {
		out = append(out, listColumn{d.Label, 8, fieldInt})
	}
	return out
}

// returnFigureValues appends the plan-against-actual figures in the order of
// returnFigureColumns.
func returnFigureValues(out []any, f domain.ReturnFigures) []any {
	for _, d := range domain.ReturnFigureDefs {
		out = append(out, d.Value(f))
	}
	return out
}

// returnColumns are the columns of 错峰返岗.
var returnColumns = slices.Concat([]listColumn{
	{"企业名称", 28, fieldText}, {"统一社会信用代码", 21, fieldText}, {"责任区", 10, fieldText}, {"复工状态", 9, fieldText},
}, returnFigureColumns())

// returnLine is a row of 错峰返岗: an enterprise's, or the township's total (total set).
type returnLine struct {
	domain.EnterpriseReturn
	total bool
}

// returnLines are the rows of 错峰返岗: the enterprises in the order of 企业明细, then their
// total, the township's.
func returnLines(r domain.DailyReport) []returnLine {
	out := make([]returnLine, 0, len(r.Returns)+1)
	for _, e := range r.Returns {
		out = append(out, returnLine{EnterpriseReturn: e})
	}
	return append(out, returnLine{EnterpriseReturn: domain.EnterpriseReturn{ReturnFigures: r.ReturnTotal}, total: true})
}

// returnTotalLabel names the township's total row of 错峰返岗.
const returnTotalLabel = "全镇合计"

// returnValues puts a row of 错峰返岗 into values, filled light red when people of a batch
// whose day has passed are not back, or came early: the ones a supervisor follows up.
func returnValues(l *returnLine, values []any) (fill bool) {
	row := values[:0]
	if l.total {
		row = append(row, returnTotalLabel, "", "", "")
	} else {
		e := l.Enterprise
		row = append(row, e.Name, string(e.CreditCode), zoneName(e.Zone), e.Status.Label())
	}
	returnFigureValues(row, l.ReturnFigures)
	return !l.total && (l.NoShow > 0 || l.Early > 0)
}

// completionDef is the completion figure, which the zone and trend tables show beside others.
var completionDef, _ = domain.FigureByKey("completion")

// enterpriseValues puts into values an enterprise's row of 企业明细, filled light red when it
// needs a look; without a plan its supply days are blank, not zero, since nobody has said
// what is in stock.
func enterpriseValues(e *domain.ReportEnterprise, values []any) (fill bool) {
	en, fig := e.Enterprise, e.Figures
	var masks, gloves, liters any
	if e.HasPlan {
		masks, gloves, liters = supplyDays(e.Supplies.Masks), supplyDays(e.Supplies.Gloves), supplyDays(e.Supplies.DisinfectantLiters)
	}
	row := append(values[:0], en.Name, string(en.CreditCode), zoneName(en.Zone), en.Industry, en.ContactName,
		en.ContactPhone, en.Status.Label(), en.ReopenedOn, supervisorNames(en.Supervisors))
	row = figureValues(row, fig)
	_ = append(row, masks, gloves, liters)
	return e.Abnormal()
}

// supplyDays rounds days of use down to one decimal, so that 2.96 days never shows as the 3.0
// a plan needs; below the minimum it shows in red.
func supplyDays(d float64) any {
	v := math.Floor(d*10+supplyNoise) / 10
	if d < domain.MinSupplyDays-supplyNoise {
		return alarming{v}
	}
	return v
}

// supplyNoise absorbs floating-point noise in supply days (0.05 L a worker a day has no exact
// binary form), as domain does when it checks a plan.
const supplyNoise = 1e-9

// zoneName names a zone, and the enterprises without one.
func zoneName(z string) string {
	if z == "" {
		return "未划分责任区"
	}
	return z
}

// supervisorNames lists an enterprise's supervisors by name, by username when they have none.
func supervisorNames(us []domain.UserRef) string {
	names := make([]string, 0, len(us))
	for _, u := range us {
		names = append(names, cmpOr(u.Name, u.Username))
	}
	return strings.Join(names, "、")
}

// cmpOr is the first non-empty string.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// personColumns are the columns of the four people sheets. They are the same on all four, so
// that the town reads every sheet the same way and can paste them together; a column that
// does not apply to a sheet (the readings of someone who did not check in) is merely blank.
var personColumns = []listColumn{
	{"企业", 24, fieldText}, {"姓名", 8, fieldText}, {"身份证号", 20, fieldText}, {"手机号", 13, fieldText},
	{"部门", 10, fieldText}, {"返回地", 20, fieldText}, {"返岗日期", 12, fieldDate}, {"隔离截止", 12, fieldDate},
	{"风险等级", 8, fieldText}, {"状态", 9, fieldText}, {"上午体温", 8, fieldDecimal}, {"下午体温", 8, fieldDecimal},
	{"症状", 18, fieldText}, {"未打卡时段", 10, fieldText}, {"预警", 24, fieldText},
}

// personValues puts into values a person's row of a people sheet, never filled. The ID number
// is masked whatever the viewer's role.
func personValues(p *domain.PersonDay, values []any) (fill bool) {
	w := &p.Worker
	copy(values, []any{
		w.EnterpriseName, w.Name, w.IDNumber.Masked(), w.Phone, w.Department, originName(w.OriginRegion),
		w.ArrivedOn, w.IsolationUntil, xlstyle.RiskLabel[w.RiskLevel], w.Status.Label(),
		temperature(p.AM), temperature(p.PM), symptomText(p.AM, p.PM), slotText(p.MissedSlots), alertText(p.Alerts),
	})
	return false
}

// originName names where a worker returned from; a code no longer in use stays a code.
func originName(code string) string {
	if code == "" {
		return ""
	}
	if name, ok := region.Name(code); ok {
		return name
	}
	return code
}

// temperature is a check-in's reading in °C, red when it was a fever, or nothing without a
// check-in.
func temperature(c *domain.Checkin) any {
	if c == nil {
		return nil
	}
	if c.Fever {
		return alarming{c.Temperature.Celsius()}
	}
	return c.Temperature.Celsius()
}

// symptomLabels name the symptoms as the check-in form does. domain keeps its own copy
// unexported, for alert details; the two must say the same.
var symptomLabels = map[domain.Symptom]string{
	domain.SymptomFever: "发热", domain.SymptomDryCough: "干咳", domain.SymptomFatigue: "乏力",
	domain.SymptomSoreThroat: "咽痛", domain.SymptomShortnessOfBreath: "呼吸困难", domain.SymptomDiarrhea: "腹泻",
	domain.SymptomLossOfTasteSmell: "嗅觉味觉减退", domain.SymptomOther: "其他",
}

// symptomText lists the symptoms of the day's check-ins once each, in the form's order, with
// what "other" was.
func symptomText(cs ...*domain.Checkin) string {
	var parts []string
	for _, c := range cs {
		// A fever the latest reading no longer shows still counts (domain.Checkin.HadFever).
		if c != nil && c.HadFever && !c.Fever {
			parts = append(parts, slotLabels[c.Slot]+"曾报发热")
		}
	}
	for _, s := range domain.Symptoms {
		for _, c := range cs {
			if c == nil || !slices.Contains(c.Symptoms, s) {
				continue
			}
			label := symptomLabels[s]
			if s == domain.SymptomOther && c.SymptomNote != "" {
				label += "(" + c.SymptomNote + ")"
			}
			if !slices.Contains(parts, label) {
				parts = append(parts, label)
			}
		}
	}
	return strings.Join(parts, "、")
}

// slotLabels name the check-in slots.
var slotLabels = map[domain.Slot]string{domain.SlotAM: "上午", domain.SlotPM: "下午"}

// slotText lists missed slots: 上午、下午.
func slotText(ss []domain.Slot) string {
	if len(ss) == 1 {
		return slotLabels[ss[0]] // most missed lists: no joining
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = slotLabels[s]
	}
	return strings.Join(parts, "、")
}

// alertTypeLabels and alertStatusLabels name alerts as the alerts page does
// (frontend/src/locales/zh-CN.json), so the town finds in the web page what the report says.
var (
	alertTypeLabels = map[domain.AlertType]string{
		domain.AlertFever: "发热", domain.AlertSymptoms: "症状", domain.AlertMissedCheckin: "未打卡",
		domain.AlertIsolationEnding: "隔离期满", domain.AlertRepeatedFever: "连续发热",
		domain.AlertKeyAreaArrival: "重点地区返回", domain.AlertUnregisteredArrival: "未登记返岗",
		domain.AlertEarlyArrival: "提前返岗", domain.AlertUnapprovedWork: "未批先复", domain.AlertShiftOverCapacity: "班组超员",
		domain.AlertDiscrepancy: "抽查不符",
	}
	alertStatusLabels = map[domain.AlertStatus]string{
		domain.AlertOpen: "待处理", domain.AlertAcknowledged: "处理中", domain.AlertResolved: "已解决",
	}
)

// alertText lists a person's alerts of the day with where each stands: 发热·待处理、未打卡(下午)·处理中.
func alertText(as []domain.Alert) string {
	if len(as) == 1 {
		return alertLabel(as[0])
	}
	var b strings.Builder
	for i, a := range as {
		if i > 0 {
			b.WriteString("、")
		}
		b.WriteString(alertLabel(a))
	}
	return b.String()
}

// alertKey is what an alert's label says.
type alertKey struct {
	typ    domain.AlertType
	slot   domain.Slot
	status domain.AlertStatus
}

// alertLabels are the labels of every known alert, made once: a township's report labels a
// hundred thousand alerts.
var alertLabels = func() map[alertKey]string {
	m := map[alertKey]string{}
	for typ := range alertTypeLabels {
		for _, slot := range []domain.Slot{"", domain.SlotAM, domain.SlotPM} {
			for status := range alertStatusLabels {
				k := alertKey{typ, slot, status}
				m[k] = makeAlertLabel(k)
			}
		}
	}
	return m
}()

// alertLabel is an alert's label: 未打卡(下午)·处理中.
func alertLabel(a domain.Alert) string {
	k := alertKey{a.Type, a.Slot, a.Status}
	if l, ok := alertLabels[k]; ok {
		return l
	}
	return makeAlertLabel(k)
}

func makeAlertLabel(k alertKey) string {
	label := cmpOr(alertTypeLabels[k.typ], string(k.typ))
	if k.slot != "" {
		label += "(" + slotLabels[k.slot] + ")"
	}
	return label + "·" + cmpOr(alertStatusLabels[k.status], string(k.status))
}

// writeList writes a list sheet with the stream writer, which keeps a township's thousands of
// people out of memory: a header row frozen and filtered, then the rows, or one row saying 无
// when there are none, so that a blank sheet is not mistaken for a failed export.
func writeList[T any](f *excelize.File, st reportStyles, sheet string, cols []listColumn, items []T, row func(item *T, values []any) (fill bool)) error {
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	sw, err := startList(f, st, sheet, "", cols, max(len(items), 1))
	if err != nil {
		return err
	}
	if len(items) == 0 {
		if err := sw.SetRow("A2", []any{excelize.Cell{StyleID: st.cell(fieldText), Value: "无"}}); err != nil {
			return err
		}
	}
	line, values := newStreamLine(len(cols)), make([]any, len(cols))
	for n := range items {
		line.setAll(st, cols, values, row(&items[n], values))
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, line.values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// startList prepares a streamed list sheet and writes its top: a title in row 1 when title
// is not empty, then the header. It sets an autofilter over the header and dataRows rows below
// it (none when dataRows < 0, for a caller that knows its rows only at the end), the print
// setup, column widths and styles and the frozen header. The stream writer writes the sheet's
// properties and views as they stand when it starts and its columns before the first row, so
// all of this comes before any row.
func startList(f *excelize.File, st reportStyles, sheet, title string, cols []listColumn, dataRows int) (*excelize.StreamWriter, error) {
	headerRow := 1
	if title != "" {
		headerRow = 2
	}
	lastCol, _ := excelize.ColumnNumberToName(len(cols))
	if dataRows >= 0 {
		// AutoFilter replaces the sheet's properties, so it goes before printLayout sets
		// fit-to-page in them.
		ref := fmt.Sprintf("A%d:%s%d", headerRow, lastCol, headerRow+dataRows)
		if err := f.AutoFilter(sheet, ref, nil); err != nil {
			return nil, err
		}
	}
	if err := printLayout(f, sheet, headerRow); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		if err := xlstyle.SetColumn(sw, i+1, c.width, st.cell(c.kind)); err != nil {
			return nil, err
		}
		header[i] = excelize.Cell{StyleID: st.header, Value: c.header}
	}
	top, _ := excelize.CoordinatesToCellName(1, headerRow+1)
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if title != "" {
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: title + st.titleNote}}, excelize.RowOpts{Height: 30}); err != nil {
			return nil, err
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, headerRow)
	return sw, sw.SetRow(cell, header, excelize.RowOpts{Height: 30})
}

// paperA4 is A4 in the paper sizes of SpreadsheetML.
const paperA4 = 9

// printLayout sets a sheet up to print on A4 landscape, as wide as one page and as long as it
// takes, repeating the header row on every page (none when headerRow is 0). Excel honours
// fit-to-width only with the sheet's fit-to-page flag, and reads a missing fitToHeight as
// one page, which would shrink a long list to nothing, hence the explicit 0.
func printLayout(f *excelize.File, sheet string, headerRow int) error {
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	size, landscape, wide, tall := paperA4, "landscape", 1, 0
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: &size, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall,
	}); err != nil {
		return err
	}
	if headerRow == 0 {
		return nil
	}
	return f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sheet, headerRow, headerRow), Scope: sheet,
	})
}

// The 汇总 sheet's layout: the headline table in columns A and B from row 2, the two charts
// beside it from column D, one above the other, and the zone and trend tables below whichever
// ends lower, so that nothing overlaps.
const (
	chartColumn = "D"
	chartWidth  = 640
	chartHeight = 300
	chartGap    = 1 // rows between the two charts
	// rowPixels is a default row's height as excelize counts it when it anchors a chart to
	// cells (Excel draws it 20 pixels high, so the charts come out a little taller).
	rowPixels = 18
)

// summaryTable is a table of the 汇总 sheet and where its data ended up, for the charts.
type summaryTable struct {
	caption   string
	cols      []listColumn
	rows      [][]any
	first     int // the first data row, once written
	last      int // the last data row; below first when there are no rows
	emptyText string
}

// writeSummary writes the 汇总 sheet. It is a normal sheet, not a streamed one, because
// excelize can add charts only to those.
func writeSummary(f *excelize.File, st reportStyles, r domain.DailyReport) error {
	const sheet = summarySheet
	// No header row is repeated in print: the sheet holds three tables with headers of their
	// own, and fits on a page or two.
	if err := printLayout(f, sheet, 0); err != nil {
		return err
	}
	if err := setCell(f, sheet, 1, 1, r.Township.Name+"企业复工复产日报"+st.titleNote, st.title); err != nil {
		return err
	}
	if err := f.SetRowHeight(sheet, 1, 30); err != nil {
		return err
	}
	for col, width := range map[string]float64{"A": 24, "B": 12, "C": 11, "D": 11, "E": 11, "F": 11, "G": 11, "H": 11, "I": 11} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	headline := headlineTable(r)
	if err := writeSummaryTable(f, st, 2, &headline); err != nil {
		return err
	}
	chartRows := (chartHeight + rowPixels - 1) / rowPixels
	next := max(headline.last, 2+2*chartRows+chartGap) + 2
	zones, trend := zoneTable(r.Summary.Zones), trendTable(r.Trend)
	if err := writeSummaryTable(f, st, next, &zones); err != nil {
		return err
	}
	if err := writeSummaryTable(f, st, max(zones.last, zones.first)+2, &trend); err != nil {
		return err
	}
	if err := addZoneChart(f, zones, fmt.Sprintf("%s%d", chartColumn, 2)); err != nil {
		return err
	}
	if err := addTrendChart(f, trend, fmt.Sprintf("%s%d", chartColumn, 2+chartRows+chartGap)); err != nil {
		return err
	}
	// Only the title is frozen: the sheet holds three tables with headers of their own.
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// headlineTable is the two-column table of the day's headline numbers. Each row has its own
// kind, so the value column is written cell by cell (see writeSummaryTable). The enterprise
// statuses are labelled as 企业明细 labels them, so that counting a status there gives the
// number here.
func headlineTable(r domain.DailyReport) summaryTable {
	s, c := r.Summary, r.Summary.Enterprises
	t := summaryTable{
		cols: []listColumn{{"项目", 24, fieldText}, {"数值", 12, fieldInt}},
		rows: [][]any{
			{"日期", r.Date},
			{"企业总数", c.Total},
			{domain.StatusNotApplied.Label(), c.NotApplied},
			{domain.StatusApplied.Label(), c.Applied},
			{domain.StatusApproved.Label(), c.Approved},
			{domain.StatusReopened.Label(), c.Reopened},
			{domain.StatusSuspended.Label(), c.Suspended},
		},
	}
	for i, v := range figureValues(nil, s.Figures) {
		t.rows = append(t.rows, []any{domain.FigureDefs[i].Label, v})
	}
	return t
}

// zoneTable is the by-zone table, which the completion chart plots.
func zoneTable(zs []domain.ZoneFigures) summaryTable {
	t := summaryTable{
		caption: "各责任区打卡情况",
		cols: []listColumn{{"责任区", 0, fieldText}, {"企业数", 0, fieldInt}, {"已复工", 0, fieldInt}, {"应打卡", 0, fieldInt},
			{"上午已打卡", 0, fieldInt}, {"下午已打卡", 0, fieldInt}, {"完成率", 0, fieldPercent}},
		emptyText: "无",
	}
	for _, z := range zs {
		t.rows = append(t.rows, []any{zoneName(z.Zone), z.Enterprises.Total, z.Enterprises.Reopened, z.Due,
			z.CheckinsAM, z.CheckinsPM, figureCell(completionDef, z.Figures)})
	}
	return t
}

// trendTable is the table of the days up to the report's, which the trend chart plots.
func trendTable(ps []domain.TrendPoint) summaryTable {
	t := summaryTable{
		caption: fmt.Sprintf("近%d日趋势", len(ps)),
		cols: []listColumn{{"日期", 0, fieldDate}, {"已复工企业", 0, fieldInt}, {"已返岗", 0, fieldInt}, {"在岗", 0, fieldInt},
			{"上午已打卡", 0, fieldInt}, {"下午已打卡", 0, fieldInt}, {"完成率", 0, fieldPercent}, {"发热", 0, fieldInt},
			{"未处理预警", 0, fieldInt}},
		emptyText: "无",
	}
	for _, p := range ps {
		t.rows = append(t.rows, []any{p.Date, p.Reopened, p.Returned, p.OnDuty, p.CheckinsAM, p.CheckinsPM,
			figureCell(completionDef, p.Figures), p.Fever, p.AlertsOpen})
	}
	return t
}

// writeSummaryTable writes a table of 汇总 from row top: its caption, if any, its header and
// its rows, and records where the rows are. A value's own type decides its kind where the
// column's cannot (the headline table mixes a date, counts and a rate in one column).
func writeSummaryTable(f *excelize.File, st reportStyles, top int, t *summaryTable) error {
	row := top
	if t.caption != "" {
		if err := setCell(f, summarySheet, 1, row, t.caption, st.caption); err != nil {
			return err
		}
		row++
	}
	for i, c := range t.cols {
		if err := setCell(f, summarySheet, i+1, row, c.header, st.header); err != nil {
			return err
		}
	}
	t.first = row + 1
	t.last = row + len(t.rows)
	if len(t.rows) == 0 && t.emptyText != "" {
		return setCell(f, summarySheet, 1, row+1, t.emptyText, st.cell(fieldText))
	}
	for n, values := range t.rows {
		for i, v := range values {
			kind := t.cols[i].kind
			switch v.(type) {
			case domain.Date:
				kind = fieldDate
			case float64:
				kind = fieldPercent
			}
			if err := setCell(f, summarySheet, i+1, t.first+n, v, st.cell(kind)); err != nil {
				return err
			}
		}
	}
	return nil
}

// setCell writes one cell of a normal sheet with a style: text as text, whatever it looks
// like, and a date as a date.
func setCell(f *excelize.File, sheet string, col, row int, v any, style int) error {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		err = f.SetCellStr(sheet, cell, x)
	case domain.Date:
		if !x.IsZero() {
			err = f.SetCellValue(sheet, cell, x.Time())
		}
	case nil:
	default:
		err = f.SetCellValue(sheet, cell, x)
	}
	if err != nil {
		return err
	}
	return f.SetCellStyle(sheet, cell, cell, style)
}

// columnRange is the absolute reference of a column of a table's data, for a chart series.
func columnRange(t summaryTable, col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", summarySheet, name, t.first, name, t.last)
}

// addZoneChart adds the column chart of completion by zone at cell. A township without
// enterprises has no zones to plot, and a chart of nothing would only confuse.
func addZoneChart(f *excelize.File, zones summaryTable, cell string) error {
	if len(zones.rows) == 0 {
		return nil
	}
	one, zero, noVary := 1.0, 0.0, false // one colour: the bars are one measure, not parts of a whole
	return f.AddChart(summarySheet, cell, &excelize.Chart{
		Type:       excelize.Col,
		VaryColors: &noVary,
		Dimension:  excelize.ChartDimension{Width: chartWidth, Height: chartHeight},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "各责任区打卡完成率"}}},
		Legend:     excelize.ChartLegend{Position: "none"},
		Series: []excelize.ChartSeries{{
			Name: headerRef(zones, 7), Categories: columnRange(zones, 1), Values: columnRange(zones, 7),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"5B9BD5"}},
		}},
		PlotArea: excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
		YAxis: excelize.ChartAxis{Minimum: &zero, Maximum: &one, MajorGridLines: true,
			NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
	})
}

// addTrendChart adds the line chart of the last days at cell: the returned, on-duty and
// checked-in counts on the left axis, and fevers and open alerts, a handful against
// hundreds, on a right axis of their own so that a rise in them shows.
func addTrendChart(f *excelize.File, trend summaryTable, cell string) error {
	if len(trend.rows) == 0 {
		return nil
	}
	series := func(cols ...int) []excelize.ChartSeries {
		var out []excelize.ChartSeries
		for _, c := range cols {
			out = append(out, excelize.ChartSeries{
				Name:       headerRef(trend, c),
				Categories: columnRange(trend, 1), Values: columnRange(trend, c),
				Marker: excelize.ChartMarker{Symbol: "circle", Size: 5},
			})
		}
		return out
	}
	people := excelize.Chart{
		Type:      excelize.Line,
		Dimension: excelize.ChartDimension{Width: chartWidth, Height: chartHeight},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: trend.caption}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Series:    series(3, 4, 5, 6), // 已返岗, 在岗, 上午已打卡, 下午已打卡
		XAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "m-d"}},
		YAxis: excelize.ChartAxis{MajorGridLines: true,
			Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "人数"}}}},
	}
	alarms := excelize.Chart{
		Type:   excelize.Line,
		Series: series(8, 9), // 发热, 未处理预警
		YAxis: excelize.ChartAxis{Secondary: true,
			Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "发热/未处理预警"}}}},
	}
	return f.AddChart(summarySheet, cell, &people, &alarms)
}

// headerRef is the reference of a table's header cell: excelize writes a series name as a
// reference, never as literal text, so the name comes from the header.
func headerRef(t summaryTable, col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return fmt.Sprintf("'%s'!$%s$%d", summarySheet, name, t.first-1)
}

package daily

import (
	"maps"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
)

// spotSheet holds the day's spot checks at the gate, their figures by enterprise and the
// day's passes by enterprise (FIGURES.md, 复工码与抽查核验).
const spotSheet = "抽查核验"

// spotColumns are the columns of 抽查核验's list of checks. The blocks below it (figures and
// passes by enterprise) reuse them: enterprise and zone, then their numbers.
var spotColumns = []listColumn{
	{"企业", 26, fieldText}, {"责任区", 14, fieldText}, {"职工", 9, fieldText}, {"时段", 8, fieldText},
	{"时间", 8, fieldText}, {"核验人", 10, fieldText}, {"现场体温", 9, fieldDecimal}, {"在场", 9, fieldText},
	{"复工码", 8, fieldText}, {"自报体温", 9, fieldDecimal}, {"自报地点", 10, fieldText}, {"不符情况", 44, fieldText},
}

// Captions of 抽查核验's blocks below the checks.
const (
	spotFiguresCaption = "各企业抽查核验"
	passCountsCaption  = "各企业复工码"
)

// locationLabels name where a self-report was made, as the check-in page does.
var locationLabels = map[domain.Location]string{domain.AtWork: "在岗", domain.AtHome: "在家", domain.AtIsolation: "隔离点"}

// writeSpotSheet writes 抽查核验: one row per spot check of the day (the worker's name masked
// as the gate shows it; a row that found a discrepancy filled light red), then a blank row and
// the spot-check figures of every enterprise and the township (domain.SpotFigureDefs), then the
// day's passes of every enterprise with workers and the township (domain.PassCountDefs). The
// header and filter are the checks'; each block has a caption and a header of its own.
func writeSpotSheet(f *excelize.File, st reportStyles, r domain.DailyReport) error {
	if _, err := f.NewSheet(spotSheet); err != nil {
		return err
	}
	sw, err := startList(f, st, spotSheet, "", spotColumns, max(len(r.SpotChecks), 1))
	if err != nil {
		return err
	}
	// A plain count's style is excelize's default (0), under which a cell takes its column's
	// style: the blocks' counts stand under the checks' temperature columns, so they get a
	// whole-number format of their own rather than one decimal.
	count, err := f.NewStyle(&excelize.Style{NumFmt: 1})
	if err != nil {
		return err
	}
	st.cells = maps.Clone(st.cells)
	st.cells[cellStyleKey{kind: fieldInt}] = count
	row := 2
	put := func(kinds []fieldKind, values []any, fill bool) error {
		line := newStreamLine(len(values))
		for i, v := range values {
			line.set(st, i, kinds[i], v, fill)
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, line.values)
	}
	styled := func(style int, values ...any) error {
		cells := make([]any, len(values))
		for i, v := range values {
			cells[i] = excelize.Cell{StyleID: style, Value: v}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	}
	kinds := make([]fieldKind, len(spotColumns))
	for i, c := range spotColumns {
		kinds[i] = c.kind
	}
	if len(r.SpotChecks) == 0 {
		if err := styled(st.cell(fieldText), "无"); err != nil {
			return err
		}
	}
	loc := r.Township.DayEnd(r.Date).Location()
	for _, c := range r.SpotChecks {
		if err := put(kinds, spotCheckValues(c, loc), c.Discrepancy != ""); err != nil {
			return err
		}
	}

	// The figures of every enterprise, then the township's.
	row++
	if err := styled(st.caption, spotFiguresCaption); err != nil {
		return err
	}
	header := []any{"企业", "责任区"}
	blockKinds := []fieldKind{fieldText, fieldText}
	for _, d := range domain.SpotFigureDefs {
		header = append(header, d.Label)
		blockKinds = append(blockKinds, map[domain.FigureKind]fieldKind{domain.FigureCount: fieldInt, domain.FigureShare: fieldPercent}[d.Kind])
	}
	if err := styled(st.header, header...); err != nil {
		return err
	}
	spotLine := func(name, zone string, fig domain.SpotFigures) []any {
		values := []any{name, zone}
		for _, d := range domain.SpotFigureDefs {
			values = append(values, d.Value(fig))
		}
		return values
	}
	for _, e := range r.Spot.ByEnterprise {
		if err := put(blockKinds, spotLine(e.EnterpriseName, zoneName(e.Zone), e.SpotFigures), e.Discrepancies > 0); err != nil {
			return err
		}
	}
	if err := put(blockKinds, spotLine(returnTotalLabel, "", r.Spot.Total), false); err != nil {
		return err
	}

	// The passes of every enterprise with workers, then the township's.
	row++
	if err := styled(st.caption, passCountsCaption); err != nil {
		return err
	}
	header, blockKinds = []any{"企业", "责任区"}, []fieldKind{fieldText, fieldText}
	for _, d := range domain.PassCountDefs {
		header = append(header, d.Label)
		blockKinds = append(blockKinds, fieldInt)
	}
	if err := styled(st.header, header...); err != nil {
		return err
	}
	passLine := func(name, zone string, p domain.PassCounts) []any {
		values := []any{name, zone}
		for _, d := range domain.PassCountDefs {
			values = append(values, d.Value(p))
		}
		return values
	}
	for _, e := range r.Passes.ByEnterprise {
		if err := put(blockKinds, passLine(e.EnterpriseName, zoneName(e.Zone), e.PassCounts), false); err != nil {
			return err
		}
	}
	if err := put(blockKinds, passLine(returnTotalLabel, "", r.Passes.Total), false); err != nil {
		return err
	}
	return sw.Flush()
}

// spotCheckValues is a check's row of 抽查核验: the worker's name masked (domain.MaskName), the
// time in the township's zone, a measured fever in red, the self-report of the slot as it
// stood when checked (blank for none).
func spotCheckValues(c domain.SpotCheck, loc *time.Location) []any {
	var measured any
	switch {
	case c.Present && c.Fever:
		measured = alarming{c.Temperature.Celsius()}
	case c.Present:
		measured = c.Temperature.Celsius()
	}
	present := "是"
	if !c.Present {
		present = "否(未见本人)"
	}
	var selfTemp any
	selfAt := ""
	if c.SelfReport != nil {
		selfTemp = temperature(c.SelfReport)
		selfAt = locationLabels[c.SelfReport.Location]
	}
	return []any{c.EnterpriseName, zoneName(c.Zone), domain.MaskName(c.WorkerName), slotLabels[c.Slot],
		c.CheckedAt.In(loc).Format("15:04"), c.CheckerName, measured, present, c.Color.Label(),
		selfTemp, selfAt, c.Discrepancy}
}

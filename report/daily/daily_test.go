package daily

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/domain/region"
	"fugong/report/internal/xlstyle"
	"fugong/report/xlsxtest"
)

// dailyDay is the day of the test's daily report.
var dailyDay = domain.NewDate(2026, 2, 17)

// dailyIDs are the whole ID numbers of the people in dailyReport, which the workbook must
// never contain.
var dailyIDs = []domain.IDNumber{validID("37168119900101123"), validID("37168119920315002")}

// validID makes a valid ID number from its first 17 digits.
func validID(first17 string) domain.IDNumber {
	return domain.IDNumber(first17 + string(domain.IDCheckChar(first17)))
}

// dailyReport builds a township's day by hand: three enterprises in two zones and one without
// a zone (one abnormal, one without a plan), people on three of the four lists and 14 days of
// trend.
func dailyReport() domain.DailyReport {
	tw := domain.Township{ID: 1, Name: "长山镇", Timezone: "Asia/Shanghai"}
	ents := []domain.ReportEnterprise{{
		EnterpriseDay: domain.EnterpriseDay{
			Enterprise: domain.Enterprise{ID: 1, Name: "鲁丰纺织有限公司", CreditCode: "913716260000000012", Zone: "一区",
				Industry: "纺织服装", ContactName: "赵经理", ContactPhone: "13800000001", Status: domain.StatusReopened,
				ReopenedOn: domain.NewDate(2026, 2, 10), Supervisors: []domain.UserRef{{Name: "王监督"}, {Username: "li"}}},
			Figures: domain.Figures{Roster: 120, Returned: 100, OnDuty: 90, Isolating: 10, KeyArea: 5, Due: 100,
				CheckinsAM: 95, CheckinsPM: 80},
		},
		Supplies: domain.SupplyDays{Masks: 5, DisinfectantLiters: 2.96, Gloves: 10}, HasPlan: true,
	}, {
		EnterpriseDay: domain.EnterpriseDay{
			Enterprise: domain.Enterprise{ID: 2, Name: "华兴机械厂", CreditCode: "91371626MA3C00001X", Zone: "二区",
				Industry: "机械制造", Status: domain.StatusApproved},
			Figures: domain.Figures{Roster: 40, Returned: 30, OnDuty: 28, Isolating: 2, KeyArea: 2, Due: 30,
				CheckinsAM: 30, CheckinsPM: 29, Fever: 1, Symptomatic: 1, Alerts: 3, AlertsOpen: 2},
		},
		Supplies: domain.SupplyDays{Masks: 7.5, DisinfectantLiters: 4, Gloves: 15}, HasPlan: true,
	}, {
		EnterpriseDay: domain.EnterpriseDay{
			Enterprise: domain.Enterprise{ID: 3, Name: "东方食品厂", CreditCode: "913716260000000099",
				Industry: "食品加工", Status: domain.StatusNotApplied},
			Figures: domain.Figures{Roster: 12},
		},
	}}
	var sum domain.Summary
	sum.Date = dailyDay
	zones := map[string]*domain.ZoneFigures{}
	var order []string
	for _, e := range ents {
		sum.Figures.Add(e.Figures)
		z := zones[e.Enterprise.Zone]
		if z == nil {
			z = &domain.ZoneFigures{Zone: e.Enterprise.Zone}
			zones[e.Enterprise.Zone] = z
			order = append(order, e.Enterprise.Zone)
		}
		z.Figures.Add(e.Figures)
		for _, c := range []*domain.EnterpriseCounts{&sum.Enterprises, &z.Enterprises} {
			c.Total++
			switch e.Enterprise.Status {
			case domain.StatusNotApplied:
				c.NotApplied++
			case domain.StatusApproved:
				c.Approved++
			case domain.StatusReopened:
				c.Reopened++
			}
		}
	}
	for _, name := range order {
		sum.Zones = append(sum.Zones, *zones[name])
	}
	var trend []domain.TrendPoint
	for i := range 14 {
		trend = append(trend, domain.TrendPoint{Date: dailyDay.AddDays(i - 13), Reopened: i / 7,
			Figures: domain.Figures{Returned: 10 * i, OnDuty: 9 * i, Due: 9 * i, CheckinsAM: 8 * i, CheckinsPM: 7 * i,
				Fever: i % 3, AlertsOpen: i % 2}})
	}
	trend[13].Figures = sum.Figures

	zhang := domain.Worker{ID: 11, EnterpriseID: 2, EnterpriseName: "华兴机械厂", Name: "张三", IDNumber: dailyIDs[0],
		Phone: "13900000011", Department: "装配车间", OriginRegion: "420100", ArrivedOn: domain.NewDate(2026, 2, 12),
		RiskLevel: domain.RiskHigh, Status: domain.WorkerIsolating, IsolationStart: domain.NewDate(2026, 2, 12),
		IsolationUntil: domain.NewDate(2026, 2, 26)}
	li := domain.Worker{ID: 12, EnterpriseID: 1, EnterpriseName: "鲁丰纺织有限公司", Name: "李四", IDNumber: dailyIDs[1],
		Phone: "13900000012", OriginRegion: "371626", ArrivedOn: domain.NewDate(2026, 2, 8), RiskLevel: domain.RiskLow,
		Status: domain.WorkerOnDuty}
	fever := domain.PersonDay{Worker: zhang,
		AM: &domain.Checkin{Temperature: 382, Fever: true, Symptoms: []domain.Symptom{domain.SymptomFever, domain.SymptomDryCough}},
		PM: &domain.Checkin{Temperature: 369, Symptoms: []domain.Symptom{domain.SymptomDryCough, domain.SymptomOther}, SymptomNote: "头痛"},
		Alerts: []domain.Alert{{Type: domain.AlertFever, Status: domain.AlertOpen},
			{Type: domain.AlertSymptoms, Status: domain.AlertResolved}}}
	missed := domain.PersonDay{Worker: li, MissedSlots: []domain.Slot{domain.SlotAM, domain.SlotPM},
		Alerts: []domain.Alert{{Type: domain.AlertMissedCheckin, Slot: domain.SlotPM, Status: domain.AlertAcknowledged}}}
	r := domain.DailyReport{
		Township: tw, Date: dailyDay, Summary: sum, Trend: trend, Enterprises: ents,
		Abnormal: []domain.PersonDay{fever}, Missed: []domain.PersonDay{missed}, KeyArea: []domain.PersonDay{fever},
	}
	for i, f := range []domain.ReturnFigures{
		{Planned: 20, PlannedToDate: 110, Arrived: 18, ArrivedToDate: 100, Early: 3, NoShow: 12},
		{PlannedToDate: 30, ArrivedToDate: 30},
		{},
	} {
		r.Returns = append(r.Returns, domain.EnterpriseReturn{Enterprise: ents[i].Enterprise, ReturnFigures: f})
		r.ReturnTotal.Add(f)
	}
	spotChecks(&r)
	return r
}

// spotChecks gives the report's day three spot checks (FIGURES.md, 复工码与抽查核验): one that
// held at 鲁丰纺织, and at 华兴机械厂 a fever measured against a normal self-report and a person
// who reported at work and was not there; their figures by enterprise, and the day's passes.
func spotChecks(r *domain.DailyReport) {
	at := func(hour, minute int) time.Time {
		return time.Date(2026, 2, 17, hour, minute, 0, 0, time.FixedZone("CST", 8*3600))
	}
	self := func(temp domain.Temperature) *domain.Checkin {
		return &domain.Checkin{Slot: domain.SlotAM, Temperature: temp, Location: domain.AtWork}
	}
	r.SpotChecks = []domain.SpotCheck{
		{ID: 1, EnterpriseID: 1, EnterpriseName: "鲁丰纺织有限公司", Zone: "一区", WorkerID: 12, WorkerName: "李四",
			Date: dailyDay, Slot: domain.SlotAM, CheckedAt: at(8, 12), CheckerName: "王监督", Present: true, Temperature: 365,
			Color: domain.PassGreen, SelfReport: self(364)},
		{ID: 2, EnterpriseID: 2, EnterpriseName: "华兴机械厂", Zone: "二区", WorkerID: 21, WorkerName: "欧阳娜娜",
			Date: dailyDay, Slot: domain.SlotAM, CheckedAt: at(8, 30), CheckerName: "刘师傅", Present: true, Temperature: 380,
			Fever: true, Color: domain.PassGreen, SelfReport: self(365), Discrepancy: "现场测得 38.0 °C,自报 36.5 °C(上午)", AlertID: 7},
		{ID: 3, EnterpriseID: 2, EnterpriseName: "华兴机械厂", Zone: "二区", WorkerID: 22, WorkerName: "王五",
			Date: dailyDay, Slot: domain.SlotAM, CheckedAt: at(9, 5), CheckerName: "刘师傅", Color: domain.PassGreen,
			SelfReport: self(366), Discrepancy: "自报在岗(上午 36.6 °C),现场未见本人", AlertID: 8},
	}
	r.Spot = domain.SpotFiguresView{Date: dailyDay, ByEnterprise: []domain.SpotEnterpriseRow{
		{EnterpriseID: 1, EnterpriseName: "鲁丰纺织有限公司", Zone: "一区", SpotFigures: domain.SpotFigures{Checks: 1, Checked: 1, OnDuty: 90}},
		{EnterpriseID: 2, EnterpriseName: "华兴机械厂", Zone: "二区", SpotFigures: domain.SpotFigures{Checks: 2, Checked: 2, OnDuty: 28, Discrepancies: 2}},
		{EnterpriseID: 3, EnterpriseName: "东方食品厂"},
	}}
	for _, e := range r.Spot.ByEnterprise {
		r.Spot.Total.Add(e.SpotFigures)
	}
	r.Passes = domain.PassCountsView{Date: dailyDay, ByEnterprise: []domain.PassCountRow{
		{EnterpriseID: 1, EnterpriseName: "鲁丰纺织有限公司", Zone: "一区", PassCounts: domain.PassCounts{Green: 100, Yellow: 15, Red: 5}},
		{EnterpriseID: 2, EnterpriseName: "华兴机械厂", Zone: "二区", PassCounts: domain.PassCounts{Green: 30, Yellow: 8, Red: 2}},
	}}
	r.Passes.Total = domain.PassCounts{Green: 130, Yellow: 23, Red: 7}
}

// writeDaily writes the report and returns the workbook's bytes.
func writeDaily(t *testing.T, r domain.DailyReport) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// allRows reads a small sheet whole.
func allRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	return rows
}

// rowStarting is the 1-based number of the first row whose first cell is s, at or below row
// from.
func rowStarting(t *testing.T, rows [][]string, from int, s string) int {
	t.Helper()
	for i := from - 1; i < len(rows); i++ {
		if len(rows[i]) > 0 && rows[i][0] == s {
			return i + 1
		}
	}
	t.Fatalf("no row starts with %q", s)
	return 0
}

// cellAt is cell (col, row) of rows read with GetRows, 1-based, "" when absent.
func cellAt(rows [][]string, col, row int) string {
	if row-1 >= len(rows) || col-1 >= len(rows[row-1]) {
		return ""
	}
	return rows[row-1][col-1]
}

// headerCol is the letter of the column with a header in a header row.
func headerCol(t *testing.T, header []string, name string) string {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %s in %v", name, header)
	}
	n, _ := excelize.ColumnNumberToName(i + 1)
	return n
}

// percent is a rate as the 0.0% format shows it.
func percent(r float64, ok bool) string {
	if !ok {
		return domain.NoValue
	}
	return strconv.FormatFloat(r*100, 'f', 1, 64) + "%"
}

func TestWriteDaily(t *testing.T) {
	r := dailyReport()
	data := writeDaily(t, r)
	f := xlsxtest.Reopen(t, data)
	listSheets := []string{enterpriseSheet, returnSheet, abnormalSheet, missedSheet, keyAreaSheet, isolatingSheet, unregisteredSheet}

	t.Run("Sheets", func(t *testing.T) {
		want := []string{"汇总", "企业明细", "错峰返岗", "抽查核验", "异常人员", "未打卡", "重点地区返岗", "隔离观察", "未登记返岗"}
		if got := f.GetSheetList(); !slices.Equal(got, want) {
			t.Fatalf("got sheets %v, want %v", got, want)
		}
		if got := f.GetActiveSheetIndex(); got != 0 {
			t.Errorf("got active sheet %d, want 0 (汇总)", got)
		}
	})

	t.Run("Returns", func(t *testing.T) {
		rows := allRows(t, f, returnSheet)
		want := [][]string{
			{"企业名称", "统一社会信用代码", "责任区", "复工状态", "计划返岗", "计划累计", "实际返岗", "实际累计", "提前返岗", "逾期未返", "累计较计划"},
			{"鲁丰纺织有限公司", "913716260000000012", "一区", "已复工", "20", "110", "18", "100", "3", "12", "-10"},
			{"华兴机械厂", "91371626MA3C00001X", "二区", "已批准", "0", "30", "0", "30", "0", "0", "0"},
			{"东方食品厂", "913716260000000099", "未划分责任区", "未申请", "0", "0", "0", "0", "0", "0", "0"},
			{"全镇合计", "", "", "", "20", "140", "18", "130", "3", "12", "-10"},
		}
		if len(rows) != len(want) {
			t.Fatalf("got %d rows %v, want %d", len(rows), rows, len(want))
		}
		for i := range want {
			if !slices.Equal(padRow(rows[i], len(want[0])), want[i]) {
				t.Errorf("row %d: got %v, want %v", i+1, rows[i], want[i])
			}
		}
		raw, _ := f.GetCellValue(returnSheet, "K2", excelize.Options{RawCellValue: true})
		if raw != "-10" {
			t.Errorf("累计较计划: got raw %q, want the number -10", raw)
		}
		if !filled(t, f, returnSheet, "A2") || filled(t, f, returnSheet, "A3") || filled(t, f, returnSheet, "A5") {
			t.Errorf("fills: want 鲁丰纺织 (no-shows, early) light red, 华兴机械厂 (on plan) and the total not")
		}
	})

	t.Run("SpotChecks", func(t *testing.T) {
		rows := allRows(t, f, spotSheet)
		want := [][]string{
			{"企业", "责任区", "职工", "时段", "时间", "核验人", "现场体温", "在场", "复工码", "自报体温", "自报地点", "不符情况"},
			{"鲁丰纺织有限公司", "一区", "李*", "上午", "08:12", "王监督", "36.5", "是", "绿码", "36.4", "在岗", ""},
			{"华兴机械厂", "二区", "欧***", "上午", "08:30", "刘师傅", "38.0", "是", "绿码", "36.5", "在岗", "现场测得 38.0 °C,自报 36.5 °C(上午)"},
			{"华兴机械厂", "二区", "王*", "上午", "09:05", "刘师傅", "", "否(未见本人)", "绿码", "36.6", "在岗", "自报在岗(上午 36.6 °C),现场未见本人"},
			{},
			{"各企业抽查核验"},
			{"企业", "责任区", "抽查人次", "抽查人数", "在岗人数", "覆盖率", "不符次数", "不符率"},
			{"鲁丰纺织有限公司", "一区", "1", "1", "90", "1.1%", "0", "0.0%"},
			{"华兴机械厂", "二区", "2", "2", "28", "7.1%", "2", "100.0%"},
			{"东方食品厂", "未划分责任区", "0", "0", "0", "0.0%", "0", "0.0%"},
			{"全镇合计", "", "3", "3", "118", "2.5%", "2", "66.7%"},
			{},
			{"各企业复工码"},
			{"企业", "责任区", "绿码", "黄码", "红码"},
			{"鲁丰纺织有限公司", "一区", "100", "15", "5"},
			{"华兴机械厂", "二区", "30", "8", "2"},
			{"全镇合计", "", "130", "23", "7"},
		}
		if len(rows) != len(want) {
			t.Fatalf("got %d rows %v, want %d", len(rows), rows, len(want))
		}
		for i := range want {
			if got := padRow(rows[i], len(want[i])); !slices.Equal(got, want[i]) {
				t.Errorf("row %d: got %v, want %v", i+1, rows[i], want[i])
			}
		}
		// The names are masked: the whole ones are nowhere on the sheet.
		for _, r := range rows {
			for _, c := range r {
				if strings.Contains(c, "李四") || strings.Contains(c, "欧阳") || strings.Contains(c, "王五") {
					t.Errorf("got %q, want every worker's name masked", c)
				}
			}
		}
		// Numbers are numbers: a temperature one decimal, a rate a fraction shown as 0.0%.
		for cell, want := range map[string]float64{"G3": 38, "J2": 36.4, "F8": 1.0 / 90, "H11": 2.0 / 3, "C16": 30} {
			raw, _ := f.GetCellValue(spotSheet, cell, excelize.Options{RawCellValue: true})
			if got, err := strconv.ParseFloat(raw, 64); err != nil || math.Abs(got-want) > 1e-12 {
				t.Errorf("%s: got raw %q, want the number %v", cell, raw, want)
			}
		}
		for cell, format := range map[string]string{"G2": decimalFormat, "F8": percentFormat, "H11": percentFormat} {
			if s := xlsxtest.Style(t, f, spotSheet, cell); s.CustomNumFmt == nil || *s.CustomNumFmt != format {
				t.Errorf("%s: got format %v, want %s", cell, deref(s.CustomNumFmt), format)
			}
		}
		if s := xlsxtest.Style(t, f, spotSheet, "G3"); s.Font == nil || !s.Font.Bold || s.Font.Color != xlstyle.ErrorText {
			t.Errorf("G3: the measured fever is not in red bold")
		}
		if filled(t, f, spotSheet, "A2") || !filled(t, f, spotSheet, "A3") || !filled(t, f, spotSheet, "L4") ||
			filled(t, f, spotSheet, "A8") || !filled(t, f, spotSheet, "A9") || filled(t, f, spotSheet, "A11") {
			t.Errorf("fills: want the checks and the enterprise that found a discrepancy light red, the others and the total not")
		}
		if s := xlsxtest.Style(t, f, spotSheet, "A6"); s.Font == nil || !s.Font.Bold {
			t.Errorf("A6: the block's caption is not bold")
		}
	})

	t.Run("Headline", func(t *testing.T) {
		rows := allRows(t, f, summarySheet)
		if got := cellAt(rows, 1, 1); got != "长山镇企业复工复产日报" {
			t.Errorf("title: got %q", got)
		}
		if got := rows[1]; !slices.Equal(got, []string{"项目", "数值"}) {
			t.Errorf("header: got %v, want 项目 数值", got)
		}
		s := r.Summary
		want := []struct {
			label, value string
		}{
			{"日期", "2026-02-17"}, {"企业总数", "3"}, {"未申请", "1"}, {"已申请", "0"}, {"已批准", "1"},
			{"已复工", "1"}, {"已停工", "0"},
			{"花名册人数", "172"}, {"已返岗", "130"}, {"在岗", "118"}, {"隔离观察", "12"}, {"重点地区返回", "7"},
			{"应打卡", "130"}, {"上午已打卡", "125"}, {"下午已打卡", "109"}, {"上午未打卡", "5"}, {"下午未打卡", "21"},
			{"迟报", "0"}, {"完成率", percent(s.Completion())}, {"发热", "1"}, {"有症状", "1"}, {"未登记返岗", "0"},
			{"新增预警", "3"}, {"未处理预警", "2"},
		}
		for i, w := range want {
			row := i + 3
			if got := cellAt(rows, 1, row); got != w.label {
				t.Errorf("A%d: got %q, want %q", row, got, w.label)
			}
			if got := cellAt(rows, 2, row); got != w.value {
				t.Errorf("%s: got %q, want %q", w.label, got, w.value)
			}
		}
		// The numbers are the summary's, as numbers: cross-check a few raw values.
		for label, n := range map[string]int{"花名册人数": s.Roster, "应打卡": s.Due, "上午未打卡": s.MissingAM(), "未处理预警": s.AlertsOpen} {
			cell := fmt.Sprintf("B%d", rowStarting(t, rows, 3, label))
			raw, _ := f.GetCellValue(summarySheet, cell, excelize.Options{RawCellValue: true})
			if typ, _ := f.GetCellType(summarySheet, cell); raw != strconv.Itoa(n) || typ != excelize.CellTypeUnset {
				t.Errorf("%s: got raw %q (type %v), want the number %d", label, raw, typ, n)
			}
		}
		rate := fmt.Sprintf("B%d", rowStarting(t, rows, 3, "完成率"))
		raw, _ := f.GetCellValue(summarySheet, rate, excelize.Options{RawCellValue: true})
		share, _ := s.Completion()
		if got, err := strconv.ParseFloat(raw, 64); err != nil || got != share {
			t.Errorf("完成率: got raw %q, want %v", raw, share)
		}
		wantDateCell(t, f, summarySheet, "B3", dailyDay)
	})

	t.Run("SummaryTables", func(t *testing.T) {
		rows := allRows(t, f, summarySheet)
		z := rowStarting(t, rows, 1, "各责任区打卡情况")
		if got, want := rows[z], []string{"责任区", "企业数", "已复工", "应打卡", "上午已打卡", "下午已打卡", "完成率"}; !slices.Equal(got, want) {
			t.Errorf("zone header: got %v, want %v", got, want)
		}
		wantZones := [][]string{
			{"一区", "1", "1", "100", "95", "80", percent(0.875, true)},
			{"二区", "1", "0", "30", "30", "29", percent(59.0/60, true)},
			{"未划分责任区", "1", "0", "0", "0", "0", domain.NoValue}, // nobody due: no completion
		}
		for i, want := range wantZones {
			if got := rows[z+1+i]; !slices.Equal(got, want) {
				t.Errorf("zone row %d: got %v, want %v", i+1, got, want)
			}
		}
		tr := rowStarting(t, rows, z, "近14日趋势")
		if got, want := rows[tr], []string{"日期", "已复工企业", "已返岗", "在岗", "上午已打卡", "下午已打卡", "完成率", "发热", "未处理预警"}; !slices.Equal(got, want) {
			t.Errorf("trend header: got %v, want %v", got, want)
		}
		if got := cellAt(rows, 1, tr+2); got != "2026-02-04" {
			t.Errorf("first trend day: got %q, want 2026-02-04", got)
		}
		if got := cellAt(rows, 1, tr+15); got != "2026-02-17" {
			t.Errorf("last trend day: got %q, want 2026-02-17", got)
		}
		if got := cellAt(rows, 3, tr+15); got != "130" {
			t.Errorf("last trend 已返岗: got %q, want 130", got)
		}
		cell, _ := excelize.CoordinatesToCellName(1, tr+2)
		wantDateCell(t, f, summarySheet, cell, dailyDay.AddDays(-13))
	})

	t.Run("Charts", func(t *testing.T) {
		rows := allRows(t, f, summarySheet)
		z := rowStarting(t, rows, 1, "各责任区打卡情况") + 2
		tr := rowStarting(t, rows, z, "近14日趋势") + 2
		rels := xlsxtest.PartText(t, data, "xl/worksheets/_rels/sheet1.xml.rels")
		if !strings.Contains(rels, "../drawings/drawing1.xml") {
			t.Fatalf("汇总 has no drawing: %s", rels)
		}
		drawing := xlsxtest.PartText(t, data, "xl/drawings/_rels/drawing1.xml.rels")
		for _, c := range []string{"../charts/chart1.xml", "../charts/chart2.xml"} {
			if !strings.Contains(drawing, c) {
				t.Errorf("the drawing of 汇总 has no %s", c)
			}
		}
		unquote := strings.NewReplacer("&#39;", "'").Replace
		bar := unquote(xlsxtest.PartText(t, data, "xl/charts/chart1.xml"))
		for _, want := range []string{
			"<barChart>", `<barDir val="col">`, `<varyColors val="0">`, "各责任区打卡完成率",
			fmt.Sprintf("'汇总'!$A$%d:$A$%d", z, z+2), fmt.Sprintf("'汇总'!$G$%d:$G$%d", z, z+2),
		} {
			if !strings.Contains(bar, want) {
				t.Errorf("chart1: no %s", want)
			}
		}
		line := unquote(xlsxtest.PartText(t, data, "xl/charts/chart2.xml"))
		for _, want := range []string{
			"<lineChart>", "近14日趋势", fmt.Sprintf("'汇总'!$A$%d:$A$%d", tr, tr+13),
			fmt.Sprintf("'汇总'!$C$%d:$C$%d", tr, tr+13), fmt.Sprintf("'汇总'!$E$%d:$E$%d", tr, tr+13),
			fmt.Sprintf("'汇总'!$H$%d:$H$%d", tr, tr+13), fmt.Sprintf("'汇总'!$C$%d", tr-1),
		} {
			if !strings.Contains(line, want) {
				t.Errorf("chart2: no %s", want)
			}
		}
		if n := strings.Count(line, "<valAx>"); n != 2 || !strings.Contains(line, `<crosses val="max">`) {
			t.Errorf("chart2: got %d value axes, want 2 (fevers on their own)", n)
		}
		// The charts sit beside the headline table, one above the other, and above the
		// other tables.
		anchors := regexp.MustCompile(`<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>`+
			`<xdr:rowOff>\d+</xdr:rowOff></xdr:from><xdr:to><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>`).
			FindAllStringSubmatch(xlsxtest.PartText(t, data, "xl/drawings/drawing1.xml"), -1)
		if len(anchors) != 2 {
			t.Fatalf("got %d chart anchors, want 2", len(anchors))
		}
		var spans [][3]int // column, first and last row, 1-based
		for _, a := range anchors {
			col, _ := strconv.Atoi(a[1])
			from, _ := strconv.Atoi(a[2])
			to, _ := strconv.Atoi(a[3])
			spans = append(spans, [3]int{col + 1, from + 1, to + 1})
		}
		if spans[0][0] < 4 || spans[1][0] < 4 || spans[0][1] < 2 {
			t.Errorf("charts at %v overlap the headline table (A:B from row 2)", spans)
		}
		if spans[0][2] >= spans[1][1] {
			t.Errorf("charts at %v overlap each other", spans)
		}
		if caption := z - 2; spans[1][2] >= caption {
			t.Errorf("chart at %v overlaps the zone table from row %d", spans[1], caption)
		}
	})

	t.Run("Enterprises", func(t *testing.T) {
		rows := allRows(t, f, enterpriseSheet)
		header := []string{"企业名称", "统一社会信用代码", "责任区", "行业", "联系人", "联系电话", "复工状态", "复工日期",
			"驻厂监督员", "花名册人数", "已返岗", "在岗", "隔离观察", "重点地区返回", "应打卡", "上午已打卡", "下午已打卡",
			"上午未打卡", "下午未打卡", "迟报", "完成率", "发热", "有症状", "未登记返岗", "新增预警", "未处理预警",
			"口罩可用天数", "手套可用天数", "消毒液可用天数"}
		if !slices.Equal(rows[0], header) {
			t.Fatalf("header: got %v, want %v", rows[0], header)
		}
		if len(rows) != 4 {
			t.Fatalf("got %d rows, want a header and 3 enterprises", len(rows))
		}
		want := []string{"鲁丰纺织有限公司", "913716260000000012", "一区", "纺织服装", "赵经理", "13800000001", "已复工",
			"2026-02-10", "王监督、li", "120", "100", "90", "10", "5", "100", "95", "80", "5", "20", "0", "87.5%", "0", "0", "0", "0", "0",
			"5.0", "10.0", "2.9"}
		if !slices.Equal(rows[1], want) {
			t.Errorf("row 2: got %v, want %v", rows[1], want)
		}
		col := func(name string) string { return headerCol(t, header, name) }
		if got := cellAt(rows, 3, 4); got != "未划分责任区" {
			t.Errorf("东方食品厂 责任区: got %q", got)
		}
		for _, name := range []string{"口罩可用天数", "手套可用天数", "消毒液可用天数"} {
			if v := xlsxtest.Cell(t, f, enterpriseSheet, col(name)+"4"); v != "" {
				t.Errorf("东方食品厂 has no plan: %s got %q, want blank", name, v)
			}
		}
		for _, name := range []string{"统一社会信用代码", "联系电话"} {
			if typ, _ := f.GetCellType(enterpriseSheet, col(name)+"2"); typ != excelize.CellTypeInlineString {
				t.Errorf("%s: got cell type %v, want text", name, typ)
			}
		}
		wantDateCell(t, f, enterpriseSheet, col("复工日期")+"2", domain.NewDate(2026, 2, 10))
		// 华兴机械厂 has a fever and open alerts: its whole row is filled light red.
		last := col("消毒液可用天数")
		for _, cell := range []string{"A3", col("联系人") + "3", last + "3"} {
			if !filled(t, f, enterpriseSheet, cell) {
				t.Errorf("%s: abnormal row not filled", cell)
			}
		}
		for _, cell := range []string{"A2", last + "2", "A4"} {
			if filled(t, f, enterpriseSheet, cell) {
				t.Errorf("%s: normal row filled", cell)
			}
		}
		// 2.96 days of disinfectant is short of the 3 a plan needs: red, and not rounded up.
		if s := xlsxtest.Style(t, f, enterpriseSheet, last+"2"); s.Font == nil || s.Font.Color != xlstyle.ErrorText {
			t.Errorf("%s2: short supply not in red: %+v", last, s.Font)
		}
	})

	t.Run("People", func(t *testing.T) {
		header := []string{"企业", "姓名", "身份证号", "手机号", "部门", "返回地", "返岗日期", "隔离截止", "风险等级", "状态",
			"上午体温", "下午体温", "症状", "未打卡时段", "预警"}
		for _, sheet := range listSheets[2:] {
			if rows := allRows(t, f, sheet); !slices.Equal(rows[0], header) {
				t.Errorf("%s header: got %v, want %v", sheet, rows[0], header)
			}
		}
		origin, _ := region.Name("420100")
		zhang := []string{"华兴机械厂", "张三", dailyIDs[0].Masked(), "13900000011", "装配车间", origin, "2026-02-12",
			"2026-02-26", "高", "隔离观察", "38.2", "36.9", "发热、干咳、其他(头痛)", "", "发热·待处理、症状·已解决"}
		for _, sheet := range []string{abnormalSheet, keyAreaSheet} {
			rows := allRows(t, f, sheet)
			if len(rows) != 2 || !slices.Equal(rows[1], zhang) {
				t.Errorf("%s: got %v, want %v", sheet, rows[1:], zhang)
			}
		}
		if s := xlsxtest.Style(t, f, abnormalSheet, "K2"); s.Font == nil || s.Font.Color != xlstyle.ErrorText || !s.Font.Bold {
			t.Errorf("a fever reading is not in red bold: %+v", s.Font)
		}
		if s := xlsxtest.Style(t, f, abnormalSheet, "L2"); s.Font != nil && s.Font.Color == xlstyle.ErrorText {
			t.Errorf("a normal reading is in red")
		}
		rows := allRows(t, f, missedSheet)
		home, _ := region.Name("371626")
		li := []string{"鲁丰纺织有限公司", "李四", dailyIDs[1].Masked(), "13900000012", "", home, "2026-02-08", "", "低", "在岗",
			"", "", "", "上午、下午", "未打卡(下午)·处理中"}
		if len(rows) != 2 || !slices.Equal(padRow(rows[1], len(li)), li) {
			t.Errorf("未打卡: got %v, want %v", rows[1:], li)
		}
		rows = allRows(t, f, isolatingSheet)
		if len(rows) != 2 || cellAt(rows, 1, 2) != "无" {
			t.Errorf("隔离观察 with nobody: got %v, want the header and 无", rows)
		}
		for _, c := range []string{"C2", "D2"} {
			if typ, _ := f.GetCellType(abnormalSheet, c); typ != excelize.CellTypeInlineString {
				t.Errorf("%s: got cell type %v, want text", c, typ)
			}
		}
		wantDateCell(t, f, abnormalSheet, "G2", domain.NewDate(2026, 2, 12))
		if w, _ := f.GetColWidth(abnormalSheet, "C"); w < 20 {
			t.Errorf("身份证号: got width %v, want at least 20", w)
		}
	})

	t.Run("IDNumbersMasked", func(t *testing.T) {
		masked := 0
		for _, sheet := range f.GetSheetList() {
			for _, row := range allRows(t, f, sheet) {
				for _, v := range row {
					for _, id := range dailyIDs {
						if strings.Contains(v, string(id)) {
							t.Errorf("%s: whole ID number in %q", sheet, v)
						}
						if v == id.Masked() {
							masked++
						}
					}
				}
			}
		}
		if masked != 3 {
			t.Errorf("got %d masked ID numbers, want 3 (张三 twice, 李四 once)", masked)
		}
		// Nowhere in the file either: not in a shared string, a comment or a chart cache.
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range dailyIDs {
				if bytes.Contains(b, []byte(id)) || bytes.Contains(b, []byte(id[6:14])) {
					t.Errorf("%s holds the ID number %s or its birth date", zf.Name, id)
				}
			}
		}
	})

	t.Run("Layout", func(t *testing.T) {
		filters := map[string]string{}
		titles := map[string]string{}
		for _, d := range f.GetDefinedName() {
			switch d.Name {
			case "_xlnm._FilterDatabase":
				filters[d.Scope] = strings.ReplaceAll(d.RefersTo, "$", "")
			case "_xlnm.Print_Titles":
				titles[d.Scope] = d.RefersTo
			}
		}
		for sheet, ref := range map[string]string{
			enterpriseSheet: "A1:AC4", spotSheet: "A1:L4", abnormalSheet: "A1:O2", missedSheet: "A1:O2", keyAreaSheet: "A1:O2", isolatingSheet: "A1:O2",
		} {
			if want := "'" + sheet + "'!" + ref; filters[sheet] != want {
				t.Errorf("%s: got filter %q, want %q", sheet, filters[sheet], want)
			}
			if want := "'" + sheet + "'!$1:$1"; titles[sheet] != want {
				t.Errorf("%s: got print titles %q, want %q", sheet, titles[sheet], want)
			}
		}
		sheetXML := xlsxtest.PartText(t, data, "xl/worksheets/sheet2.xml")
		if i := strings.Index(sheetXML, "<autoFilter"); i < strings.Index(sheetXML, "</sheetData>") {
			t.Errorf("企业明细: autoFilter missing or before the rows")
		}
		for _, sheet := range f.GetSheetList() {
			p, err := f.GetPanes(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Freeze || p.YSplit != 1 {
				t.Errorf("%s: got panes %+v, want row 1 frozen", sheet, p)
			}
			wantPrintLayout(t, f, sheet)
		}
	})
}

// TestWriteDailyEmpty checks a township with nothing to report yet: every sheet still there,
// no chart of nothing, every list saying 无.
func TestWriteDailyEmpty(t *testing.T) {
	data := writeDaily(t, domain.DailyReport{Township: domain.Township{Name: "长山镇"}, Date: dailyDay})
	f := xlsxtest.Reopen(t, data)
	if got := len(f.GetSheetList()); got != 9 {
		t.Fatalf("got %d sheets, want 9", got)
	}
	if got := xlsxtest.Cell(t, f, returnSheet, "A2"); got != returnTotalLabel {
		t.Errorf("%s A2: got %q, want the township's total alone", returnSheet, got)
	}
	for _, sheet := range []string{enterpriseSheet, spotSheet, abnormalSheet, missedSheet, keyAreaSheet, isolatingSheet, unregisteredSheet} {
		if got := xlsxtest.Cell(t, f, sheet, "A2"); got != "无" {
			t.Errorf("%s A2: got %q, want 无", sheet, got)
		}
	}
	rows := allRows(t, f, summarySheet)
	if got := cellAt(rows, 2, rowStarting(t, rows, 3, "完成率")); got != domain.NoValue {
		t.Errorf("完成率 with nobody due: got %q, want %s, not 100%%", got, domain.NoValue)
	}
	if strings.Contains(xlsxtest.PartText(t, data, "[Content_Types].xml"), "chart") {
		t.Errorf("got a chart without data")
	}
}

func TestDailyFileName(t *testing.T) {
	if got := FileName("长山镇", dailyDay); got != "长山镇复工日报-2026-02-17.xlsx" {
		t.Errorf("got %q", got)
	}
	if got := FileName(`长山/镇`, dailyDay); got != "长山_镇复工日报-2026-02-17.xlsx" {
		t.Errorf("got %q, want the slash replaced", got)
	}
}

// wantDateCell checks that a cell is a real Excel date of day d shown as yyyy-mm-dd.
func wantDateCell(t *testing.T, f *excelize.File, sheet, cell string, d domain.Date) {
	t.Helper()
	if got := xlsxtest.Cell(t, f, sheet, cell); got != d.String() {
		t.Errorf("%s!%s: got %q, want %s", sheet, cell, got, d)
	}
	raw, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	serial, err := strconv.Atoi(raw)
	if want := int(d.Time().Sub(domain.NewDate(1899, 12, 30).Time()).Hours() / 24); err != nil || serial != want {
		t.Errorf("%s!%s: got raw %q, want the serial date %d", sheet, cell, raw, want)
	}
	if s := xlsxtest.Style(t, f, sheet, cell); s.CustomNumFmt == nil || *s.CustomNumFmt != xlstyle.DateFormat {
		t.Errorf("%s!%s: got format %v, want %s", sheet, cell, s.CustomNumFmt, xlstyle.DateFormat)
	}
}

// wantPrintLayout checks that a sheet prints on A4 landscape, one page wide.
func wantPrintLayout(t *testing.T, f *excelize.File, sheet string) {
	t.Helper()
	l, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if l.Size == nil || *l.Size != paperA4 || l.Orientation == nil || *l.Orientation != "landscape" ||
		l.FitToWidth == nil || *l.FitToWidth != 1 || l.FitToHeight == nil || *l.FitToHeight != 0 {
		t.Errorf("%s: got page layout size %v orientation %v fit %v×%v, want A4 landscape one page wide", sheet,
			deref(l.Size), deref(l.Orientation), deref(l.FitToWidth), deref(l.FitToHeight))
	}
	p, err := f.GetSheetProps(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if p.FitToPage == nil || !*p.FitToPage {
		t.Errorf("%s: fit to page is off, so Excel ignores fit to width", sheet)
	}
}

// deref shows what a pointer points to, for messages.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// filled reports whether a cell shows the light red fill of an abnormal row.
func filled(t *testing.T, f *excelize.File, sheet, cell string) bool {
	t.Helper()
	s := xlsxtest.Style(t, f, sheet, cell)
	return s.Fill.Type == "pattern" && slices.Contains(s.Fill.Color, xlstyle.ErrorFill)
}

// padRow pads a row read with GetRows, which drops trailing blank cells, to n cells.
func padRow(row []string, n int) []string {
	for len(row) < n {
		row = append(row, "")
	}
	return row
}

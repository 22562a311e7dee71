package e2e

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/repo/dbtest"
)

// TestFiguresAgree is FIGURES.md held to its word on `serve --demo`: for today and three past
// days, every figure of the dashboard summary reads the same in daily.xlsx (the summary, every
// row of 企业明细 added up, and the people sheets that list the people a figure counts), in
// range.xlsx, on every enterprise's HR check-in status page and in the dashboard's enterprise
// rows; every enterprise's status on a past day is its status as of that day by its history;
// today's open alerts are the alert page's open alerts; and every 错峰返岗 figure of the
// dashboard's curve reads the same in the enterprises' return progress, in daily.xlsx and in
// range.xlsx, with today's 实际累计 the summary's 已返岗; and the pass counts and spot-check
// figures of the dashboard read the same added up by zone and enterprise, on each enterprise's
// spot-check figures and in daily.xlsx's 抽查核验 sheet, with today's passes one per worker on
// the roster.
func TestFiguresAgree(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"FUGONG_DATA_DIR": t.TempDir()}
			env["FUGONG_DATABASE_URL"] = "sqlite:" + filepath.Join(env["FUGONG_DATA_DIR"], "f.db")
			if e.Name == "postgres" {
				env["FUGONG_DATABASE_URL"] = dbtest.EmptyPostgres(t)
			}
			s := startServer(t, env)
			_, out := s.login(t, "changshan")
			a := agreement{t: t, s: s, token: out["access_token"].(string)}
			today := domain.DateFromTime(time.Now().In(time.FixedZone("CST", 8*3600)))
			a.enterprises()
			for back := range 4 {
				d := today.AddDays(-back)
				t.Run(d.String(), func(t *testing.T) {
					a.t = t
					// The server's sweep may raise an alert between two reads: a day is compared
					// again when its summary moved while the others were read.
					for try := 1; ; try++ {
						before := a.summary(d)
						problems := a.compare(d, before, today)
						if after := a.summary(d); reflect.DeepEqual(before, after) || try == 3 {
							for _, p := range problems {
								t.Error(p)
							}
							return
						}
					}
				})
			}
		})
	}
}

// agreement reads the same day from every place that shows its figures.
type agreement struct {
	t     *testing.T
	s     *server
	token string
	ents  []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
}

func (a *agreement) get(path string, out any) {
	a.t.Helper()
	apiCall(a.t, a.s, http.MethodGet, path, a.token, nil, out)
}

func (a *agreement) enterprises() {
	var list struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	a.get("/api/v1/enterprises?page_size=200", &list)
	a.ents = list.Items
	if len(a.ents) < 30 {
		a.t.Fatalf("got %d enterprises, want the demo's", len(a.ents))
	}
}

// summary is the dashboard summary of day d, as numbers by key (completion: -1 for none).
func (a *agreement) summary(d domain.Date) map[string]float64 {
	var raw map[string]any
	a.get("/api/v1/dashboard/summary?date="+d.String(), &raw)
	out := map[string]float64{}
	for k, v := range raw {
		switch x := v.(type) {
		case float64:
			out[k] = x
		case nil:
			out[k] = -1
		}
	}
	return out
}

// statusLabels are the status words of the sheets and the summary's enterprise-count keys.
var statusLabels = map[string]string{
	domain.StatusNotApplied.Label(): "enterprises_not_applied", domain.StatusApplied.Label(): "enterprises_applied",
	domain.StatusApproved.Label(): "enterprises_approved", domain.StatusReopened.Label(): "enterprises_reopened",
	domain.StatusSuspended.Label(): "enterprises_suspended",
}

// compare reads day d everywhere and returns what disagrees with the summary sum.
func (a *agreement) compare(d domain.Date, sum map[string]float64, today domain.Date) []string {
	var p []string
	want := func(where, key string, got float64) {
		if math.Abs(got-sum[key]) > 0.0005 {
			p = append(p, fmt.Sprintf("%s %s: got %v, want the dashboard's %v", where, key, got, sum[key]))
		}
	}
	// The figures a sum of enterprises gives, and the completion they make.
	sums := func(where string, rows []map[string]float64) {
		total := map[string]float64{}
		for _, r := range rows {
			for k, v := range r {
				total[k] += v
			}
		}
		for _, def := range domain.FigureDefs {
			if def.Kind == domain.FigureCount {
				want(where, def.Key, total[def.Key])
			}
		}
		if due := total["workers_due"]; due > 0 {
			want(where, "completion", math.Round((total["checkins_am"]+total["checkins_pm"])/(2*due)*1000)/1000)
		} else {
			want(where, "completion", -1)
		}
	}

	// The dashboard's enterprise rows, and each one's status as of d by its history.
	var rows struct {
		Items []map[string]any `json:"items"`
	}
	a.get("/api/v1/dashboard/enterprises?date="+d.String(), &rows)
	var dash []map[string]float64
	statusOf := map[int64]string{}
	for _, r := range rows.Items {
		dash = append(dash, numbers(r))
		id := int64(r["enterprise_id"].(float64))
		statusOf[id] = r["status"].(string)
		var hist []struct {
			ID        int64     `json:"id"`
			To        string    `json:"to"`
			Effective string    `json:"date"`
			At        time.Time `json:"recorded_at"`
		}
		a.get(fmt.Sprintf("/api/v1/enterprises/%d/status-history", id), &hist)
		var changes []domain.StatusChange
		for _, h := range hist {
			on, _ := domain.ParseDate(h.Effective)
			changes = append(changes, domain.StatusChange{ID: h.ID, To: domain.EnterpriseStatus(h.To), On: on, RecordedAt: h.At})
		}
		if got, want := statusOf[id], domain.StatusOn(changes, d); got != string(want) {
			p = append(p, fmt.Sprintf("enterprise %d: got status %s on the dashboard, want %s by its history", id, got, want))
		}
	}
	sums("dashboard rows", dash)

	// HR's check-in status page of every enterprise.
	var hr []map[string]float64
	for _, e := range a.ents {
		var st struct {
			Expected     int   `json:"expected"`
			AM           int   `json:"checked_in_am"`
			PM           int   `json:"checked_in_pm"`
			MissingAM    int   `json:"missing_am"`
			MissingPM    int   `json:"missing_pm"`
			Late         int   `json:"late"`
			Unregistered []any `json:"unregistered"`
		}
		a.get(fmt.Sprintf("/api/v1/enterprises/%d/checkins?date=%s", e.ID, d), &st)
		hr = append(hr, map[string]float64{"workers_due": float64(st.Expected), "checkins_am": float64(st.AM),
			"checkins_pm": float64(st.PM), "missing_am": float64(st.MissingAM), "missing_pm": float64(st.MissingPM),
			"late": float64(st.Late), "unregistered": float64(len(st.Unregistered))})
	}
	for _, key := range []string{"workers_due", "checkins_am", "checkins_pm", "missing_am", "missing_pm", "late", "unregistered"} {
		total := 0.0
		for _, r := range hr {
			total += r[key]
		}
		want("HR status pages", key, total)
	}

	p = append(p, a.daily(d, sum, want, sums)...)
	a.rangeDays(d, today, want, sums)
	p = append(p, a.returns(d, today, sum)...)
	p = append(p, a.gate(d, today, sum)...)

	if d == today {
		var open struct {
			Total int `json:"total"`
		}
		a.get("/api/v1/alerts?status=open&page_size=1", &open)
		want("alert page (status=open)", "alerts_open", float64(open.Total))
	}
	return p
}

// daily reads daily.xlsx of d: the headline, 企业明细 added up, the people sheets counted.
func (a *agreement) daily(d domain.Date, sum map[string]float64, want func(string, string, float64), sums func(string, []map[string]float64)) []string {
	var p []string
	f := a.workbook("/api/v1/reports/daily.xlsx?date=" + d.String())
	defer f.Close()
	head, _ := f.GetRows("汇总")
	values := map[string]string{}
	for i, r := range head {
		if len(r) > 1 && i < 40 {
			cell, _ := excelize.CoordinatesToCellName(2, i+1)
			values[r[0]], _ = f.GetCellValue("汇总", cell, excelize.Options{RawCellValue: true})
		}
	}
	for _, def := range domain.FigureDefs {
		v, ok := values[def.Label]
		switch {
		case !ok:
			p = append(p, "daily.xlsx 汇总: no row "+def.Label)
		case v == domain.NoValue:
			want("daily.xlsx 汇总", def.Key, -1)
		default:
			n, _ := strconv.ParseFloat(v, 64)
			if def.Kind == domain.FigureShare {
				n = math.Round(n*1000) / 1000
			}
			want("daily.xlsx 汇总", def.Key, n)
		}
	}
	for label, key := range statusLabels {
		n, _ := strconv.ParseFloat(values[label], 64)
		want("daily.xlsx 汇总", key, n)
	}
	ents := sheetMaps(f, "企业明细", 1)
	sums("daily.xlsx 企业明细", figureRows(ents))
	for label, key := range statusLabels {
		n := 0
		for _, r := range ents {
			if r["复工状态"] == label {
				n++
			}
		}
		want("daily.xlsx 企业明细 复工状态", key, float64(n))
	}
	missed := sheetMaps(f, "未打卡", 1)
	am, pm := 0, 0
	for _, r := range missed {
		am += strings.Count(r["未打卡时段"], "上午")
		pm += strings.Count(r["未打卡时段"], "下午")
	}
	want("daily.xlsx 未打卡 (上午)", "missing_am", float64(am))
	want("daily.xlsx 未打卡 (下午)", "missing_pm", float64(pm))
	want("daily.xlsx 未登记返岗 rows", "unregistered", float64(len(sheetMaps(f, "未登记返岗", 1))))
	want("daily.xlsx 隔离观察 rows", "workers_isolating", float64(len(sheetMaps(f, "隔离观察", 1))))
	want("daily.xlsx 重点地区返岗 rows", "workers_key_area", float64(len(sheetMaps(f, "重点地区返岗", 1))))
	if n := float64(len(sheetMaps(f, "异常人员", 1))); n < max(sum["fever"], sum["symptomatic"]) || n > sum["fever"]+sum["symptomatic"] {
		p = append(p, fmt.Sprintf("daily.xlsx 异常人员: got %v people, want between the %v with a fever or the %v with symptoms and both",
			n, sum["fever"], sum["symptomatic"]))
	}
	return p
}

// rangeDays reads range.xlsx from d to today and adds up d's rows.
func (a *agreement) rangeDays(d, today domain.Date, want func(string, string, float64), sums func(string, []map[string]float64)) {
	f := a.workbook(fmt.Sprintf("/api/v1/reports/range.xlsx?from=%s&to=%s", d, today))
	defer f.Close()
	var day []map[string]string
	for _, r := range sheetMaps(f, "复工统计", 2) {
		serial, _ := strconv.ParseFloat(r["日期"], 64)
		if on, err := excelize.ExcelDateToTime(serial, false); err == nil && on.Format(time.DateOnly) == d.String() {
			day = append(day, r)
		}
	}
	sums("range.xlsx "+d.String(), figureRows(day))
	for label, key := range statusLabels {
		n := 0
		for _, r := range day {
			if r["复工状态"] == label {
				n++
			}
		}
		want("range.xlsx 复工状态", key, float64(n))
	}
}

func (a *agreement) workbook(path string) *excelize.File {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(res.Body); err != nil || res.StatusCode != 200 {
		a.t.Fatalf("%s: got %d %v", path, res.StatusCode, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		a.t.Fatalf("%s: %v", path, err)
	}
	return f
}

// sheetMaps reads a list sheet's rows below its header row as maps by header; a sheet that
// says 无 has none.
func sheetMaps(f *excelize.File, sheet string, headerRow int) []map[string]string {
	rows, _ := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if len(rows) < headerRow {
		return nil
	}
	header := rows[headerRow-1]
	var out []map[string]string
	for _, r := range rows[headerRow:] {
		if len(r) == 0 || (len(r) == 1 && r[0] == "无") {
			continue
		}
		m := map[string]string{}
		for i, h := range header {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// figureRows turns sheet rows into figures by key, by the labels of domain.FigureDefs.
func figureRows(rows []map[string]string) []map[string]float64 {
	out := make([]map[string]float64, 0, len(rows))
	for _, r := range rows {
		m := map[string]float64{}
		for _, def := range domain.FigureDefs {
			if def.Kind == domain.FigureCount {
				m[def.Key], _ = strconv.ParseFloat(r[def.Label], 64)
			}
		}
		out = append(out, m)
	}
	return out
}

// numbers keeps the numeric fields of a JSON object.
func numbers(r map[string]any) map[string]float64 {
	out := map[string]float64{}
	for _, def := range domain.FigureDefs {
		if v, ok := r[def.Key].(float64); ok && def.Kind == domain.FigureCount {
			out[def.Key] = v
		}
	}
	return out
}

// returns reads the 错峰返岗 figures of day d everywhere and returns what disagrees with the
// dashboard's curve, the answer its chart reads.
func (a *agreement) returns(d, today domain.Date, sum map[string]float64) []string {
	var p []string
	var curve struct {
		Items []map[string]any `json:"items"`
	}
	a.get(fmt.Sprintf("/api/v1/dashboard/return-curve?from=%s&to=%s", d, d), &curve)
	if len(curve.Items) != 1 {
		return []string{fmt.Sprintf("return curve of %s: got %d days, want 1", d, len(curve.Items))}
	}
	ref := returnNumbers(curve.Items[0])
	check := func(where string, got map[string]float64) {
		for _, def := range domain.ReturnFigureDefs {
			if got[def.Key] != ref[def.Key] {
				p = append(p, fmt.Sprintf("%s %s: got %v, want the curve's %v", where, def.Key, got[def.Key], ref[def.Key]))
			}
		}
	}
	add := func(total, m map[string]float64) {
		for k, v := range m {
			total[k] += v
		}
	}

	progress := map[string]float64{}
	for _, e := range a.ents {
		var pr struct {
			Days []map[string]any `json:"days"`
		}
		a.get(fmt.Sprintf("/api/v1/enterprises/%d/return-progress?from=%s&to=%s", e.ID, d, d), &pr)
		if len(pr.Days) != 1 {
			a.t.Fatalf("return progress of %d: got %d days, want 1", e.ID, len(pr.Days))
		}
		add(progress, returnNumbers(pr.Days[0]))
	}
	check("return-progress of every enterprise added up", progress)

	daily := a.workbook("/api/v1/reports/daily.xlsx?date=" + d.String())
	defer daily.Close()
	rows, ents := returnRows(sheetMaps(daily, "错峰返岗", 1)), map[string]float64{}
	if len(rows) != len(a.ents)+1 {
		p = append(p, fmt.Sprintf("daily.xlsx 错峰返岗: got %d rows, want one per enterprise and the total", len(rows)))
	} else {
		for _, r := range rows[:len(rows)-1] {
			add(ents, r)
		}
		check("daily.xlsx 错峰返岗 rows added up", ents)
		check("daily.xlsx 错峰返岗 全镇合计", rows[len(rows)-1])
	}

	ranged := a.workbook(fmt.Sprintf("/api/v1/reports/range.xlsx?from=%s&to=%s", d, d))
	defer ranged.Close()
	days := map[string]float64{}
	for _, r := range returnRows(sheetMaps(ranged, "复工统计", 2)) {
		add(days, r)
	}
	check("range.xlsx "+d.String(), days)

	if d == today && ref["arrived_to_date"] != sum["workers_returned"] {
		p = append(p, fmt.Sprintf("arrived_to_date today: got %v, want the summary's workers_returned %v",
			ref["arrived_to_date"], sum["workers_returned"]))
	}
	return p
}

// returnNumbers keeps the 错峰返岗 figures of a JSON object.
func returnNumbers(r map[string]any) map[string]float64 {
	out := map[string]float64{}
	for _, def := range domain.ReturnFigureDefs {
		out[def.Key], _ = r[def.Key].(float64)
	}
	return out
}

// returnRows turns sheet rows into 错峰返岗 figures by key, by the labels of
// domain.ReturnFigureDefs.
func returnRows(rows []map[string]string) []map[string]float64 {
	out := make([]map[string]float64, 0, len(rows))
	for _, r := range rows {
		m := map[string]float64{}
		for _, def := range domain.ReturnFigureDefs {
			m[def.Key], _ = strconv.ParseFloat(r[def.Label], 64)
		}
		out = append(out, m)
	}
	return out
}

// gate reads the pass counts and spot-check figures of day d everywhere and returns what
// disagrees with the dashboard's answers (GET /dashboard/passes, GET /dashboard/spot-checks).
func (a *agreement) gate(d, today domain.Date, sum map[string]float64) []string {
	var p []string
	same := func(where, key string, got, want float64) {
		if math.Abs(got-want) > 1e-9 {
			p = append(p, fmt.Sprintf("%s %s: got %v, want the dashboard's %v", where, key, got, want))
		}
	}
	type rows struct {
		Total        map[string]any   `json:"total"`
		ByZone       []map[string]any `json:"by_zone"`
		ByEnterprise []map[string]any `json:"by_enterprise"`
	}
	var passes, spots rows
	a.get("/api/v1/dashboard/passes?date="+d.String(), &passes)
	a.get("/api/v1/dashboard/spot-checks?date="+d.String(), &spots)
	passKeys := make([]string, 0, len(domain.PassCountDefs))
	for _, def := range domain.PassCountDefs {
		passKeys = append(passKeys, def.Key)
	}
	spotKeys := make([]string, 0, len(domain.SpotFigureDefs))
	for _, def := range domain.SpotFigureDefs {
		spotKeys = append(spotKeys, def.Key)
	}
	num := func(m map[string]any, key string) float64 { v, _ := m[key].(float64); return v }

	// The dashboard's passes: zones and enterprises add up to the total; today one per worker.
	for _, by := range []struct {
		name string
		rows []map[string]any
	}{{"by_zone", passes.ByZone}, {"by_enterprise", passes.ByEnterprise}} {
		for _, key := range passKeys {
			total := 0.0
			for _, r := range by.rows {
				total += num(r, key)
			}
			same("dashboard/passes "+by.name+" added up", key, total, num(passes.Total, key))
		}
	}
	if d == today {
		all := 0.0
		for _, key := range passKeys {
			all += num(passes.Total, key)
		}
		if all != sum["workers_total"] {
			p = append(p, fmt.Sprintf("today's passes: got %v in all, want one per worker on the roster, %v", all, sum["workers_total"]))
		}
	}
	// The dashboard's spot-check figures: each enterprise's is its own page's of the day.
	spotOf := map[string]map[string]any{}
	for _, r := range spots.ByEnterprise {
		spotOf[r["enterprise_name"].(string)] = r
		var fig struct {
			Days []map[string]any `json:"days"`
		}
		a.get(fmt.Sprintf("/api/v1/enterprises/%d/spot-checks/figures?days=7", int64(num(r, "enterprise_id"))), &fig)
		var day map[string]any
		for _, dd := range fig.Days {
			if dd["date"] == d.String() {
				day = dd
			}
		}
		if day == nil {
			p = append(p, fmt.Sprintf("spot-checks/figures of %v: no day %s in the last 7", r["enterprise_name"], d))
			continue
		}
		for _, key := range spotKeys {
			same(fmt.Sprintf("spot-checks/figures of %v", r["enterprise_name"]), key, num(day, key), num(r, key))
		}
	}
	for _, key := range []string{"checks", "checked", "on_duty", "discrepancies"} {
		total := 0.0
		for _, r := range spots.ByEnterprise {
			total += num(r, key)
		}
		same("dashboard/spot-checks by_enterprise added up", key, total, num(spots.Total, key))
	}

	// daily.xlsx 抽查核验: one row per check, then the figures and the passes by enterprise.
	f := a.workbook("/api/v1/reports/daily.xlsx?date=" + d.String())
	defer f.Close()
	sheet, _ := f.GetRows("抽查核验", excelize.Options{RawCellValue: true})
	checks := sheetMaps(f, "抽查核验", 1)
	n, found := 0, 0
	for _, r := range checks {
		if r["企业"] == "各企业抽查核验" {
			break
		}
		n++
		if r["不符情况"] != "" {
			found++
		}
	}
	same("daily.xlsx 抽查核验 rows", "checks", float64(n), num(spots.Total, "checks"))
	same("daily.xlsx 抽查核验 不符情况", "discrepancies", float64(found), num(spots.Total, "discrepancies"))
	block := func(caption string) (map[string]map[string]string, []string) {
		out := map[string]map[string]string{}
		var order []string
		for i, r := range sheet {
			if len(r) == 0 || r[0] != caption || i+1 >= len(sheet) {
				continue
			}
			header := sheet[i+1]
			for _, row := range sheet[i+2:] {
				if len(row) == 0 {
					break
				}
				m := map[string]string{}
				for j, h := range header {
					if j < len(row) {
						m[h] = row[j]
					}
				}
				out[row[0]] = m
				order = append(order, row[0])
			}
		}
		return out, order
	}
	cell := func(m map[string]string, label string) float64 { v, _ := strconv.ParseFloat(m[label], 64); return v }
	spotRows, order := block("各企业抽查核验")
	if len(order) != len(spots.ByEnterprise)+1 {
		p = append(p, fmt.Sprintf("daily.xlsx 抽查核验: got %d rows of figures, want one per enterprise and the total, %d", len(order), len(spots.ByEnterprise)+1))
	}
	for name, r := range spotOf {
		for _, def := range domain.SpotFigureDefs {
			same("daily.xlsx 抽查核验 "+name, def.Key, cell(spotRows[name], def.Label), num(r, def.Key))
		}
	}
	for _, def := range domain.SpotFigureDefs {
		same("daily.xlsx 抽查核验 全镇合计", def.Key, cell(spotRows["全镇合计"], def.Label), num(spots.Total, def.Key))
	}
	passRows, order := block("各企业复工码")
	if len(order) != len(passes.ByEnterprise)+1 {
		p = append(p, fmt.Sprintf("daily.xlsx 抽查核验: got %d rows of passes, want one per enterprise with workers and the total, %d", len(order), len(passes.ByEnterprise)+1))
	}
	for _, r := range passes.ByEnterprise {
		name := r["enterprise_name"].(string)
		for _, def := range domain.PassCountDefs {
			same("daily.xlsx 各企业复工码 "+name, def.Key, cell(passRows[name], def.Label), num(r, def.Key))
		}
	}
	for _, def := range domain.PassCountDefs {
		same("daily.xlsx 各企业复工码 全镇合计", def.Key, cell(passRows["全镇合计"], def.Label), num(passes.Total, def.Key))
	}
	return p
}

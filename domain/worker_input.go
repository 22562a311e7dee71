package domain

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"fugong/domain/region"
)

// WorkerInput is a worker as HR gives it, by form or spreadsheet row: text to be parsed.
type WorkerInput struct {
	Name            string
	IDNumber        string
	Phone           string
	Department      string
	ShiftGroup      string
	Batch           string // the return batch: its number, its date or both (ParseBatchRef)
	OriginRegion    string // a code or a name
	ArrivedOn       string // a date in any of the forms people type
	Transport       string
	IsolationPlace  string
	KeyAreaExposure bool
	ContactHistory  bool
	// ConfirmIsolation is HR's confirmation that the worker goes in a batch their isolation
	// outlasts (FieldConfirmIsolation).
	ConfirmIsolation bool
}

// parse checks every field and returns the worker it describes, or the problems, each named by
// its field key (the roster column keys).
func (in WorkerInput) parse(today Date) (Worker, Problems) {
	var p Problems
	w := Worker{
		Name: Clean(in.Name), Department: Clean(in.Department), ShiftGroup: Clean(in.ShiftGroup),
		Transport: Clean(in.Transport), IsolationPlace: Clean(in.IsolationPlace),
		KeyAreaExposure: in.KeyAreaExposure, ContactHistory: in.ContactHistory,
	}
	checkText(&p, ColName, "姓名", w.Name, 1, 32)
	id, err := ParseIDNumber(in.IDNumber, today)
	if err != nil {
		p.Add(ColIDNumber, err.(*Error).Fields[0].Message)
	}
	w.IDNumber = id
	w.Phone = checkMobile(&p, ColPhone, NarrowText(in.Phone), false)
	checkText(&p, ColDepartment, "部门", w.Department, 0, 50)
	checkText(&p, ColShiftGroup, "班组", w.ShiftGroup, 0, 30)
	checkText(&p, ColTransport, "交通方式", w.Transport, 0, 50)
	checkText(&p, ColIsolationPlace, "隔离地点", w.IsolationPlace, 0, 100)
	if origin := NarrowText(in.OriginRegion); origin != "" {
		code, ok := region.Find(origin)
		if !ok {
			p.Add(ColOriginRegion, "找不到地区“"+origin+"”,请填写省、市、县的全称(如 湖北省武汉市)或 6 位区划代码")
		}
		w.OriginRegion = code
	}
	arrived, ok := ParseLooseDate(in.ArrivedOn)
	switch {
	case !ok:
		p.Add(ColArrivedOn, "日期“"+strings.TrimSpace(in.ArrivedOn)+"”无法识别,请写成 2026-02-17")
	case arrived.After(today):
		p.Add(ColArrivedOn, "返岗日期不能晚于今天;尚未返回的请留空")
	}
	w.ArrivedOn = arrived
	return w, p
}

var looseDateRe = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)

// ParseLooseDate reads a date as people type it in forms and spreadsheets: 2026-02-17,
// 2026/2/17, 2026.2.17, 2026年2月17日 or 20260217, full-width digits included. Empty is the zero
// date.
func ParseLooseDate(s string) (Date, bool) {
	s = NarrowText(s)
	if s == "" {
		return Date{}, true
	}
	var y, m, d int
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:])
	} else if g := looseDateRe.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
	} else {
		return Date{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d || y < MinYear || y > MaxYear {
		return Date{}, false // 2026-02-30 would roll over to March
	}
	return DateFromTime(t), true
}

// ParseYesNo reads 是/否 and the other ways a yes or no is typed; empty is no.
func ParseYesNo(s string) (bool, bool) {
	switch strings.ToLower(NarrowText(s)) {
	case "是", "有", "y", "yes", "true", "1", "√":
		return true, true
	case "否", "无", "没有", "n", "no", "false", "0", "", "×":
		return false, true
	}
	return false, false
}

// rosterHeader names a column as the template's header, for errors.
func rosterHeader(key string) string {
	for _, c := range RosterColumns {
		if c.Key == key {
			return c.Header
		}
	}
	return key
}

// inputFromRow reads a spreadsheet row into a worker input, with the problems of the cells
// that are not even of the right kind.
func inputFromRow(r RosterRow) (WorkerInput, []RowError) {
	var errs []RowError
	yesNo := func(key string) bool {
		v, ok := ParseYesNo(r.Cells[key])
		if !ok {
			errs = append(errs, RowError{Row: r.Row, Column: rosterHeader(key), Message: "请填写“是”或“否”"})
		}
		return v
	}
	in := WorkerInput{
		Name: r.Cells[ColName], IDNumber: r.Cells[ColIDNumber], Phone: r.Cells[ColPhone],
		Department: r.Cells[ColDepartment], ShiftGroup: r.Cells[ColShiftGroup], Batch: r.Cells[ColBatch],
		OriginRegion: r.Cells[ColOriginRegion], ArrivedOn: r.Cells[ColArrivedOn], Transport: r.Cells[ColTransport],
		IsolationPlace:  r.Cells[ColIsolationPlace],
		KeyAreaExposure: yesNo(ColKeyAreaExposure), ContactHistory: yesNo(ColContactHistory),
	}
	if r.Numeric[ColIDNumber] {
		errs = append(errs, RowError{Row: r.Row, Column: rosterHeader(ColIDNumber),
			Message: "身份证号被表格软件存成了数字,末几位已丢失;请把该列设为“文本”格式后重新填写"})
		in.IDNumber = "" // parsed no further: its own message says all
	}
	return in, errs
}

package domain

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Daily use of prevention supplies per returning worker, by which a plan's stock is turned into
// days of use. They follow the guidance towns gave plants in February 2020: a mask every half
// day, a pair of gloves a day, diluted disinfectant for twice-daily cleaning, a thermometer for
// each hundred workers at the gate.
const (
	MasksPerWorkerDay        = 2.0
	GlovesPerWorkerDay       = 1.0
	DisinfectantLitersPerDay = 0.05 // per worker
	WorkersPerThermometer    = 100
	MinSupplyDays            = 3.0
)

// SupplyDays is how many days each consumable lasts for the expected workers.
type SupplyDays struct {
	Masks              float64
	DisinfectantLiters float64
	Gloves             float64
}

// SupplyDays computes the days of use the stock covers; all zero without expected workers.
func (c PlanContent) SupplyDays() SupplyDays {
	if c.ExpectedWorkers <= 0 {
		return SupplyDays{}
	}
	w := float64(c.ExpectedWorkers)
	return SupplyDays{
		Masks:              float64(c.Supplies.Masks) / (w * MasksPerWorkerDay),
		DisinfectantLiters: c.Supplies.DisinfectantLiters / (w * DisinfectantLitersPerDay),
		Gloves:             float64(c.Supplies.Gloves) / (w * GlovesPerWorkerDay),
	}
}

// CheckDraft checks what a draft must already get right: forms and ranges, not completeness,
// so that HR can save half a plan and come back to it.
func (c PlanContent) CheckDraft() Problems {
	var p Problems
	c.checkForms(&p)
	return p
}

// CheckSubmit checks everything a supervisor would otherwise check by hand before a plan may
// be submitted: every section filled in, batches adding up to the expected workers, no date in
// the past, supplies for at least three days, a lead and an isolation room, and the pledge.
func (c PlanContent) CheckSubmit(today Date) Problems {
	return c.checkSubmit(today, nil)
}

// CheckAmendment is CheckSubmit for a new version of an approved plan: what the version in
// force already set and the amendment keeps (the planned reopening date, a batch equal in date,
// headcount and departments) may lie in the past by now, since it is history, not a plan;
// a new or changed batch must still be today or later.
func (c PlanContent) CheckAmendment(today Date, inForce PlanContent) Problems {
	return c.checkSubmit(today, &inForce)
}

func (c PlanContent) checkSubmit(today Date, inForce *PlanContent) Problems {
	var p Problems
	c.checkForms(&p)
	kept := inForce != nil && c.PlannedReopenDate == inForce.PlannedReopenDate
	switch {
	case c.PlannedReopenDate.IsZero():
		p.Add("planned_reopen_date", "请填写计划复工日期")
	case c.PlannedReopenDate.Before(today) && !kept:
		p.Add("planned_reopen_date", "计划复工日期不能早于今天("+today.String()+")")
	}
	if c.ExpectedWorkers <= 0 && !p.Has("expected_workers") {
		p.Add("expected_workers", "请填写预计返岗人数")
	}
	for _, f := range []struct{ field, label, value string }{
		{"lead_name", "防控负责人", c.LeadName}, {"isolation_room", "隔离观察室", c.IsolationRoom},
		{"canteen", "食堂安排", c.Canteen}, {"dormitory", "宿舍安排", c.Dormitory},
		{"disinfection", "消毒安排", c.Disinfection}, {"emergency_plan", "应急预案", c.EmergencyPlan},
	} {
		if f.value == "" && !p.Has(f.field) {
			p.Add(f.field, "请填写"+f.label)
		}
	}
	if c.LeadPhone == "" && !p.Has("lead_phone") {
		p.Add("lead_phone", "请填写防控负责人手机号")
	}
	if c.ShiftSize <= 0 && !p.Has("shift_size") {
		p.Add("shift_size", "请填写小班人数")
	} else if c.ExpectedWorkers > 0 && c.ShiftSize > c.ExpectedWorkers {
		p.Add("shift_size", "小班人数不能多于预计返岗人数")
	}
	if c.ExpectedWorkers > 0 {
		c.checkSupplies(&p)
	}
	c.checkBatches(&p, today, inForce)
	if !c.Pledge {
		p.Add("pledge", "请阅读并勾选企业承诺")
	}
	return p
}

func (c PlanContent) checkForms(p *Problems) {
	if c.ExpectedWorkers < 0 || c.ExpectedWorkers > 200_000 {
		p.Add("expected_workers", "预计返岗人数应在 0 到 200,000 之间")
	}
	checkText(p, "lead_name", "防控负责人", c.LeadName, 0, 32)
	if c.LeadPhone != "" {
		if _, ok := ParseMobile(c.LeadPhone); !ok {
			p.Add("lead_phone", "手机号应为 11 位大陆手机号码")
		}
	}
	for _, s := range []struct {
		field string
		n     float64
	}{
		{"supplies.masks", float64(c.Supplies.Masks)}, {"supplies.thermometers", float64(c.Supplies.Thermometers)},
		{"supplies.disinfectant_liters", c.Supplies.DisinfectantLiters}, {"supplies.gloves", float64(c.Supplies.Gloves)},
		{"supplies.goggles", float64(c.Supplies.Goggles)},
	} {
		if s.n < 0 || s.n > 10_000_000 || math.IsNaN(s.n) {
			p.Add(s.field, "数量应在 0 到 10,000,000 之间")
		}
	}
	for _, f := range []struct {
		field, label, value string
		max                 int
	}{
		{"isolation_room", "隔离观察室", c.IsolationRoom, 200}, {"canteen", "食堂安排", c.Canteen, 500},
		{"dormitory", "宿舍安排", c.Dormitory, 500}, {"disinfection", "消毒安排", c.Disinfection, 500},
		{"emergency_plan", "应急预案", c.EmergencyPlan, 5000},
	} {
		checkText(p, f.field, f.label, f.value, 0, f.max)
	}
	if c.ShiftSize < 0 || c.ShiftSize > 10_000 {
		p.Add("shift_size", "小班人数应在 0 到 10,000 之间")
	}
	if len(c.Batches) > 60 {
		p.Add("batches", "返岗批次最多 60 批")
	}
	for i, b := range c.Batches {
		if b.Workers < 0 {
			p.Add("batches["+strconv.Itoa(i)+"].workers", "人数不能为负")
		}
		checkDepartments(p, "batches["+strconv.Itoa(i)+"].departments", b.Departments)
	}
}

// MaxBatchDepartments is how many departments one batch may name: a batch brings back a few
// departments, not a list of every team.
const MaxBatchDepartments = 20

// checkDepartments checks a batch's departments: each a roster department name of 1–50
// characters, none twice. The enumeration comma is refused: it joins the names where the
// enterprise's return batches keep them.
func checkDepartments(p *Problems, field string, ds []string) {
	if len(ds) > MaxBatchDepartments {
		p.Add(field, "每批最多 "+strconv.Itoa(MaxBatchDepartments)+" 个部门")
		return
	}
	seen := make(map[string]bool, len(ds))
	for _, d := range ds {
		switch {
		case d == "" || utf8.RuneCountInString(d) > 50:
			p.Add(field, "部门名称应为 1 到 50 个字")
		case strings.Contains(d, "、"):
			p.Add(field, "部门名称“"+d+"”不能含“、”,请分开填写")
		case seen[d]:
			p.Add(field, "部门“"+d+"”重复")
		}
		if p.Has(field) {
			return
		}
		seen[d] = true
	}
}

// hasBatch reports whether the version in force has a batch equal to b; false without one.
func (c *PlanContent) hasBatch(b Batch) bool {
	return c != nil && slices.ContainsFunc(c.Batches, b.Equal)
}

func (c PlanContent) checkSupplies(p *Problems) {
	days := c.SupplyDays()
	for _, s := range []struct {
		field, label string
		days, daily  float64
	}{
		{"supplies.masks", "口罩", days.Masks, MasksPerWorkerDay},
		{"supplies.disinfectant_liters", "消毒液", days.DisinfectantLiters, DisinfectantLitersPerDay},
		{"supplies.gloves", "手套", days.Gloves, GlovesPerWorkerDay},
	} {
		// Daily use per worker (0.05 L) has no exact binary form, so exactly three days' stock
		// can compute as 2.9999999999999996 days: compare with a tolerance.
		if s.days < MinSupplyDays-supplyTolerance && !p.Has(s.field) {
			need := s.daily * float64(c.ExpectedWorkers) * MinSupplyDays
			p.Add(s.field, fmt.Sprintf("%s仅够 %.1f 天,%d 人 3 天至少需要 %s", s.label, math.Floor(s.days*10)/10, c.ExpectedWorkers, trimFloat(need)))
		}
	}
	need := (c.ExpectedWorkers + WorkersPerThermometer - 1) / WorkersPerThermometer
	if c.Supplies.Thermometers < need && !p.Has("supplies.thermometers") {
		p.Add("supplies.thermometers", fmt.Sprintf("体温计至少 %d 支(每 %d 人 1 支)", need, WorkersPerThermometer))
	}
}

func (c PlanContent) checkBatches(p *Problems, today Date, inForce *PlanContent) {
	if len(c.Batches) == 0 {
		p.Add("batches", "请至少填写一批返岗安排")
		return
	}
	sum := 0
	for i, b := range c.Batches {
		field := "batches[" + strconv.Itoa(i) + "]"
		switch {
		case b.Date.IsZero():
			p.Add(field+".date", "请填写返岗日期")
		case b.Date.Before(today) && !inForce.hasBatch(b):
			p.Add(field+".date", "返岗日期不能早于今天")
		case !c.PlannedReopenDate.IsZero() && b.Date.Before(c.PlannedReopenDate):
			p.Add(field+".date", "返岗日期不能早于计划复工日期")
		}
		if b.Workers <= 0 && !p.Has(field+".workers") {
			p.Add(field+".workers", "每批人数至少 1 人")
		}
		sum += b.Workers
	}
	if c.ExpectedWorkers > 0 && sum != c.ExpectedWorkers {
		p.Add("batches", fmt.Sprintf("各批人数合计 %d 人,与预计返岗人数 %d 人不一致", sum, c.ExpectedWorkers))
	}
}

// supplyTolerance absorbs floating-point noise in supply arithmetic; stock is kept to one
// decimal, far coarser than this.
const supplyTolerance = 1e-9

// trimFloat writes a quantity without a useless ".0", rounded up to one decimal once the
// floating-point noise (0.05 × 8 × 3 = 1.2000000000000002) is rounded away.
func trimFloat(f float64) string {
	f = math.Round(f*1e6) / 1e6
	if f == math.Trunc(f) {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(math.Ceil(f*10)/10, 'f', 1, 64)
}

package domain_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"fugong/domain"
)

// today is the fixed day the plan rules are checked on.
var today = domain.NewDate(2026, 2, 10)

// examplePlan is the plan of API.md, dated a week after today: 120 workers in two batches.
func examplePlan() domain.PlanContent {
	return domain.PlanContent{
		PlannedReopenDate: today.AddDays(7),
		ExpectedWorkers:   120,
		LeadName:          "王强", LeadPhone: "13800000000",
		Supplies:      domain.Supplies{Masks: 2000, Thermometers: 10, DisinfectantLiters: 200, Gloves: 500, Goggles: 20},
		IsolationRoom: "东厂区一楼 2 间",
		Batches:       []domain.Batch{{Date: today.AddDays(7), Workers: 60}, {Date: today.AddDays(10), Workers: 60}},
		ShiftSize:     20,
		Canteen:       "错峰分餐", Dormitory: "每间不超过 4 人", Disinfection: "每日两次",
		EmergencyPlan: "发现发热人员立即送隔离观察室并报告镇专班",
		Pledge:        true,
	}
}

func withPlan(change func(*domain.PlanContent)) domain.PlanContent {
	c := examplePlan()
	c.Batches = append([]domain.Batch(nil), c.Batches...)
	change(&c)
	return c
}

// wantProblems fails the test unless p names exactly fields (none: p is empty).
func wantProblems(t *testing.T, p domain.Problems, fields ...string) {
	t.Helper()
	if len(fields) == 0 {
		if err := p.Err(); err != nil {
			t.Fatalf("got %v, want no problems", err)
		}
		return
	}
	wantErr(t, p.Err(), domain.ErrInvalid, fields...)
	seen := map[string]bool{}
	for _, f := range p {
		if seen[f.Field] {
			t.Fatalf("got field %s named twice in %v, want it once", f.Field, p)
		}
		seen[f.Field] = true
		if f.Message == "" {
			t.Fatalf("got an empty message for %s, want words for the user", f.Field)
		}
	}
}

func TestPlanContentSupplyDays(t *testing.T) {
	near := func(got, want float64) bool { return math.Abs(got-want) < 0.01 }
	tests := []struct {
		name string
		c    domain.PlanContent
		want domain.SupplyDays
	}{
		// API.md: 2000 masks for 120 workers at 2 a day; 200 L at 0.05 L a day; 500 pairs at 1 a day.
		{name: "APIExample", c: examplePlan(), want: domain.SupplyDays{Masks: 8.33, DisinfectantLiters: 33.33, Gloves: 4.17}},
		{name: "ExactlyThreeDays", c: withPlan(func(c *domain.PlanContent) {
			c.Supplies = domain.Supplies{Masks: 720, DisinfectantLiters: 18, Gloves: 360}
		}), want: domain.SupplyDays{Masks: 3, DisinfectantLiters: 3, Gloves: 3}},
		{name: "NoStock", c: withPlan(func(c *domain.PlanContent) { c.Supplies = domain.Supplies{} }), want: domain.SupplyDays{}},
		{name: "NoWorkers", c: withPlan(func(c *domain.PlanContent) { c.ExpectedWorkers = 0 }), want: domain.SupplyDays{}},
		{name: "NegativeWorkers", c: withPlan(func(c *domain.PlanContent) { c.ExpectedWorkers = -5 }), want: domain.SupplyDays{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.SupplyDays()
			if !near(got.Masks, tt.want.Masks) || !near(got.DisinfectantLiters, tt.want.DisinfectantLiters) || !near(got.Gloves, tt.want.Gloves) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPlanContentCheckDraft(t *testing.T) {
	tests := []struct {
		name   string
		c      domain.PlanContent
		fields []string
	}{
		{name: "OKBlank", c: domain.PlanContent{}},
		{name: "OKExample", c: examplePlan()},
		{name: "OKIncomplete", c: domain.PlanContent{ExpectedWorkers: 50, LeadName: "王强", Batches: []domain.Batch{{Workers: 10}}}},
		{name: "OKPastDates", c: withPlan(func(c *domain.PlanContent) { c.PlannedReopenDate = today.AddDays(-100) })},
		{name: "ExpectedWorkersNegative", c: domain.PlanContent{ExpectedWorkers: -1}, fields: []string{"expected_workers"}},
		{name: "ExpectedWorkersTooMany", c: domain.PlanContent{ExpectedWorkers: 200_001}, fields: []string{"expected_workers"}},
		{name: "LeadPhoneBad", c: domain.PlanContent{LeadPhone: "0543-4321234"}, fields: []string{"lead_phone"}},
		{name: "SuppliesNegative", c: domain.PlanContent{Supplies: domain.Supplies{Masks: -1, Thermometers: -1, DisinfectantLiters: -0.5, Gloves: -1, Goggles: -1}},
			fields: []string{"supplies.masks", "supplies.thermometers", "supplies.disinfectant_liters", "supplies.gloves", "supplies.goggles"}},
		{name: "DisinfectantNaN", c: domain.PlanContent{Supplies: domain.Supplies{DisinfectantLiters: math.NaN()}}, fields: []string{"supplies.disinfectant_liters"}},
		{name: "MasksTooMany", c: domain.PlanContent{Supplies: domain.Supplies{Masks: 10_000_001}}, fields: []string{"supplies.masks"}},
		{name: "ShiftSizeNegative", c: domain.PlanContent{ShiftSize: -1}, fields: []string{"shift_size"}},
		{name: "BatchWorkersNegative", c: domain.PlanContent{Batches: []domain.Batch{{Workers: 5}, {Workers: -1}}}, fields: []string{"batches[1].workers"}},
		{name: "TooManyBatches", c: domain.PlanContent{Batches: make([]domain.Batch, 61)}, fields: []string{"batches"}},
		{name: "TextsTooLong", c: domain.PlanContent{
			LeadName: strings.Repeat("王", 33), IsolationRoom: strings.Repeat("间", 201), Canteen: strings.Repeat("餐", 501),
			Dormitory: strings.Repeat("宿", 501), Disinfection: strings.Repeat("消", 501), EmergencyPlan: strings.Repeat("急", 5001),
		}, fields: []string{"lead_name", "isolation_room", "canteen", "dormitory", "disinfection", "emergency_plan"}},
		{name: "OKTextsAtTheLimit", c: domain.PlanContent{
			LeadName: strings.Repeat("王", 32), IsolationRoom: strings.Repeat("间", 200), Canteen: strings.Repeat("餐", 500),
			Dormitory: strings.Repeat("宿", 500), Disinfection: strings.Repeat("消", 500), EmergencyPlan: strings.Repeat("急", 5000),
		}},
		{name: "OKDepartments", c: domain.PlanContent{Batches: []domain.Batch{{Workers: 5, Departments: []string{"织造车间", strings.Repeat("部", 50)}}}}},
		{name: "OKTwentyDepartments", c: domain.PlanContent{Batches: []domain.Batch{{Workers: 5, Departments: departments(20)}}}},
		{name: "DepartmentsTooMany", c: domain.PlanContent{Batches: []domain.Batch{{Workers: 5}, {Workers: 5, Departments: departments(21)}}},
			fields: []string{"batches[1].departments"}},
		{name: "DepartmentEmpty", c: domain.PlanContent{Batches: []domain.Batch{{Workers: 5, Departments: []string{"织造车间", ""}}}},
			fields: []string{"batches[0].departments"}},
		{name: "DepartmentTooLong", c: domain.PlanContent{Batches: []domain.Batch{{Workers: 5, Departments: []string{strings.Repeat("部", 51)}}}},
			fields: []string{"batches[0].departments"}},
		{name: "DepartmentTwice", c: domain.PlanContent{Batches: []domain.Batch{{Workers: 5, Departments: []string{"织造车间", "整理车间", "织造车间"}}}},
			fields: []string{"batches[0].departments"}},
		{name: "DepartmentsJoined", c: domain.PlanContent{Batches: []domain.Batch{{Workers: 5, Departments: []string{"织造、整理"}}}},
			fields: []string{"batches[0].departments"}},
		{name: "Several", c: domain.PlanContent{ExpectedWorkers: -3, LeadPhone: "12345", ShiftSize: -2, Batches: []domain.Batch{{Workers: -1}}},
			fields: []string{"expected_workers", "lead_phone", "shift_size", "batches[0].workers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblems(t, tt.c.CheckDraft(), tt.fields...)
		})
	}
}

func TestPlanContentCheckSubmit(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.PlanContent)
		fields []string
	}{
		{name: "OKAPIExample", change: func(*domain.PlanContent) {}},
		{name: "OKReopenToday", change: func(c *domain.PlanContent) {
			c.PlannedReopenDate = today
			c.Batches[0].Date = today
		}},
		{name: "OKOneBatch", change: func(c *domain.PlanContent) { c.Batches = []domain.Batch{{Date: today.AddDays(7), Workers: 120}} }},
		{name: "OKShiftSizeAllWorkers", change: func(c *domain.PlanContent) { c.ShiftSize = 120 }},
		{name: "OKSuppliesExactlyThreeDays", change: func(c *domain.PlanContent) {
			c.Supplies = domain.Supplies{Masks: 720, Thermometers: 2, DisinfectantLiters: 18, Gloves: 360}
		}},
		{name: "OKGogglesNone", change: func(c *domain.PlanContent) { c.Supplies.Goggles = 0 }},
		{name: "PlannedReopenDateMissing", change: func(c *domain.PlanContent) { c.PlannedReopenDate = domain.Date{} }, fields: []string{"planned_reopen_date"}},
		{name: "PlannedReopenDateInThePast", change: func(c *domain.PlanContent) { c.PlannedReopenDate = today.AddDays(-1) }, fields: []string{"planned_reopen_date"}},
		{name: "ExpectedWorkersMissing", change: func(c *domain.PlanContent) { c.ExpectedWorkers = 0 }, fields: []string{"expected_workers"}},
		{name: "ExpectedWorkersNegative", change: func(c *domain.PlanContent) { c.ExpectedWorkers = -120 }, fields: []string{"expected_workers"}},
		{name: "LeadNameMissing", change: func(c *domain.PlanContent) { c.LeadName = "" }, fields: []string{"lead_name"}},
		{name: "LeadPhoneMissing", change: func(c *domain.PlanContent) { c.LeadPhone = "" }, fields: []string{"lead_phone"}},
		{name: "LeadPhoneBad", change: func(c *domain.PlanContent) { c.LeadPhone = "1380000000" }, fields: []string{"lead_phone"}},
		{name: "IsolationRoomMissing", change: func(c *domain.PlanContent) { c.IsolationRoom = "" }, fields: []string{"isolation_room"}},
		{name: "CanteenMissing", change: func(c *domain.PlanContent) { c.Canteen = "" }, fields: []string{"canteen"}},
		{name: "DormitoryMissing", change: func(c *domain.PlanContent) { c.Dormitory = "" }, fields: []string{"dormitory"}},
		{name: "DisinfectionMissing", change: func(c *domain.PlanContent) { c.Disinfection = "" }, fields: []string{"disinfection"}},
		{name: "EmergencyPlanMissing", change: func(c *domain.PlanContent) { c.EmergencyPlan = "" }, fields: []string{"emergency_plan"}},
		{name: "EmergencyPlanTooLong", change: func(c *domain.PlanContent) { c.EmergencyPlan = strings.Repeat("急", 5001) }, fields: []string{"emergency_plan"}},
		{name: "ShiftSizeMissing", change: func(c *domain.PlanContent) { c.ShiftSize = 0 }, fields: []string{"shift_size"}},
		{name: "ShiftSizeMoreThanWorkers", change: func(c *domain.PlanContent) { c.ShiftSize = 121 }, fields: []string{"shift_size"}},
		{name: "MasksUnderThreeDays", change: func(c *domain.PlanContent) { c.Supplies.Masks = 719 }, fields: []string{"supplies.masks"}},
		{name: "DisinfectantUnderThreeDays", change: func(c *domain.PlanContent) { c.Supplies.DisinfectantLiters = 17.9 }, fields: []string{"supplies.disinfectant_liters"}},
		{name: "GlovesUnderThreeDays", change: func(c *domain.PlanContent) { c.Supplies.Gloves = 359 }, fields: []string{"supplies.gloves"}},
		{name: "ThermometersUnderOnePerHundred", change: func(c *domain.PlanContent) { c.Supplies.Thermometers = 1 }, fields: []string{"supplies.thermometers"}},
		{name: "ThermometersNone", change: func(c *domain.PlanContent) { c.Supplies.Thermometers = 0 }, fields: []string{"supplies.thermometers"}},
		{name: "SuppliesNegativeNamedOnce", change: func(c *domain.PlanContent) { c.Supplies.Masks = -1 }, fields: []string{"supplies.masks"}},
		{name: "BatchesEmpty", change: func(c *domain.PlanContent) { c.Batches = nil }, fields: []string{"batches"}},
		{name: "BatchesDoNotAddUp", change: func(c *domain.PlanContent) { c.Batches[1].Workers = 59 }, fields: []string{"batches"}},
		{name: "BatchesTooMany", change: func(c *domain.PlanContent) { c.Batches[1].Workers = 61 }, fields: []string{"batches"}},
		{name: "BatchDateMissing", change: func(c *domain.PlanContent) { c.Batches[0].Date = domain.Date{} }, fields: []string{"batches[0].date"}},
		{name: "BatchDateInThePast", change: func(c *domain.PlanContent) { c.Batches[1].Date = today.AddDays(-1) }, fields: []string{"batches[1].date"}},
		{name: "BatchDateBeforePlannedDate", change: func(c *domain.PlanContent) { c.Batches[1].Date = today.AddDays(6) }, fields: []string{"batches[1].date"}},
		{name: "BatchWorkersZero", change: func(c *domain.PlanContent) {
			c.Batches = []domain.Batch{{Date: today.AddDays(7)}, {Date: today.AddDays(10), Workers: 120}}
		},
			fields: []string{"batches[0].workers"}},
		{name: "BatchWorkersNegative", change: func(c *domain.PlanContent) {
			c.Batches = []domain.Batch{{Date: today.AddDays(7), Workers: -10}, {Date: today.AddDays(10), Workers: 130}}
		}, fields: []string{"batches[0].workers"}},
		{name: "PledgeMissing", change: func(c *domain.PlanContent) { c.Pledge = false }, fields: []string{"pledge"}},
		{name: "Several", change: func(c *domain.PlanContent) {
			c.PlannedReopenDate = today.AddDays(-2)
			c.LeadName, c.LeadPhone, c.IsolationRoom = "", "123", ""
			c.ShiftSize = 500
			c.Supplies = domain.Supplies{Masks: 100, Thermometers: 1, DisinfectantLiters: 1, Gloves: 10}
			c.Batches = []domain.Batch{{Date: today.AddDays(-3), Workers: 0}, {Date: today.AddDays(1), Workers: 60}}
			c.Pledge = false
		}, fields: []string{
			"planned_reopen_date", "lead_name", "lead_phone", "isolation_room", "shift_size",
			"supplies.masks", "supplies.disinfectant_liters", "supplies.gloves", "supplies.thermometers",
			"batches[0].date", "batches[0].workers", "batches", "pledge",
		}},
		{name: "BlankNamesEverything", change: func(c *domain.PlanContent) { *c = domain.PlanContent{} }, fields: []string{
			"planned_reopen_date", "expected_workers", "lead_name", "lead_phone", "isolation_room", "canteen", "dormitory",
			"disinfection", "emergency_plan", "shift_size", "batches", "pledge",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblems(t, withPlan(tt.change).CheckSubmit(today), tt.fields...)
		})
	}
}

// TestPlanContentCheckSubmitExactlyThreeDays checks the three-day rule at its edge for every
// head count up to 500: exactly three days' stock passes, a unit less fails. Disinfectant is
// kept to one decimal (the column is NUMERIC(10,1)), so its edge is the one-decimal amount HR
// would type, for the head counts where three days' use has one decimal.
func TestPlanContentCheckSubmitExactlyThreeDays(t *testing.T) {
	for w := 1; w <= 500; w++ {
		c := examplePlan()
		c.ExpectedWorkers, c.ShiftSize = w, 1
		c.Batches = []domain.Batch{{Date: c.PlannedReopenDate, Workers: w}}
		c.Supplies = domain.Supplies{Masks: 6 * w, Gloves: 3 * w, Thermometers: (w + 99) / 100, DisinfectantLiters: 1000}
		if err := c.CheckSubmit(today).Err(); err != nil {
			t.Fatalf("%d workers, %+v: got %v, want no problems", w, c.Supplies, err)
		}
		less := c
		less.Supplies.Masks, less.Supplies.Gloves, less.Supplies.Thermometers = 6*w-1, 3*w-1, (w+99)/100-1
		wantProblems(t, less.CheckSubmit(today), "supplies.masks", "supplies.gloves", "supplies.thermometers")

		if w*15%10 != 0 { // three days' disinfectant (0.15 L a worker) has a second decimal
			continue
		}
		c.Supplies.DisinfectantLiters = float64(w*15/10) / 10 // e.g. 8 workers: 1.2 L
		if err := c.CheckSubmit(today).Err(); err != nil {
			t.Fatalf("%d workers, %v L: got %v, want no problems", w, c.Supplies.DisinfectantLiters, err)
		}
		c.Supplies.DisinfectantLiters = float64(w*15/10-1) / 10
		wantProblems(t, c.CheckSubmit(today), "supplies.disinfectant_liters")
	}
}

func TestPlanContentCheckSubmitMessages(t *testing.T) {
	c := withPlan(func(c *domain.PlanContent) {
		c.ExpectedWorkers, c.ShiftSize = 8, 2
		c.Batches = []domain.Batch{{Date: today.AddDays(7), Workers: 8}}
		c.Supplies = domain.Supplies{Masks: 48, Gloves: 24, Thermometers: 1, DisinfectantLiters: 1.1}
	})
	p := c.CheckSubmit(today)
	wantProblems(t, p, "supplies.disinfectant_liters")
	// Three days for 8 workers is 1.2 L; the message must not round a float's noise upward.
	if msg := p[0].Message; !strings.Contains(msg, "至少需要 1.2") {
		t.Errorf("got %q, want it to ask for 1.2 L", msg)
	}
}

// departments are n department names, all different.
func departments(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "车间" + strconv.Itoa(i+1)
	}
	return out
}

// TestPlanContentCheckAmendment checks a new version of an approved plan, submitted on a day
// when the version in force's first dates are past: what it keeps of them passes, what it
// adds or changes must still be today or later.
func TestPlanContentCheckAmendment(t *testing.T) {
	// The version in force, approved ten days ago: reopened on day −3, batches on −3 and +1.
	inForce := withPlan(func(c *domain.PlanContent) {
		c.PlannedReopenDate = today.AddDays(-3)
		c.Batches = []domain.Batch{{Date: today.AddDays(-3), Workers: 60, Departments: []string{"织造车间"}}, {Date: today.AddDays(1), Workers: 60}}
	})
	amend := func(change func(*domain.PlanContent)) domain.PlanContent {
		c := inForce
		c.Batches = append([]domain.Batch(nil), inForce.Batches...)
		change(&c)
		return c
	}
	tests := []struct {
		name   string
		c      domain.PlanContent
		fields []string
	}{
		{name: "OKUnchanged", c: inForce},
		{name: "OKBatchAdded", c: amend(func(c *domain.PlanContent) {
			c.ExpectedWorkers, c.Supplies.Masks, c.Supplies.Gloves = 150, 3000, 600
			c.Batches = append(c.Batches, domain.Batch{Date: today, Workers: 30})
		})},
		{name: "OKFutureBatchChanged", c: amend(func(c *domain.PlanContent) { c.Batches[1].Date = today.AddDays(4) })},
		{name: "OKPastBatchDropped", c: amend(func(c *domain.PlanContent) {
			c.ExpectedWorkers = 60
			c.Batches = c.Batches[1:]
		})},
		{name: "PastBatchHeadcountChanged", c: amend(func(c *domain.PlanContent) {
			c.Batches[0].Workers, c.Batches[1].Workers = 50, 70
		}), fields: []string{"batches[0].date"}},
		{name: "PastBatchDepartmentsChanged", c: amend(func(c *domain.PlanContent) { c.Batches[0].Departments = []string{"整理车间"} }),
			fields: []string{"batches[0].date"}},
		{name: "NewBatchInThePast", c: amend(func(c *domain.PlanContent) {
			c.ExpectedWorkers, c.Supplies.Masks, c.Supplies.Gloves = 150, 3000, 600
			c.Batches = append(c.Batches, domain.Batch{Date: today.AddDays(-1), Workers: 30})
		}), fields: []string{"batches[2].date"}},
		{name: "ReopenDateMovedIntoThePast", c: amend(func(c *domain.PlanContent) { c.PlannedReopenDate = today.AddDays(-4) }),
			fields: []string{"planned_reopen_date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblems(t, tt.c.CheckAmendment(today, inForce), tt.fields...)
		})
	}
	t.Run("SubmitRefusesThePastWithoutAVersionInForce", func(t *testing.T) {
		wantProblems(t, inForce.CheckSubmit(today), "planned_reopen_date", "batches[0].date")
	})
}

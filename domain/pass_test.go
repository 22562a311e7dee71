package domain_test

import (
	"slices"
	"testing"
	"time"

	"fugong/domain"
)

// TestPassRule is the rule table of the return-to-work pass (FIGURES.md, 复工码): one case per
// condition and the cases between them, each with the colour and the reasons it must give.
// The township is Changshan's (cut-offs 10:00 and 16:00, threshold 37.3); the day is
// 2026-02-20 and the moment 11:00 local unless a case says otherwise.
func TestPassRule(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	day, _ := domain.ParseDate("2026-02-20")
	yesterday := day.AddDays(-1)
	at := func(hh, mm int) time.Time { return time.Date(2026, 2, 20, hh, mm, 0, 0, shanghai) }
	back := domain.Worker{ID: 1, Status: domain.WorkerOnDuty, RiskLevel: domain.RiskLow, ArrivedOn: day.AddDays(-5)}
	with := func(change func(*domain.Worker)) domain.Worker {
		w := back
		change(&w)
		return w
	}
	report := func(d domain.Date, s domain.Slot, temp domain.Temperature) domain.Checkin {
		return domain.Checkin{WorkerID: 1, Date: d, Slot: s, Temperature: temp, Location: domain.AtWork}
	}
	normal := []domain.Checkin{report(yesterday, domain.SlotAM, 365), report(yesterday, domain.SlotPM, 364),
		report(day, domain.SlotAM, 365)}
	plus := func(cs ...domain.Checkin) []domain.Checkin { return append(slices.Clone(normal), cs...) }
	symptoms := report(day, domain.SlotAM, 366)
	symptoms.HadSymptoms, symptoms.Symptoms = true, []domain.Symptom{domain.SymptomDryCough}
	corrected := report(yesterday, domain.SlotPM, 365)
	corrected.HadFever = true // a fever reading, corrected later: the slot still had it
	type want struct {
		color   domain.PassColor
		reasons []domain.PassCondition
	}
	tests := []struct {
		name    string
		facts   domain.PassFacts
		now     time.Time
		rules   domain.PassRules
		want    want
		isUntil time.Time // the pass's ValidUntil, when the case checks it
	}{
		{name: "GreenBackReportedNormal", facts: domain.PassFacts{Worker: back, Reports: normal},
			want: want{domain.PassGreen, nil}, isUntil: at(16, 0)},
		{name: "GreenAfternoonReportedToo", facts: domain.PassFacts{Worker: back, Reports: plus(report(day, domain.SlotPM, 366))},
			now: at(17, 0), want: want{domain.PassGreen, nil}, isUntil: time.Date(2026, 2, 20, 23, 59, 59, 0, shanghai)},
		{name: "RedFeverToday", facts: domain.PassFacts{Worker: back, Reports: plus(report(day, domain.SlotPM, 381))},
			now: at(15, 0), want: want{domain.PassRed, []domain.PassCondition{domain.PassFever}}},
		{name: "RedFeverYesterday", facts: domain.PassFacts{Worker: back, Reports: []domain.Checkin{report(yesterday, domain.SlotAM, 375),
			report(yesterday, domain.SlotPM, 366), report(day, domain.SlotAM, 365)}}, want: want{domain.PassRed, []domain.PassCondition{domain.PassFever}}},
		{name: "RedFeverCorrectedStillCounts", facts: domain.PassFacts{Worker: back, Reports: []domain.Checkin{
			report(yesterday, domain.SlotAM, 365), corrected, report(day, domain.SlotAM, 365)}},
			want: want{domain.PassRed, []domain.PassCondition{domain.PassFever}}},
		{name: "GreenFeverTwoDaysAgoIsOver", facts: domain.PassFacts{Worker: back, Reports: plus(report(day.AddDays(-2), domain.SlotPM, 390))},
			want: want{domain.PassGreen, nil}},
		{name: "RedSymptoms", facts: domain.PassFacts{Worker: back, Reports: []domain.Checkin{normal[0], normal[1], symptoms}},
			want: want{domain.PassRed, []domain.PassCondition{domain.PassSymptoms}}},
		{name: "RedRepeatedFeverUnresolved", facts: domain.PassFacts{Worker: back, Reports: normal,
			Unresolved: []domain.AlertType{domain.AlertRepeatedFever}}, want: want{domain.PassRed, []domain.PassCondition{domain.PassRepeatedFever}}},
		{name: "RedHighRiskIsolating", facts: domain.PassFacts{Worker: with(func(w *domain.Worker) {
			w.Status, w.RiskLevel = domain.WorkerIsolating, domain.RiskHigh
		}), Reports: normal}, want: want{domain.PassRed, []domain.PassCondition{domain.PassHighRiskIsolating, domain.PassIsolating}}},
		{name: "RedInHospital", facts: domain.PassFacts{Worker: with(func(w *domain.Worker) { w.Status = domain.WorkerInHospital })},
			want: want{domain.PassRed, []domain.PassCondition{domain.PassInHospital}}},
		{name: "RedRevoked", facts: domain.PassFacts{Worker: back, Reports: normal, Revoked: &domain.Revocation{Reason: "密接待查"}},
			want: want{domain.PassRed, []domain.PassCondition{domain.PassRevoked}}},
		{name: "YellowIsolatingMediumRisk", facts: domain.PassFacts{Worker: with(func(w *domain.Worker) {
			w.Status, w.RiskLevel = domain.WorkerIsolating, domain.RiskMedium
		}), Reports: normal}, want: want{domain.PassYellow, []domain.PassCondition{domain.PassIsolating, domain.PassMediumRisk}}},
		{name: "YellowMediumRiskOnDuty", facts: domain.PassFacts{Worker: with(func(w *domain.Worker) { w.RiskLevel = domain.RiskMedium }),
			Reports: normal}, want: want{domain.PassYellow, []domain.PassCondition{domain.PassMediumRisk}}},
		{name: "YellowMissedYesterdayAfternoon", facts: domain.PassFacts{Worker: back, Reports: []domain.Checkin{normal[0], normal[2]}},
			want: want{domain.PassYellow, []domain.PassCondition{domain.PassMissedSlot}}},
		{name: "YellowMissedMorningPastCutoff", facts: domain.PassFacts{Worker: back, Reports: normal[:2]},
			now: at(10, 0), want: want{domain.PassYellow, []domain.PassCondition{domain.PassMissedSlot}}},
		{name: "YellowNotReportedBeforeCutoff", facts: domain.PassFacts{Worker: back, Reports: normal[:2]},
			now: at(7, 30), want: want{domain.PassYellow, []domain.PassCondition{domain.PassNotReported}}, isUntil: at(10, 0)},
		{name: "GreenArrivedTodayNothingDueYesterday", facts: domain.PassFacts{Worker: with(func(w *domain.Worker) { w.ArrivedOn = day }),
			Reports: normal[2:]}, want: want{domain.PassGreen, nil}},
		{name: "YellowDiscrepancyUnresolved", facts: domain.PassFacts{Worker: back, Reports: normal,
			Unresolved: []domain.AlertType{domain.AlertDiscrepancy}}, want: want{domain.PassYellow, []domain.PassCondition{domain.PassDiscrepancy}}},
		{name: "YellowNotArrived", facts: domain.PassFacts{Worker: with(func(w *domain.Worker) {
			w.Status, w.ArrivedOn = domain.WorkerExpected, domain.Date{}
		})}, want: want{domain.PassYellow, []domain.PassCondition{domain.PassNotArrived}}},
		{name: "YellowArrivingTomorrow", facts: domain.PassFacts{Worker: with(func(w *domain.Worker) { w.ArrivedOn = day.AddDays(1) })},
			want: want{domain.PassYellow, []domain.PassCondition{domain.PassNotArrived}}},
		{name: "RedBeatsYellowReasonsWorstFirst", facts: domain.PassFacts{Worker: with(func(w *domain.Worker) { w.RiskLevel = domain.RiskMedium }),
			Reports: plus(report(day, domain.SlotPM, 380)), Unresolved: []domain.AlertType{domain.AlertDiscrepancy}}, now: at(15, 0),
			want: want{domain.PassRed, []domain.PassCondition{domain.PassFever, domain.PassMediumRisk, domain.PassDiscrepancy}}},
		// The township decides: a condition set to green is ignored, one set to red reddens.
		{name: "TownshipIgnoresNotReported", facts: domain.PassFacts{Worker: back, Reports: normal[:2]}, now: at(7, 30),
			rules: domain.PassRules{domain.PassNotReported: domain.PassGreen}, want: want{domain.PassGreen, nil}},
		{name: "TownshipReddensMediumRisk", facts: domain.PassFacts{Worker: with(func(w *domain.Worker) { w.RiskLevel = domain.RiskMedium }),
			Reports: normal}, rules: domain.PassRules{domain.PassMediumRisk: domain.PassRed},
			want: want{domain.PassRed, []domain.PassCondition{domain.PassMediumRisk}}},
		{name: "TownshipRevokedOnlyYellow", facts: domain.PassFacts{Worker: back, Reports: normal, Revoked: &domain.Revocation{Reason: "待核"}},
			rules: domain.PassRules{domain.PassRevoked: domain.PassYellow}, want: want{domain.PassYellow, []domain.PassCondition{domain.PassRevoked}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tw := domain.Township{Timezone: "Asia/Shanghai", Policy: domain.DefaultPolicy}
			tw.Policy.PassRules = tt.rules
			now := tt.now
			if now.IsZero() {
				now = at(11, 0)
			}
			p := tw.Pass(tt.facts, day, now)
			var got []domain.PassCondition
			for _, r := range p.Reasons {
				got = append(got, r.Condition)
				if r.Color != tw.Policy.PassRules.Color(r.Condition) {
					t.Errorf("reason %s coloured %s, want the rule's %s", r.Condition, r.Color, tw.Policy.PassRules.Color(r.Condition))
				}
			}
			if p.Color != tt.want.color || !slices.Equal(got, tt.want.reasons) {
				t.Errorf("got %s %v, want %s %v", p.Color, got, tt.want.color, tt.want.reasons)
			}
			if !tt.isUntil.IsZero() && !p.ValidUntil.Equal(tt.isUntil) {
				t.Errorf("valid until %s, want %s", p.ValidUntil, tt.isUntil)
			}
		})
	}
}

// TestPassRulesStored holds the stored form of the rules: only what differs from the
// defaults, read back the same, unknown entries dropped.
func TestPassRulesStored(t *testing.T) {
	r := domain.DefaultPassRules.Full()
	if s := r.String(); s != "" {
		t.Errorf("defaults stored as %q, want empty", s)
	}
	r[domain.PassNotReported] = domain.PassGreen
	r[domain.PassMediumRisk] = domain.PassRed
	s := r.String()
	if s != "medium_risk:red,not_reported:green" {
		t.Errorf("stored %q", s)
	}
	back := domain.ParsePassRules(s + ",gone:red,fever:purple")
	for _, c := range domain.PassConditions {
		if back.Color(c) != r.Color(c) {
			t.Errorf("%s read back %s, want %s", c, back.Color(c), r.Color(c))
		}
	}
}

// TestSample holds the daily draw: the share of each enterprise rounded up (at least one), the
// same draw for the same day, another on another day, and the weights favouring risk and
// discrepancies.
func TestSample(t *testing.T) {
	d, _ := domain.ParseDate("2026-02-20")
	var cands []domain.SampleCandidate
	for i := range 200 {
		c := domain.SampleCandidate{Worker: domain.Worker{ID: int64(i + 1), EnterpriseID: 1 + int64(i%2), RiskLevel: domain.RiskLow}}
		if i < 20 {
			c.Worker.RiskLevel = domain.RiskHigh
		}
		cands = append(cands, c)
	}
	cands = append(cands, domain.SampleCandidate{Worker: domain.Worker{ID: 999, EnterpriseID: 3}})
	a, b := domain.Sample(cands, 10, d), domain.Sample(cands, 10, d)
	if len(a[1]) != 10 || len(a[2]) != 10 || len(a[3]) != 1 {
		t.Fatalf("drew %d, %d, %d, want 10, 10 and 1", len(a[1]), len(a[2]), len(a[3]))
	}
	if !slices.Equal(a[1], b[1]) || !slices.Equal(a[2], b[2]) {
		t.Errorf("two draws of one day differ: %v / %v", a[1], b[1])
	}
	if other := domain.Sample(cands, 10, d.AddDays(1)); slices.Equal(other[1], a[1]) {
		t.Errorf("the next day drew the same: %v", a[1])
	}
	// Over many days, a high-risk worker (weight 4) is drawn clearly more often than a low one.
	high, low := 0, 0
	for i := range 200 {
		for _, id := range domain.Sample(cands, 10, d.AddDays(i))[1] {
			if id <= 20 {
				high++
			} else {
				low++
			}
		}
	}
	// 10 high-risk of 100 in enterprise 1: without weights about a tenth of the draws.
	if high*100/(high+low) < 20 {
		t.Errorf("high-risk workers were %d of %d draws, want well over a tenth", high, high+low)
	}
}

package domain

import (
	"slices"
	"strings"
	"time"
)

// PassColor is the colour of a worker's return-to-work pass (复工码) for a day, as the health
// codes of 2020 had it: green may enter, yellow is let in only after a look, red may not.
type PassColor string

// The pass colours, from best to worst.
const (
	PassGreen  PassColor = "green"
	PassYellow PassColor = "yellow"
	PassRed    PassColor = "red"
)

// Valid reports whether c is a pass colour.
func (c PassColor) Valid() bool { return c == PassGreen || c == PassYellow || c == PassRed }

// Label is the colour as people say it.
func (c PassColor) Label() string {
	return map[PassColor]string{PassGreen: "绿码", PassYellow: "黄码", PassRed: "红码"}[c]
}

// worse reports whether c is worse than d.
func (c PassColor) worse(d PassColor) bool { return passRank[c] > passRank[d] }

var passRank = map[PassColor]int{PassGreen: 0, PassYellow: 1, PassRed: 2}

// PassCondition is one thing Fugong knows about a worker that may colour their pass; the
// township decides which colour each gives (PassRules).
type PassCondition string

// The pass conditions, in the order the settings and the rule table show them (the worst by
// default first).
const (
	PassFever             PassCondition = "fever"               // a fever reported today or yesterday
	PassSymptoms          PassCondition = "symptoms"            // other symptoms today or yesterday
	PassRepeatedFever     PassCondition = "repeated_fever"      // an unresolved repeated-fever alert
	PassHighRiskIsolating PassCondition = "high_risk_isolating" // high risk and still isolating
	PassInHospital        PassCondition = "in_hospital"
	PassRevoked           PassCondition = "revoked" // HR, a supervisor or the town revoked it
	PassIsolating         PassCondition = "isolating"
	PassMediumRisk        PassCondition = "medium_risk"
	PassMissedSlot        PassCondition = "missed_slot"  // a slot past its cut-off without a report
	PassNotReported       PassCondition = "not_reported" // no report yet today, before the cut-off
	PassDiscrepancy       PassCondition = "discrepancy"  // an unresolved spot-check discrepancy
	PassNotArrived        PassCondition = "not_arrived"  // not marked back by the day
)

// PassConditions lists the conditions in order.
var PassConditions = []PassCondition{
	PassFever, PassSymptoms, PassRepeatedFever, PassHighRiskIsolating, PassInHospital, PassRevoked,
	PassIsolating, PassMediumRisk, PassMissedSlot, PassNotReported, PassDiscrepancy, PassNotArrived,
}

var passConditionLabels = map[PassCondition]string{
	PassFever: "今日或昨日发热", PassSymptoms: "今日或昨日有症状", PassRepeatedFever: "连续发热预警未处置",
	PassHighRiskIsolating: "高风险隔离中", PassInHospital: "住院治疗", PassRevoked: "复工码已被撤销",
	PassIsolating: "隔离观察中", PassMediumRisk: "中风险", PassMissedSlot: "有漏报",
	PassNotReported: "今日尚未打卡", PassDiscrepancy: "抽查不符待核", PassNotArrived: "尚未登记返岗",
}

// Label names the condition in words.
func (c PassCondition) Label() string { return passConditionLabels[c] }

// Valid reports whether c is a pass condition.
func (c PassCondition) Valid() bool { return slices.Contains(PassConditions, c) }

// PassRules are a township's colour for each condition; a condition set to green is ignored.
type PassRules map[PassCondition]PassColor

// DefaultPassRules are the rules of issue 19: red for fever, symptoms, an unresolved repeated
// fever, high risk still isolating, hospital and a revoked pass; yellow for the rest.
var DefaultPassRules = PassRules{
	PassFever: PassRed, PassSymptoms: PassRed, PassRepeatedFever: PassRed, PassHighRiskIsolating: PassRed,
	PassInHospital: PassRed, PassRevoked: PassRed,
	PassIsolating: PassYellow, PassMediumRisk: PassYellow, PassMissedSlot: PassYellow, PassNotReported: PassYellow,
	PassDiscrepancy: PassYellow, PassNotArrived: PassYellow,
}

// Color is the colour the rules give c: the township's, else the default.
func (r PassRules) Color(c PassCondition) PassColor {
	if col, ok := r[c]; ok && col.Valid() {
		return col
	}
	return DefaultPassRules[c]
}

// String writes the rules that differ from the defaults as "cond:colour,…", as they are
// stored; empty when every rule is the default.
func (r PassRules) String() string {
	var parts []string
	for _, c := range PassConditions {
		if col := r.Color(c); col != DefaultPassRules[c] {
			parts = append(parts, string(c)+":"+string(col))
		}
	}
	return strings.Join(parts, ",")
}

// ParsePassRules reads stored rules; unknown entries (a condition since removed) are dropped.
func ParsePassRules(s string) PassRules {
	if s == "" {
		return nil // every rule the default, as DefaultPolicy has them
	}
	r := PassRules{}
	for _, part := range strings.Split(s, ",") {
		c, col, ok := strings.Cut(part, ":")
		if ok && PassCondition(c).Valid() && PassColor(col).Valid() {
			r[PassCondition(c)] = PassColor(col)
		}
	}
	return r
}

// Full returns every condition's colour.
func (r PassRules) Full() PassRules {
	out := PassRules{}
	for _, c := range PassConditions {
		out[c] = r.Color(c)
	}
	return out
}

// Revocation is a revoked pass: red (by default) until someone restores it.
type Revocation struct {
	WorkerID      int64
	TownshipID    int64
	EnterpriseID  int64
	Reason        string
	RevokedBy     int64
	RevokedByName string // filled on reads
	RevokedAt     time.Time
}

// PassFacts are what Fugong knows about a worker that their pass of a day depends on.
type PassFacts struct {
	Worker Worker // status, risk, arrival
	Zone   string // the enterprise's zone, for the counts by zone
	// Reports are the worker's check-ins of the day and the day before (others are ignored).
	Reports []Checkin
	// Unresolved are the types of the worker's alerts not yet resolved, of any day.
	Unresolved []AlertType
	Revoked    *Revocation // nil: not revoked
}

// PassReason is one condition that holds, with the colour it gives.
type PassReason struct {
	Condition PassCondition
	Color     PassColor
}

// Pass is a worker's pass of a day: its colour, why, and until when it holds.
type Pass struct {
	WorkerID int64
	Date     Date
	Color    PassColor
	Reasons  []PassReason // the conditions that hold and give a colour other than green, worst first
	// ValidUntil is the next moment the colour may change by the clock alone: the next slot's
	// cut-off of a worker due that day, or the end of the day.
	ValidUntil time.Time
}

// Pass is the one rule for a worker's pass of day d at the moment now (for a past day, the end
// of it): every condition that holds, each coloured by the township's rules, and the worst
// colour of them, green when none is yellow or red. The rule table is FIGURES.md's (复工码)
// and TestPassRule's.
func (t Township) Pass(f PassFacts, d Date, now time.Time) Pass {
	rules := t.Policy.PassRules
	p := Pass{WorkerID: f.Worker.ID, Date: d, Color: PassGreen, ValidUntil: t.passValidUntil(f, d, now)}
	for _, c := range t.passConditions(f, d, now) {
		col := rules.Color(c)
		if col == PassGreen {
			continue
		}
		p.Reasons = append(p.Reasons, PassReason{Condition: c, Color: col})
		if col.worse(p.Color) {
			p.Color = col
		}
	}
	slices.SortStableFunc(p.Reasons, func(a, b PassReason) int { return passRank[b.Color] - passRank[a.Color] })
	return p
}

// passConditions lists the conditions that hold for f on day d at now, in PassConditions order.
func (t Township) passConditions(f PassFacts, d Date, now time.Time) []PassCondition {
	w := f.Worker
	fever, symptoms := false, false
	reported := map[Slot]bool{}
	yesterdayPM := false
	for _, c := range f.Reports {
		if c.Date != d && c.Date != d.AddDays(-1) {
			continue
		}
		fever = fever || c.HadFever || t.Fever(c.Temperature)
		symptoms = symptoms || c.HadSymptoms
		if c.Date == d {
			reported[c.Slot] = true
		} else if c.Slot == SlotPM {
			yesterdayPM = true
		}
	}
	due := DueOn(w, d)
	missed := due && ((DueOn(w, d.AddDays(-1)) && !yesterdayPM) ||
		(!reported[SlotAM] && !now.Before(t.Cutoff(d, SlotAM))) ||
		(!reported[SlotPM] && !now.Before(t.Cutoff(d, SlotPM))))
	holds := map[PassCondition]bool{
		PassFever:             fever,
		PassSymptoms:          symptoms,
		PassRepeatedFever:     slices.Contains(f.Unresolved, AlertRepeatedFever),
		PassHighRiskIsolating: w.RiskLevel == RiskHigh && w.Status == WorkerIsolating,
		PassInHospital:        w.Status == WorkerInHospital,
		PassRevoked:           f.Revoked != nil,
		PassIsolating:         w.Status == WorkerIsolating,
		PassMediumRisk:        w.RiskLevel == RiskMedium,
		PassMissedSlot:        missed,
		PassNotReported:       due && len(reported) == 0 && now.Before(t.Cutoff(d, SlotAM)),
		PassDiscrepancy:       slices.Contains(f.Unresolved, AlertDiscrepancy),
		PassNotArrived:        !back(w, d) && w.Status != WorkerInHospital,
	}
	var out []PassCondition
	for _, c := range PassConditions {
		if holds[c] {
			out = append(out, c)
		}
	}
	return out
}

// passValidUntil is, for a worker due on d, the next cut-off after now of a slot of d still
// without a report (the pass may turn yellow then); otherwise the last second of d.
func (t Township) passValidUntil(f PassFacts, d Date, now time.Time) time.Time {
	next := t.Cutoff(d.AddDays(1), SlotAM)
	end := time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, next.Location()).Add(-time.Second)
	if !DueOn(f.Worker, d) {
		return end
	}
	for _, s := range []Slot{SlotAM, SlotPM} {
		reported := slices.ContainsFunc(f.Reports, func(c Checkin) bool { return c.Date == d && c.Slot == s })
		if c := t.Cutoff(d, s); !reported && now.Before(c) {
			return c
		}
	}
	return end
}

// PassCounts are how many passes of each colour.
type PassCounts struct {
	Green, Yellow, Red int
}

// Add counts one pass of colour c.
func (p *PassCounts) Add(c PassColor) {
	switch c {
	case PassGreen:
		p.Green++
	case PassYellow:
		p.Yellow++
	case PassRed:
		p.Red++
	}
}

// Total is every pass counted.
func (p PassCounts) Total() int { return p.Green + p.Yellow + p.Red }

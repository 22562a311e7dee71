package domain

import (
	"math"
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
	return t.passDay(d, now).pass(f)
}

// passDay is what every pass of one day at one moment shares: the day's cut-offs, worked out
// once for a township's thousands of workers rather than for each.
type passDay struct {
	rules        PassRules
	d, yesterday Date
	now          time.Time
	amCut, pmCut time.Time
	end          time.Time // the day's last second
	fever        Temperature
}

func (t Township) passDay(d Date, now time.Time) passDay {
	next := t.Cutoff(d.AddDays(1), SlotAM)
	return passDay{
		rules: t.Policy.PassRules, d: d, yesterday: d.AddDays(-1), now: now,
		amCut: t.Cutoff(d, SlotAM), pmCut: t.Cutoff(d, SlotPM),
		end:   time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, next.Location()).Add(-time.Second),
		fever: Temperature(math.Round(t.Policy.FeverThreshold * 10)),
	}
}

func (pd passDay) pass(f PassFacts) Pass {
	p := Pass{WorkerID: f.Worker.ID, Date: pd.d, Color: PassGreen, ValidUntil: pd.validUntil(f)}
	pd.conditions(f, func(c PassCondition) {
		col := pd.rules.Color(c)
		if col == PassGreen {
			return
		}
		p.Reasons = append(p.Reasons, PassReason{Condition: c, Color: col})
		if col.worse(p.Color) {
			p.Color = col
		}
	})
	slices.SortStableFunc(p.Reasons, func(a, b PassReason) int { return passRank[b.Color] - passRank[a.Color] })
	return p
}

// color is pass's colour alone, for the counts: the same conditions, nothing kept of them.
func (pd passDay) color(f PassFacts) PassColor {
	worst := PassGreen
	pd.conditions(f, func(c PassCondition) {
		if col := pd.rules.Color(c); col.worse(worst) {
			worst = col
		}
	})
	return worst
}

// conditions calls hold with each condition that holds for f, in PassConditions order.
func (pd passDay) conditions(f PassFacts, hold func(PassCondition)) {
	w := f.Worker
	fever, symptoms, am, pm, yesterdayPM := false, false, false, false, false
	for _, c := range f.Reports {
		if c.Date != pd.d && c.Date != pd.yesterday {
			continue
		}
		fever = fever || c.HadFever || c.Temperature >= pd.fever
		symptoms = symptoms || c.HadSymptoms
		switch {
		case c.Date == pd.d && c.Slot == SlotAM:
			am = true
		case c.Date == pd.d:
			pm = true
		case c.Slot == SlotPM:
			yesterdayPM = true
		}
	}
	due := DueOn(w, pd.d)
	missed := due && ((DueOn(w, pd.yesterday) && !yesterdayPM) ||
		(!am && !pd.now.Before(pd.amCut)) || (!pm && !pd.now.Before(pd.pmCut)))
	for _, c := range [...]struct {
		cond  PassCondition
		holds bool
	}{
		{PassFever, fever},
		{PassSymptoms, symptoms},
		{PassRepeatedFever, slices.Contains(f.Unresolved, AlertRepeatedFever)},
		{PassHighRiskIsolating, w.RiskLevel == RiskHigh && w.Status == WorkerIsolating},
		{PassInHospital, w.Status == WorkerInHospital},
		{PassRevoked, f.Revoked != nil},
		{PassIsolating, w.Status == WorkerIsolating},
		{PassMediumRisk, w.RiskLevel == RiskMedium},
		{PassMissedSlot, missed},
		{PassNotReported, due && !am && !pm && pd.now.Before(pd.amCut)},
		{PassDiscrepancy, slices.Contains(f.Unresolved, AlertDiscrepancy)},
		{PassNotArrived, !back(w, pd.d) && w.Status != WorkerInHospital},
	} {
		if c.holds {
			hold(c.cond)
		}
	}
}

// validUntil is, for a worker due on the day, the next cut-off after now of a slot of the day
// still without a report (the pass may turn yellow then); otherwise the day's last second.
func (pd passDay) validUntil(f PassFacts) time.Time {
	if !DueOn(f.Worker, pd.d) {
		return pd.end
	}
	for _, s := range [...]struct {
		slot Slot
		cut  time.Time
	}{{SlotAM, pd.amCut}, {SlotPM, pd.pmCut}} {
		reported := slices.ContainsFunc(f.Reports, func(c Checkin) bool { return c.Date == pd.d && c.Slot == s.slot })
		if !reported && pd.now.Before(s.cut) {
			return s.cut
		}
	}
	return pd.end
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

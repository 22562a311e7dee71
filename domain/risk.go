package domain

import (
	"fugong/domain/region"
)

// Assess grades a worker's risk from where they return from, their travel and contact
// history, and the township's key areas, and says why in words HR and the town understand:
//   - high: returns from a high-risk key area, or had contact with a confirmed or suspected case;
//   - medium: returns from a medium-risk key area, or stayed in or passed through a key area in
//     the last 14 days;
//   - low: everyone else (a low-risk key area is watched, not restricted).
func (t Township) Assess(w Worker) (RiskLevel, string) {
	area, inArea := t.keyAreaOf(w.OriginRegion)
	place := regionName(w.OriginRegion)
	switch {
	case inArea && area.RiskLevel == RiskHigh:
		return RiskHigh, "来自高风险地区 " + place
	case w.ContactHistory:
		return RiskHigh, "与确诊或疑似病例有接触史"
	case inArea && area.RiskLevel == RiskMedium:
		return RiskMedium, "来自中风险地区 " + place
	case w.KeyAreaExposure:
		return RiskMedium, "14 天内到过重点地区"
	case inArea:
		return RiskLow, "来自低风险地区 " + place
	}
	return RiskLow, "无重点地区旅居史和接触史"
}

// keyAreaOf returns the most specific key area that contains code: a county listed on its own
// overrides the city or province around it.
func (t Township) keyAreaOf(code string) (KeyArea, bool) {
	var best KeyArea
	found := false
	for _, a := range t.KeyAreas {
		if region.Contains(a.RegionCode, code) && (!found || region.LevelOf(a.RegionCode) > region.LevelOf(best.RegionCode)) {
			best, found = a, true
		}
	}
	return best, found
}

// MustIsolate reports whether the township's policy isolates workers of this risk level.
func (t Township) MustIsolate(level RiskLevel) bool {
	for _, l := range t.Policy.IsolationLevels {
		if l == level {
			return true
		}
	}
	return false
}

// settle brings a worker's derived fields up to date: risk and its reason, and, for a worker
// who is back, the isolation the policy demands and the status that follows. A worker who must
// isolate stays isolating until HR puts them on duty once the period is over; HR's own
// decisions (left, in hospital, an isolation HR ordered) stand.
func (t Township) settle(w *Worker, today Date) {
	w.RiskLevel, w.RiskReason = t.Assess(*w)
	switch {
	case w.Status == WorkerLeft || w.Status == WorkerInHospital:
	case w.ArrivedOn.IsZero():
		w.Status, w.IsolationStart, w.IsolationUntil = WorkerExpected, Date{}, Date{}
	case t.MustIsolate(w.RiskLevel):
		start, until := w.ArrivedOn, w.ArrivedOn.AddDays(t.Policy.IsolationDays)
		if w.Status == WorkerIsolating && w.IsolationStart != w.ArrivedOn && w.IsolationUntil.After(until) {
			// HR ordered this isolation (it starts on the day of the order, not on arrival) and it
			// ends later than the policy's: it stands.
			start, until = w.IsolationStart, w.IsolationUntil
		}
		w.IsolationStart, w.IsolationUntil = start, until
		if w.Status != WorkerOnDuty || w.IsolationUntil.After(today) {
			w.Status = WorkerIsolating
		}
	case w.Status == WorkerIsolating && w.IsolationUntil.After(today):
	default:
		w.Status, w.IsolationStart, w.IsolationUntil = WorkerOnDuty, Date{}, Date{}
	}
}

// regionName names a region for messages, or shows its code when the table does not know it.
func regionName(code string) string {
	if n, ok := region.Name(code); ok {
		return n
	}
	return code
}

// IsolationDaysLeft counts the days of isolation still to go on today, 0 when over or none.
func (w Worker) IsolationDaysLeft(today Date) int {
	if w.IsolationUntil.IsZero() || !w.IsolationUntil.After(today) {
		return 0
	}
	return today.DaysUntil(w.IsolationUntil)
}

// ArrivalAlerts is the alert a worker's return from a key area raises, on the day they arrive,
// so that the enterprise and its supervisor (the town too, for a high-risk area) see it at
// once. Nothing for a worker not back yet or not from a key area.
func (t Township) ArrivalAlerts(w Worker) []Alert {
	area, ok := t.keyAreaOf(w.OriginRegion)
	if !ok || w.ArrivedOn.IsZero() {
		return nil
	}
	return []Alert{{
		TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID, Type: AlertKeyAreaArrival,
		Date: w.ArrivedOn, Escalated: area.RiskLevel == RiskHigh, Status: AlertOpen,
		Detail: "自重点地区 " + regionName(w.OriginRegion) + " 返回(" + area.RiskLevel.Label() + ")",
	}}
}

// Label is the risk level as people say it.
func (r RiskLevel) Label() string {
	return map[RiskLevel]string{RiskHigh: "高风险", RiskMedium: "中风险", RiskLow: "低风险"}[r]
}

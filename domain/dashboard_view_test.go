package domain

import "testing"

// TestDashboardViewKey: two questions have the same key only when they are the same question:
// scope, filters (a separator inside one too) and days.
func TestDashboardViewKey(t *testing.T) {
	d := NewDate(2020, 2, 10)
	of := func(f StatsFilter, from, to Date) DashboardView {
		return DashboardView{view: view{filter: f, date: to}, from: from}
	}
	town := StatsFilter{TownshipID: 1}
	views := map[string]DashboardView{
		"TownAdmin":     of(town, d, d),
		"OtherTownship": of(StatsFilter{TownshipID: 2}, d, d),
		"Supervisor":    of(StatsFilter{TownshipID: 1, SupervisorID: 7}, d, d),
		"Zone":          of(StatsFilter{TownshipID: 1, Zone: "一区|x"}, d, d),
		"ZoneIndustry":  of(StatsFilter{TownshipID: 1, Zone: "一区", Industry: "x"}, d, d),
		"OtherDay":      of(town, d.AddDays(-1), d.AddDays(-1)),
		"Trend":         of(town, d.AddDays(-13), d),
	}
	seen := map[string]string{}
	for name, v := range views {
		k := v.Key()
		if other, ok := seen[k]; ok {
			t.Errorf("%s and %s: got the same key %q, want their own", name, other, k)
		}
		seen[k] = name
	}
	if views["TownAdmin"].Key() != of(town, d, d).Key() {
		t.Errorf("got another key for the same question")
	}
}

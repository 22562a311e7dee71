package domain

import (
	"context"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"time"
)

// SpotCheck is one measurement at the gate (现场抽查): who was checked, by whom and when, what
// was measured, the same slot's self-report as it stood then, and what comparing them found.
type SpotCheck struct {
	ID           int64
	TownshipID   int64
	EnterpriseID int64
	WorkerID     int64
	CheckerID    int64
	Date         Date
	Slot         Slot
	CheckedAt    time.Time
	Present      bool
	Temperature  Temperature // 0 when the person was not there
	Fever        bool        // the measured temperature at or above the threshold
	Color        PassColor   // the worker's pass when checked
	SelfReport   *Checkin    // the slot's self-report when checked; nil for none
	Discrepancy  string      // what the comparison found; empty: the self-report held
	AlertID      int64       // the discrepancy alert; 0 for none
	Note         string

	// Filled on reads.
	EnterpriseName string
	Zone           string
	WorkerName     string
	CheckerName    string
}

// SpotCheckInput is what the gate sends.
type SpotCheckInput struct {
	WorkerID    int64
	Present     bool
	Temperature *float64 // °C; required when present
	Note        string
}

// Discrepancy compares a measurement at the gate with the slot's self-report (nil: none) and
// the worker's pass, and says what does not hold, in words with both readings; empty when all
// does. The three cases of issue 19: a fever measured against a normal self-report (or none),
// a self-report "at work" for someone not there, and a yellow or red pass on site.
func (t Township) Discrepancy(c SpotCheck, self *Checkin) string {
	var out []string
	slot := map[Slot]string{SlotAM: "上午", SlotPM: "下午"}[c.Slot]
	switch {
	case c.Present && c.Fever && self == nil:
		out = append(out, "现场测得 "+c.Temperature.String()+" °C,本时段("+slot+")未自报")
	case c.Present && c.Fever && !t.Fever(self.Temperature) && !self.HadFever:
		out = append(out, "现场测得 "+c.Temperature.String()+" °C,自报 "+self.Temperature.String()+" °C("+slot+")")
	}
	if !c.Present && self != nil && self.Location == AtWork {
		out = append(out, "自报在岗("+slot+" "+self.Temperature.String()+" °C),现场未见本人")
	}
	if c.Present && c.Color != PassGreen {
		out = append(out, c.Color.Label()+"人员在现场")
	}
	s := ""
	for i, o := range out {
		if i > 0 {
			s += ";"
		}
		s += o
	}
	return s
}

// SampleCandidate is an on-duty worker who may be drawn for a spot check.
type SampleCandidate struct {
	Worker            Worker
	RecentDiscrepancy bool // a spot check of theirs found a discrepancy in the last SampleLookback days
}

// SampleLookback is how far back a discrepancy weighs a worker's draw.
const SampleLookback = 14

// SampleWeight is how much more likely than others a candidate is drawn, and why in words:
// medium risk ×2, high risk ×4, a recent discrepancy ×3 (the weights multiply).
func SampleWeight(c SampleCandidate) (float64, string) {
	w, why := 1.0, ""
	switch c.Worker.RiskLevel {
	case RiskHigh:
		w, why = 4, "高风险"
	case RiskMedium:
		w, why = 2, "中风险"
	}
	if c.RecentDiscrepancy {
		w *= 3
		if why != "" {
			why += "、"
		}
		why += "近" + strconv.Itoa(SampleLookback) + "日抽查不符"
	}
	return w, why
}

// Sample draws a day's spot-check sample: of each enterprise's candidates, percent of them
// (rounded up, at least one of an enterprise that has any), by weighted sampling without
// replacement (Efraimidis–Spirakis: the largest u^(1/w), u a hash of the day and the worker
// in (0, 1)), so that the draw is the same for the whole day in every process and a new
// candidate changes it only by their own place. Returns the drawn workers' IDs by enterprise,
// most weighted first.
func Sample(cands []SampleCandidate, percent int, d Date) map[int64][]int64 {
	type keyed struct {
		id  int64
		key float64
	}
	byEnterprise := map[int64][]keyed{}
	for _, c := range cands {
		w, _ := SampleWeight(c)
		u := unitHash(d.String() + "|" + strconv.FormatInt(c.Worker.ID, 10))
		byEnterprise[c.Worker.EnterpriseID] = append(byEnterprise[c.Worker.EnterpriseID],
			keyed{c.Worker.ID, math.Pow(u, 1/w)})
	}
	out := map[int64][]int64{}
	for e, ks := range byEnterprise {
		slices.SortFunc(ks, func(a, b keyed) int {
			if a.key != b.key {
				if a.key > b.key {
					return -1
				}
				return 1
			}
			return int(a.id - b.id)
		})
		n := int(math.Ceil(float64(len(ks)) * float64(percent) / 100))
		n = max(1, min(n, len(ks)))
		for _, k := range ks[:n] {
			out[e] = append(out[e], k.id)
		}
	}
	return out
}

// unitHash maps s to (0, 1), evenly enough for a draw.
func unitHash(s string) float64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return (float64(h.Sum64()>>11) + 0.5) / (1 << 53)
}

// SpotFigures are the spot-check figures of a day or a span of days (FIGURES.md, 抽查核验).
type SpotFigures struct {
	Checks        int // spot checks recorded
	Checked       int // distinct workers checked (per day; summed over days)
	OnDuty        int // distinct workers with a check-in at work (per day; summed over days)
	Discrepancies int // checks that found a discrepancy
}

// Add adds g's counts to f.
func (f *SpotFigures) Add(g SpotFigures) {
	f.Checks += g.Checks
	f.Checked += g.Checked
	f.OnDuty += g.OnDuty
	f.Discrepancies += g.Discrepancies
}

// Coverage is checked / on duty: the share of the people at work someone measured; 0 without
// anybody on duty.
func (f SpotFigures) Coverage() float64 { return ratio(f.Checked, f.OnDuty) }

// DiscrepancyRate is discrepancies / checks: how far self-reports failed a check.
func (f SpotFigures) DiscrepancyRate() float64 { return ratio(f.Discrepancies, f.Checks) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// SpotCheckFilter selects spot checks; zero fields do not filter.
type SpotCheckFilter struct {
	TownshipID    int64
	EnterpriseIDs []int64 // only these enterprises (nil: any)
	WorkerID      int64
	Date          Date
	From, To      Date
	Page
}

// SpotDay is one enterprise's spot-check figures of one day.
type SpotDay struct {
	EnterpriseID int64
	Date         Date
	SpotFigures
}

// SpotCheckStore keeps spot checks.
type SpotCheckStore interface {
	// Create inserts a spot check and sets its ID.
	Create(ctx context.Context, c *SpotCheck) error
	// List returns the matching checks, newest first, with names, and how many match.
	List(ctx context.Context, f SpotCheckFilter) ([]SpotCheck, int, error)
	// Figures counts the spot-check figures of each enterprise (of enterpriseIDs, nil: all of the
	// township's) and day from..to, in one read; enterprise-days without checks or anyone on
	// duty are left out.
	Figures(ctx context.Context, townshipID int64, enterpriseIDs []int64, from, to Date) ([]SpotDay, error)
	// RecentDiscrepancies returns which of the township's workers a check found a discrepancy
	// of from..to.
	RecentDiscrepancies(ctx context.Context, townshipID int64, from, to Date) (map[int64]bool, error)
}

// PassFactsFilter selects whose pass facts to read: the given workers, or the given
// enterprises' (nil: the whole township's), never those who left.
type PassFactsFilter struct {
	WorkerIDs     []int64
	EnterpriseIDs []int64
	Phone         string // only the workers with this phone
}

// PassStore reads what passes depend on and keeps revocations.
type PassStore interface {
	// Facts reads the pass facts of day d of the township's workers who have not left: each
	// worker (ID, enterprise and its name and zone, name, phone, department, shift name,
	// status, risk, arrival, isolation), their check-ins of d and the day before, the types
	// of their unresolved alerts and their revocation, in a few reads for any number.
	Facts(ctx context.Context, townshipID int64, d Date, f PassFactsFilter) ([]PassFacts, error)
	// EachColorFacts calls fn with the facts a pass's colour is worked out from, one worker
	// at a time in no set order, keeping none: for counting a township's passes without
	// holding them all. Of the worker it fills only the ID, township, enterprise and its name,
	// status, risk and arrival; the rest of the facts as Facts. fn must not keep the pointer;
	// an error of fn ends the read and is returned.
	EachColorFacts(ctx context.Context, townshipID int64, d Date, f PassFactsFilter, fn func(*PassFacts) error) error
	// Revoke keeps a revocation, replacing the worker's earlier one.
	Revoke(ctx context.Context, r Revocation) error
	// Restore removes a worker's revocation and says whether there was one.
	Restore(ctx context.Context, workerID int64) (bool, error)
}

package domain

// FigureKind is how a figure reads: a count of people, slots or alerts, or a share.
type FigureKind int

// The kinds of figures.
const (
	FigureCount FigureKind = iota
	FigureShare
)

// NoValue is what a page or sheet shows for a figure that has none on a day: the completion
// of a day nobody was due, which is no completion at all, not 100%.
const NoValue = "—"

// FigureDef is one figure as users see it: its field in the API, its name on every page and
// sheet (FIGURES.md defines each), and how it reads off the day's Figures.
type FigureDef struct {
	Key   string // the API's field name
	Label string // the name pages and sheets give it
	Kind  FigureKind
	// Value is the figure: an int for a count; for a share a float64 from 0 to 1, or nil when
	// it has none.
	Value func(Figures) any
}

// FigureDefs are the figures of a day, in the order the sheets show them. The dashboard,
// daily.xlsx, range.xlsx and the API answers all take them from here, and a test reads every
// one of them off all of these and compares.
var FigureDefs = []FigureDef{
	count("workers_total", "花名册人数", func(f Figures) int { return f.Roster }),
	count("workers_returned", "已返岗", func(f Figures) int { return f.Returned }),
	count("workers_on_duty", "在岗", func(f Figures) int { return f.OnDuty }),
	count("workers_isolating", "隔离观察", func(f Figures) int { return f.Isolating }),
	count("workers_key_area", "重点地区返回", func(f Figures) int { return f.KeyArea }),
	count("workers_due", "应打卡", func(f Figures) int { return f.Due }),
	count("checkins_am", "上午已打卡", func(f Figures) int { return f.CheckinsAM }),
	count("checkins_pm", "下午已打卡", func(f Figures) int { return f.CheckinsPM }),
	count("missing_am", "上午未打卡", Figures.MissingAM),
	count("missing_pm", "下午未打卡", Figures.MissingPM),
	count("late", "迟报", func(f Figures) int { return f.Late }),
	{Key: "completion", Label: "完成率", Kind: FigureShare, Value: func(f Figures) any {
		if share, ok := f.Completion(); ok {
			return share
		}
		return nil
	}},
	count("fever", "发热", func(f Figures) int { return f.Fever }),
	count("symptomatic", "有症状", func(f Figures) int { return f.Symptomatic }),
	count("unregistered", "未登记返岗", func(f Figures) int { return f.Unregistered }),
	count("alerts_new", "新增预警", func(f Figures) int { return f.Alerts }),
	count("alerts_open", "未处理预警", func(f Figures) int { return f.AlertsOpen }),
}

func count(key, label string, of func(Figures) int) FigureDef {
	return FigureDef{Key: key, Label: label, Kind: FigureCount, Value: func(f Figures) any { return of(f) }}
}

// FigureByKey returns the definition with the key; ok false when there is none.
func FigureByKey(key string) (FigureDef, bool) {
	for _, d := range FigureDefs {
		if d.Key == key {
			return d, true
		}
	}
	return FigureDef{}, false
}

package daily

import (
	"time"

	"fugong/domain"
)

// Option changes how a workbook is written.
type Option func(*options)

type options struct {
	titleNote string // after each title row's title
}

func optionsOf(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// DataAsOf says in the workbook's title rows when its data are as of —
// "(数据截至 2026-02-10 08:12:03)" in the township's time zone — for a report read from a
// replica that may be a few seconds behind. A zero time says nothing: the data were read from
// the primary and are as fresh as there is.
func DataAsOf(at time.Time, t domain.Township) Option {
	return func(o *options) {
		if at.IsZero() {
			o.titleNote = ""
			return
		}
		loc, err := time.LoadLocation(t.Timezone)
		if err != nil || t.Timezone == "" {
			loc = time.FixedZone("CST", 8*3600) // every township is in China
		}
		o.titleNote = "(数据截至 " + at.In(loc).Format("2006-01-02 15:04:05") + ")"
	}
}

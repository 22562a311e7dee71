package main

import (
	"fmt"
	"time"

	"fugong/scripts/internal/loadtest"
)

// newTable is a scenario's table: measure, value, what it must be, verdict.
func newTable(title string) *loadtest.Table {
	return &loadtest.Table{Title: title, Header: []string{"measure", "value", "must be", "verdict"}}
}

// verdict marks an invariant held or failed; a failed one's name is added to failed.
func verdict(ok bool, failed *[]string, name string) string {
	if ok {
		return "✅"
	}
	*failed = append(*failed, name)
	return "❌"
}

// seconds shows a duration in seconds, to the millisecond.
func seconds(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

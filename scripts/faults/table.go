package main

import (
	"fmt"
	"strings"
	"time"
)

// table is one markdown table of results: measure, value, what it must be, verdict.
type table struct {
	title string
	rows  [][]string
}

func (t *table) add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = fmt.Sprint(c)
	}
	t.rows = append(t.rows, row)
}

func (t *table) print() {
	if t.title != "" {
		fmt.Printf("**%s**\n\n", t.title)
	}
	fmt.Println("| measure | value | must be | verdict |\n|---|---|---|---|")
	for _, r := range t.rows {
		fmt.Printf("| %s |\n", strings.Join(r, " | "))
	}
	fmt.Println()
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

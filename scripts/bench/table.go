package main

import (
	"fmt"
	"strings"
)

// table is one markdown table of results.
type table struct {
	title  string
	header []string
	rows   [][]string
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
	fmt.Printf("| %s |\n|%s\n", strings.Join(t.header, " | "), strings.Repeat("---|", len(t.header)))
	for _, r := range t.rows {
		fmt.Printf("| %s |\n", strings.Join(r, " | "))
	}
	fmt.Println()
}

// verdict says whether a target holds, for the tables' last column.
func verdict(ok bool) string {
	if ok {
		return "✅ met"
	}
	return "❌ missed"
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

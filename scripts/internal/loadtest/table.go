package loadtest

import (
	"fmt"
	"strings"
)

// Table is one markdown table of results, printed under its title in bold.
type Table struct {
	Title  string
	Header []string
	rows   [][]string
}

// Add appends a row, each cell as fmt.Sprint shows it.
func (t *Table) Add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = fmt.Sprint(c)
	}
	t.rows = append(t.rows, row)
}

// Print writes the table to standard output, followed by an empty line.
func (t *Table) Print() {
	if t.Title != "" {
		fmt.Printf("**%s**\n\n", t.Title)
	}
	fmt.Printf("| %s |\n|%s\n", strings.Join(t.Header, " | "), strings.Repeat("---|", len(t.Header)))
	for _, r := range t.rows {
		fmt.Printf("| %s |\n", strings.Join(r, " | "))
	}
	fmt.Println()
}

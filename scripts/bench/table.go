package main

import "fmt"

// verdict says whether a target holds, for the tables' last column.
func verdict(ok bool) string {
	if ok {
		return "✅ met"
	}
	return "❌ missed"
}

// ratio shows a/b as the tables' ratio column does, "–" when b is nothing to divide by.
func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// Package region knows China's administrative divisions (GB/T 2260): provinces, cities and
// counties by their six-digit codes. The table is generated from a maintained npm package by
// scripts/regions and embedded, so a lookup needs no network and no database.
package region

import (
	_ "embed"
	"strings"
)

//go:embed regions.tsv
var table string

var names = func() map[string]string {
	m := make(map[string]string, 3300)
	for _, line := range strings.Split(table, "\n") {
		code, name, ok := strings.Cut(line, "\t")
		if ok && !strings.HasPrefix(line, "#") {
			m[code] = name
		}
	}
	return m
}()

// Level says how large a division is.
type Level int

// The levels of GB/T 2260.
const (
	Province Level = iota + 1
	City
	County
)

// LevelOf tells the level a code's form implies: XX0000 a province, XXYY00 a city, else a
// county.
func LevelOf(code string) Level {
	switch {
	case strings.HasSuffix(code, "0000"):
		return Province
	case strings.HasSuffix(code, "00"):
		return City
	}
	return County
}

// Known reports whether code is a division in the table.
func Known(code string) bool {
	_, ok := names[code]
	return ok
}

// Name returns the full name of a division, from the province down: 山东省滨州市邹平市.
// A code no longer in use (divisions are merged and renamed; ID numbers keep the code of
// birth) is named by the nearest enclosing division that is. ok is false when not even the
// province is known.
func Name(code string) (string, bool) {
	if len(code) != 6 {
		return "", false
	}
	prov, ok := names[code[:2]+"0000"]
	if !ok {
		return "", false
	}
	full := prov
	if city, ok := names[code[:4]+"00"]; ok && LevelOf(code) != Province {
		full += city
	}
	if county, ok := names[code]; ok && LevelOf(code) == County {
		full += county
	}
	return full, true
}

// Contains reports whether division outer contains code (or is it): a province contains its
// cities and counties, a city its counties.
func Contains(outer, code string) bool {
	if len(outer) != 6 || len(code) != 6 {
		return false
	}
	switch LevelOf(outer) {
	case Province:
		return outer[:2] == code[:2]
	case City:
		return outer[:4] == code[:4]
	}
	return outer == code
}

// ProvinceOf returns the province code of a division.
func ProvinceOf(code string) string {
	if len(code) != 6 {
		return ""
	}
	return code[:2] + "0000"
}

var byName = func() map[string]string {
	m := map[string]string{}
	seen := map[string]int{}
	for code, name := range names {
		if full, ok := Name(code); ok {
			m[full] = code
		}
		seen[name]++
		m["\x00"+name] = code
	}
	for k, code := range m {
		if strings.HasPrefix(k, "\x00") {
			delete(m, k)
			if name := k[1:]; seen[name] == 1 {
				if _, taken := m[name]; !taken {
					m[name] = code
				}
			}
		}
	}
	return m
}()

// Find reads what a person types for a place: a six-digit code in the table, a full name from
// the province down ("湖北省武汉市"), or a division's own name when only one division has it
// ("武汉市", but not "朝阳区", which Beijing and Changchun both have).
func Find(s string) (string, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if Known(s) {
		return s, true
	}
	code, ok := byName[s]
	return code, ok
}

// Division is a code with its full name.
type Division struct {
	Code string
	Name string
}

// Search returns up to limit divisions whose full name contains q, provinces first, then
// cities, then counties, so that typing 武汉 offers 湖北省武汉市 before its districts.
func Search(q string, limit int) []Division {
	q = strings.TrimSpace(q)
	if q == "" || limit <= 0 {
		return nil
	}
	var out []Division
	for _, level := range []Level{Province, City, County} {
		for _, code := range sortedCodes {
			if LevelOf(code) != level {
				continue
			}
			full, _ := Name(code)
			if strings.Contains(full, q) || strings.HasPrefix(code, q) {
				out = append(out, Division{Code: code, Name: full})
				if len(out) == limit {
					return out
				}
			}
		}
	}
	return out
}

var sortedCodes = func() []string {
	out := make([]string, 0, len(names))
	for _, line := range strings.Split(table, "\n") {
		if code, _, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") {
			out = append(out, code)
		}
	}
	return out
}()

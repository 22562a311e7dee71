package roster

import (
	"regexp"
	"strings"
	"unicode"

	"fugong/domain"
)

// The template's two sheets. Stream does not depend on these names: HR renames sheets and
// pastes rosters into workbooks of their own.
const (
	rosterSheet = "花名册"
	guideSheet  = "填写说明"
)

// exampleMark starts the name cell of the template's example row. Stream skips any row
// whose name starts with it: a mark in the cell's own text survives copying, re-saving in WPS
// or LibreOffice and reordering columns, where a comment or a style would not, and no Chinese
// name starts with 示例.
const exampleMark = "示例"

// errorHeader heads the column Annotate adds. Stream ignores it like any unknown
// header, so an annotated workbook can be corrected and uploaded again as it is.
const errorHeader = "错误说明"

// parenthesised matches a note in brackets in a header, "返回地（区划代码或名称）", after
// full-width brackets are narrowed; an unclosed one runs to the end.
var parenthesised = regexp.MustCompile(`\([^)]*(\)|$)`)

// normalizeHeader reduces a header cell to what identifies its column: HR's own sheets mark
// required columns with "*", add notes in brackets, type full-width letters and break long
// headers over two lines.
func normalizeHeader(s string) string {
	s = domain.NarrowText(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	s = parenthesised.ReplaceAllString(s, "")
	return strings.Trim(s, "*")
}

// headerMatch is how a header names a column: by the template's header (rank 0) or by an alias
// (rank 1). When two columns of a sheet name the same roster column, the better rank wins,
// then the leftmost: a sheet with both 手机号 and 联系电话 reads 手机号.
type headerMatch struct {
	key  string
	rank int
}

// headerKeys maps every normalised header and alias to its column.
var headerKeys = func() map[string]headerMatch {
	m := map[string]headerMatch{}
	for _, c := range domain.RosterColumns {
		for _, a := range c.Aliases {
			if _, taken := m[normalizeHeader(a)]; !taken {
				m[normalizeHeader(a)] = headerMatch{key: c.Key, rank: 1}
			}
		}
	}
	for _, c := range domain.RosterColumns {
		m[normalizeHeader(c.Header)] = headerMatch{key: c.Key, rank: 0}
	}
	return m
}()

// columnByKey finds a roster column by key.
func columnByKey(key string) (domain.RosterColumn, bool) {
	for _, c := range domain.RosterColumns {
		if c.Key == key {
			return c, true
		}
	}
	return domain.RosterColumn{}, false
}

// layout is where a sheet keeps the roster: its header row, the header cells as the sheet
// writes them, and the 0-based index of each roster column it has.
type layout struct {
	headerRow int
	cells     []string
	col       map[string]int
}

// mapHeader reads a header row.
func mapHeader(row int, cells []string) layout {
	l := layout{headerRow: row, cells: cells, col: map[string]int{}}
	rank := map[string]int{}
	for i, cell := range cells {
		if cell == "" {
			continue
		}
		m, ok := headerKeys[normalizeHeader(cell)]
		if !ok {
			continue
		}
		if r, seen := rank[m.key]; seen && r <= m.rank {
			continue
		}
		rank[m.key], l.col[m.key] = m.rank, i
	}
	return l
}

// columns lists the sheet columns the roster uses: the only ones read below the header.
func (l layout) columns() []int {
	cols := make([]int, 0, len(l.col))
	for _, i := range l.col {
		cols = append(cols, i)
	}
	return cols
}

// column finds the sheet column an error names: by the header as the sheet writes it, or by
// the template's header or an alias of the same roster column, since domain names columns by
// the template's headers. ok is false for a column the sheet does not have.
func (l layout) column(name string) (int, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return 0, false
	}
	for i, c := range l.cells {
		if strings.TrimSpace(c) == name {
			return i, true
		}
	}
	if m, ok := headerKeys[normalizeHeader(name)]; ok {
		i, ok := l.col[m.key]
		return i, ok
	}
	return 0, false
}

// missing lists the required columns the sheet does not have, in template order.
func (l layout) missing() []domain.RosterColumn {
	var out []domain.RosterColumn
	for _, c := range domain.RosterColumns {
		if _, ok := l.col[c.Key]; c.Required && !ok {
			out = append(out, c)
		}
	}
	return out
}

// cleanCell trims what spreadsheets carry around a value (ASCII, full-width and no-break
// spaces, zero-width spaces, a byte-order mark) and narrows full-width digits, letters and
// spaces. It does not call domain.NarrowText on every cell: width.Narrow also turns the
// Chinese punctuation of free text (。、「」) into half-width katakana forms (｡､｢｣). The fields
// that need more (ID numbers, phones, dates) narrow themselves when domain parses them.
func cleanCell(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r >= 'Ａ' && r <= 'Ｚ':
			return r - 'Ａ' + 'A'
		case r >= 'ａ' && r <= 'ｚ':
			return r - 'ａ' + 'a'
		case r == '\u3000', r == '\u00a0':
			return ' '
		}
		return r
	}, s)
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
	})
}

package daily

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The people sheets' rows are written as XML here rather than through excelize's StreamWriter,
// byte for byte what SetRow writes for the same cells (TestRowsXMLAsSetRow holds them equal).
// SetRow builds each cell's structures, escapes into a new string and copies it again: for a
// township's 25,000-row missed list it was three quarters of writing the people sheets and the
// longest part of daily.xlsx (BENCHMARKS.md). excelize still writes each sheet around its rows
// (header, columns, panes, filter, print setup); splicingZip puts the rows in when the
// workbook is packed.

// rowsXML is the rows of one sheet under its header, as the sheet's XML says them.
type rowsXML struct {
	buf     blockBuffer
	refs    []string // the columns' letters
	row     int      // the last row written
	rowText string   // its number
}

func newRowsXML(cols, headerRow int) *rowsXML {
	x := &rowsXML{row: headerRow}
	for i := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		x.refs = append(x.refs, name)
	}
	return x
}

// add writes the next row: the cells of values that are not nil, each an excelize.Cell (by
// pointer, as streamLine makes them) or a plain value.
func (x *rowsXML) add(values []any) error {
	x.row++
	x.rowText = strconv.Itoa(x.row)
	b := &x.buf
	b.WriteString(`<row r="`)
	b.WriteString(x.rowText)
	b.WriteString(`">`)
	for i, v := range values {
		if v == nil {
			continue
		}
		style := 0
		switch c := v.(type) {
		case *excelize.Cell:
			style, v = c.StyleID, c.Value
		case excelize.Cell:
			style, v = c.StyleID, c.Value
		}
		if err := x.cell(i, style, v); err != nil {
			return err
		}
	}
	b.WriteString(`</row>`)
	return nil
}

// cell writes one cell as writeCell does for what setCellValFunc makes of v: numbers as
// numbers, times as date serials, the rest as inline strings.
func (x *rowsXML) cell(col, style int, v any) error {
	var value string
	switch v := v.(type) {
	case nil:
	case string:
		return x.text(col, style, v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return x.text(col, style, fmt.Sprint(v))
		}
		value = formatFloat(v)
	case int:
		value = strconv.Itoa(v)
	case int64:
		value = strconv.FormatInt(v, 10)
	case time.Time:
		if style == 0 {
			// SetRow would make a date style of its own; every date of ours has one.
			return fmt.Errorf("a date without a style in column %s", x.refs[col])
		}
		serial, ok := excelSerial(v)
		if !ok {
			return fmt.Errorf("a date before 1900 in column %s", x.refs[col])
		}
		value = strconv.FormatFloat(serial, 'f', -1, 64)
	default:
		return fmt.Errorf("no cell for a %T in column %s", v, x.refs[col])
	}
	x.open(col, style, "")
	if value != "" {
		x.buf.WriteString(`<v>`)
		x.buf.WriteString(value) // digits, a point and a sign: nothing to escape
		x.buf.WriteString(`</v>`)
	}
	x.buf.WriteString(`</c>`)
	return nil
}

// formatFloat writes a number as excelize does: the shortest decimal that reads back the same,
// with digits past the fifteenth, Excel's precision, made zeros.
func formatFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if math.Abs(v) == math.MaxFloat64 {
		return s
	}
	point := strings.IndexByte(s, '.')
	significant := 0
	for i := range s {
		if s[i] < '0' || s[i] > '9' || significant == 0 && s[i] == '0' {
			continue
		}
		if significant++; significant <= 15 {
			continue
		}
		if point >= 0 && i > point {
			return strings.TrimSuffix(s[:i], ".")
		}
		if point < 0 {
			point = len(s)
		}
		cut := []byte(s[:point])
		for ; i < len(cut); i++ {
			cut[i] = '0'
		}
		return string(cut)
	}
	return s
}

// open writes a cell's start tag.
func (x *rowsXML) open(col, style int, kind string) {
	b := &x.buf
	b.WriteString(`<c r="`)
	b.WriteString(x.refs[col])
	b.WriteString(x.rowText)
	b.WriteString(`"`)
	if style != 0 {
		b.WriteString(` s="`)
		b.WriteString(strconv.Itoa(style))
		b.WriteString(`"`)
	}
	if kind != "" {
		b.WriteString(` t="`)
		b.WriteString(kind)
		b.WriteString(`"`)
	}
	b.WriteString(`>`)
}

// text writes an inline string cell as excelize does: cut to Excel's 32,767 characters,
// kept whole when it starts or ends with a space (xml:space), escaped for XML (a line break
// left as it is), and "_xHHHH_" written so that Excel does not read it as an escape.
func (x *rowsXML) text(col, style int, s string) error {
	if len(s) > excelize.TotalCellChars { // bytes ≥ UTF-16 units: only long text can be over
		s = cutUTF16(s, excelize.TotalCellChars)
	}
	preserve := false
	if s != "" {
		first, last := s[0], s[len(s)-1]
		for _, c := range []byte{'\t', '\n', '\r', ' '} {
			preserve = preserve || first == c || last == c
		}
	}
	x.open(col, style, "inlineStr")
	x.buf.WriteString(`<is><t`)
	if preserve {
		x.buf.WriteString(` xml:space="preserve"`)
	}
	x.buf.WriteString(`>`)
	if strings.Contains(s, "_x") { // the regexps only where they may match
		s = bstrMarshal(s)
	}
	escapeText(&x.buf, s)
	x.buf.WriteString(`</t></is></c>`)
	return nil
}

// bstrMarshal writes "_x005F" before what Excel would read as an escaped character ("_x",
// four hex digits, "_"), as excelize's function of that name does (excelize v2.11.1, lib.go,
// BSD-3-Clause: the same steps, for the same bytes; it is not exported).
func bstrMarshal(s string) (result string) {
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	for _, match := range matches {
		result += s[cursor:match[0]]
		subStr := s[match[0]:match[1]]
		if subStr == "_x005F_" {
			cursor = match[1]
			if match[1]+6 <= l && bstrEscapeExp.MatchString(s[match[1]:match[1]+6]) {
				if _, err := strconv.Unquote(`"\u` + s[match[1]+1:match[1]+5] + `"`); err == nil {
					result += subStr + "x005F" + subStr
					continue
				}
			}
			result += subStr + "x005F_"
			continue
		}
		if bstrExp.MatchString(subStr) {
			cursor = match[1]
			if _, err := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`); err == nil {
				result += "_x005F" + subStr
				continue
			}
		}
	}
	if cursor < l {
		result += s[cursor:]
	}
	return result
}

var (
	bstrExp       = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscapeExp = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)

// escapeText writes s escaped as encoding/xml's EscapeText escapes it, but for a line break,
// which excelize puts back as it is.
func escapeText(b *blockBuffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\r':
			esc = "&#xD;"
		case '\n':
		default:
			if !xmlChar(r) || (r == utf8.RuneError && width == 1) {
				esc = "\uFFFD"
			}
		}
		if esc != "" {
			b.WriteString(s[last:i])
			b.WriteString(esc)
			last = i + width
		}
		i += width
	}
	b.WriteString(s[last:])
}

// xmlChar says whether r may stand in XML's text (its Char production), as encoding/xml does.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// cutUTF16 cuts s to at most n UTF-16 units, as Excel counts a cell's characters.
func cutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}

// excelEpoch is day 0 of Excel's date serials as counted since March 1900 (Excel counts a
// 29 February 1900 that never was).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelSerial is t's date serial as excelize writes it (its wall clock read as UTC); false
// before March 1900, which the people sheets never hold.
func excelSerial(t time.Time) (float64, bool) {
	_, offset := t.Zone()
	wall := t.Add(time.Duration(offset) * time.Second).UTC()
	wall = time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
	if wall.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
		return 0, false
	}
	d := wall.Sub(excelEpoch) // within time.Duration's 292 years for any date of ours
	days, rem := d/(24*time.Hour), d%(24*time.Hour)
	return float64(days) + float64(rem)/float64(24*time.Hour), true
}

// splicingZip is the workbook's zip writer with rows to put into some sheets: each of those
// sheets excelize writes (its rows under the header none yet) is held, and written with the
// rows before its </sheetData>. excelize writes a file whole before it creates the next.
type splicingZip struct {
	excelize.ZipWriter
	rows    map[string]*rowsXML // by the sheet's part name, xl/worksheets/sheetN.xml
	pending string              // the sheet being held
	held    bytes.Buffer
}

// Create starts the next file of the workbook.
func (z *splicingZip) Create(name string) (io.Writer, error) {
	if err := z.flush(); err != nil {
		return nil, err
	}
	if _, ok := z.rows[name]; ok {
		z.pending = name
		z.held.Reset()
		return &z.held, nil
	}
	return z.ZipWriter.Create(name)
}

// Close writes the sheet held, if any, and ends the zip.
func (z *splicingZip) Close() error {
	if err := z.flush(); err != nil {
		return err
	}
	return z.ZipWriter.Close()
}

// flush writes the sheet held with its rows.
func (z *splicingZip) flush() error {
	if z.pending == "" {
		return nil
	}
	name, sheet := z.pending, z.held.Bytes()
	z.pending = ""
	end := bytes.LastIndex(sheet, []byte(`</sheetData>`))
	if end < 0 {
		return fmt.Errorf("%s: no </sheetData> to put its rows before", name)
	}
	w, err := z.ZipWriter.Create(name)
	if err != nil {
		return err
	}
	if _, err := w.Write(sheet[:end]); err != nil {
		return err
	}
	if _, err := z.rows[name].buf.WriteTo(w); err != nil {
		return err
	}
	_, err = w.Write(sheet[end:])
	return err
}

// blockBuffer keeps what is written in blocks of blockSize, taken from blockPool: a township's
// missed list is megabytes of XML, which a bytes.Buffer copied at each doubling and the runtime
// cleared afresh for each report. release gives the blocks back.
type blockBuffer struct{ blocks []*[]byte }

const blockSize = 256 << 10

var blockPool = sync.Pool{New: func() any { b := make([]byte, 0, blockSize); return &b }}

// WriteString appends s.
func (b *blockBuffer) WriteString(s string) {
	for len(s) > 0 {
		if len(b.blocks) == 0 || len(*b.blocks[len(b.blocks)-1]) == blockSize {
			b.blocks = append(b.blocks, blockPool.Get().(*[]byte))
		}
		last := b.blocks[len(b.blocks)-1]
		n := copy((*last)[len(*last):blockSize], s)
		*last, s = (*last)[:len(*last)+n], s[n:]
	}
}

// WriteTo writes what was written to w.
func (b *blockBuffer) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, block := range b.blocks {
		m, err := w.Write(*block)
		if n += int64(m); err != nil {
			return n, err
		}
	}
	return n, nil
}

// String is what was written (for tests).
func (b *blockBuffer) String() string {
	var sb strings.Builder
	_, _ = b.WriteTo(&sb)
	return sb.String()
}

// release gives the blocks back to the pool; the buffer is empty after.
func (b *blockBuffer) release() {
	for _, block := range b.blocks {
		*block = (*block)[:0]
		blockPool.Put(block)
	}
	b.blocks = nil
}

package ooxml

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// errMalformed stops a part that is not well-formed XML, or not a worksheet or shared string
// table as the format has them: an end tag that closes no open element, elements nested too
// deep, a part that ends inside an element, an unknown entity, rows out of order, a cell
// reference that is no cell's.
var errMalformed = errors.New("malformed part")

// xmlStream reads an XML part a tag at a time (tagReader), keeping the names of the elements
// open, so that it can tell a well-formed part from a damaged one as it goes.
type xmlStream struct {
	rc   io.ReadCloser
	tags *tagReader
	open []string
	raw  []byte // text, reused
}

// maxDepth bounds the elements open at once; a sheet's nest about ten deep.
const maxDepth = 64

func openXMLStream(zf *zip.File) (*xmlStream, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	return &xmlStream{rc: rc, tags: &tagReader{r: bufio.NewReaderSize(rc, 64<<10)}}, nil
}

// Close releases the part.
func (x *xmlStream) Close() error { return x.rc.Close() }

// next returns the next tag, appending the text before it to *text when text is not nil. At the
// end of the part it returns io.EOF, or errMalformed when elements are left open.
func (x *xmlStream) next(text *[]byte) (tag, error) {
	t, ok := x.tags.nextAfter(text)
	switch {
	case !ok && x.tags.err != nil:
		return tag{}, x.tags.err
	case !ok && len(x.open) > 0:
		return tag{}, errMalformed
	case !ok:
		return tag{}, io.EOF
	case t.empty:
	case t.end:
		n := len(x.open)
		if n == 0 || x.open[n-1] != t.name {
			return tag{}, errMalformed
		}
		x.open = x.open[:n-1]
	case len(x.open) < maxDepth:
		x.open = append(x.open, t.name)
	default:
		return tag{}, errMalformed
	}
	return t, nil
}

// level is how deep an element sits, counting from 1 for the root, by the tag next returned
// for it: a start tag's element is open, an empty or end tag's is not (any more).
func (x *xmlStream) level(t tag) int {
	if t.empty || t.end {
		return len(x.open) + 1
	}
	return len(x.open)
}

// text reads the element just opened to its end and returns its character data, as
// encoding/xml gives it to a string: the text and CDATA sections directly in it, entities
// expanded, line ends normalised; what nested elements hold is left out.
func (x *xmlStream) text() (string, error) {
	x.raw = x.raw[:0]
	depth := len(x.open)
	for {
		text := &x.raw
		if len(x.open) > depth {
			text = nil // inside a nested element
		}
		if _, err := x.next(text); err != nil {
			return "", unexpectedEOF(err)
		}
		if len(x.open) < depth {
			return decodeText(x.raw)
		}
	}
}

// textOfItem reports whether the <t> element just opened is a string item's text: directly in
// the item (whose element is at level item), or in one of its runs (<r>).
func (x *xmlStream) textOfItem(item int) bool {
	n := len(x.open)
	return n == item+1 || (n == item+2 && x.open[n-2] == "r")
}

// skip reads the element just opened to its end.
func (x *xmlStream) skip() error {
	depth := len(x.open)
	for len(x.open) >= depth {
		if _, err := x.next(nil); err != nil {
			return unexpectedEOF(err)
		}
	}
	return nil
}

// finish reads the rest of the part and reports whether it is well-formed to its end.
func (x *xmlStream) finish() error {
	for {
		if _, err := x.next(nil); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// unexpectedEOF is the end of a part where an element's end was due.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return errMalformed
	}
	return err
}

// decodeText expands the entities of character data as XML has them, turns "\r\n" and a lone
// "\r" into "\n", and refuses what XML refuses: invalid UTF-8, characters XML does not allow
// (control characters but tab and line ends), an unknown or unterminated entity.
func decodeText(raw []byte) (string, error) {
	plain := true
	for _, b := range raw {
		if b == '&' || b == '\r' || b >= utf8.RuneSelf || (b < 0x20 && b != '\t' && b != '\n') {
			plain = false
			break
		}
	}
	if plain {
		return string(raw), nil
	}
	var sb strings.Builder
	sb.Grow(len(raw))
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return "", errMalformed
		case r == '\r':
			sb.WriteByte('\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				size++
			}
		case r == '&':
			end := strings.IndexByte(string(raw[i:min(len(raw), i+12)]), ';')
			if end < 0 {
				return "", errMalformed
			}
			e, ok := entity(string(raw[i+1 : i+end]))
			if !ok || !xmlChar(e) {
				return "", errMalformed
			}
			sb.WriteRune(e)
			size = end + 1
		case !xmlChar(r):
			return "", errMalformed
		default:
			sb.WriteRune(r)
		}
		i += size
	}
	return sb.String(), nil
}

// entity is the character an entity reference (the name between "&" and ";") stands for.
func entity(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return 0, false
	}
	base := 10
	if hex, ok := strings.CutPrefix(num, "x"); ok {
		num, base = hex, 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	return rune(n), true
}

// xmlChar reports a character XML 1.0 allows in a document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// escapedChar is how a string item writes a character XML cannot hold: _x0008_ (and _x005F_
// for a literal underscore before such a form).
var escapedChar = regexp.MustCompile(`_x[a-fA-F0-9]{4}_`)

// unescapeChars reads the _xHHHH_ forms of a string item as excelize does.
func unescapeChars(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return escapedChar.ReplaceAllStringFunc(s, func(m string) string {
		if m == "_x005F_" {
			return "_"
		}
		n, _ := strconv.ParseUint(m[2:6], 16, 32)
		if n >= 0xD800 && n <= 0xDFFF {
			return "" // half a surrogate pair stands for nothing
		}
		return string(rune(n))
	})
}

// sharedStrings is a workbook's shared string table, read whole the first time a cell asks
// for an item: checkPackage has bounded it to MaxSharedStrings items of at most maxXMLToken.
type sharedStrings struct {
	zf     *zip.File // nil: the workbook has none
	loaded bool
	items  []string
	err    error
}

// get returns item i. A cell that names an item the table does not have, or a table that
// cannot be read, is an error: the file is damaged.
func (s *sharedStrings) get(i int) (string, error) {
	if !s.loaded {
		s.loaded = true
		s.items, s.err = readSharedStrings(s.zf)
	}
	if s.err != nil {
		return "", s.err
	}
	if i < 0 || i >= len(s.items) {
		return "", fmt.Errorf("shared string %d of %d: %w", i, len(s.items), errMalformed)
	}
	return s.items[i], nil
}

// readSharedStrings reads the items of a shared string table: each is its text, or its runs'
// texts one after the other; phonetic runs (rPh) are not part of it.
func readSharedStrings(zf *zip.File) ([]string, error) {
	if zf == nil {
		return nil, nil
	}
	x, err := openXMLStream(zf)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	var items []string
	var item strings.Builder
	inItem, itemLevel := false, 0
	for {
		t, err := x.next(nil)
		if err == io.EOF {
			return items, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case t.name == "si" && t.empty:
			items = append(items, "")
		case t.name == "si" && !t.end:
			inItem, itemLevel = true, len(x.open)
			item.Reset()
		case t.name == "si" && t.end:
			inItem = false
			items = append(items, unescapeChars(item.String()))
		case !inItem || t.end || t.empty:
		case t.name == "rPh":
			if err := x.skip(); err != nil {
				return nil, err
			}
		case t.name == "t" && x.textOfItem(itemLevel):
			s, err := x.text()
			if err != nil {
				return nil, err
			}
			item.WriteString(s)
		}
	}
}

// CellKind is what a cell stores, as the worksheet's XML says in the cell's t attribute.
type CellKind byte

// The kinds a SheetReader tells apart. Strings (shared, inline, formula results), booleans and
// errors are all text to it.
const (
	KindText    CellKind = iota
	KindNumber           // no t, or t="n": numbers, and dates, which Excel stores as numbers
	KindISODate          // t="d": an ISO 8601 date, which few programs write
)

// Cell is a cell that holds something: its 0-based column, its text as stored (dates as
// serial numbers, shared strings looked up) and its kind.
type Cell struct {
	Col   int
	Value string
	Kind  CellKind
}

// Row is a row as a SheetReader reads it: its 1-based number N, the Cells it kept (one per
// column, in the sheet's order) and its Width. A row keeps no empty cell, so a cell in column
// XFD costs what any cell does.
type Row struct {
	N     int
	Cells []Cell
	// Width is one more than the rightmost column that holds something, the length of the
	// row as excelize's iterator padded it: of the cells read, those with a value or a
	// formula; of those stepped over, any that is not empty (<c r="X1"/>).
	Width int
}

// Cell returns the text and kind of column col; "" when the row has nothing there.
func (r Row) Cell(col int) (string, CellKind) {
	for _, c := range r.Cells {
		if c.Col == col {
			return c.Value, c.Kind
		}
	}
	return "", KindText
}

// keep adds a cell to the row; a column written twice keeps the later cell, as excelize's
// iterator did.
func (r *Row) keep(c Cell) {
	r.Width = max(r.Width, c.Col+1)
	for i := range r.Cells {
		if r.Cells[i].Col == c.Col {
			r.Cells[i] = c
			return
		}
	}
	r.Cells = append(r.Cells, c)
}

// Dense is the row's kept cells as one text per column, up to the rightmost: for a header.
func (r Row) Dense() []string {
	n := 0
	for _, c := range r.Cells {
		n = max(n, c.Col+1)
	}
	out := make([]string, n)
	for _, c := range r.Cells {
		out[c.Col] = c.Value
	}
	return out
}

// SheetReader reads a worksheet's rows straight from its part in the zip, a tag at a time.
// It replaces excelize's row iterator, which pads every row with an empty string for each
// column up to its last cell (a row with one cell in column XFD is 16,384 strings), decodes
// every cell of every column, and reads blank rows into memory to say they are blank: a
// workbook of 1.4 million such rows (169 KB) kept the server busy for half an hour.
//
// It keeps only the cells of the columns asked for (Only, First); the others are stepped over
// without their text being read or their shared string looked up. It counts the rows it
// reads, empty ones too (RowsRead), so that its caller can stop at a bound of its own, and it
// reads the cells' kinds from their t attribute as it goes: excelize's iterator drops them,
// and reading the part a second time for them cost a pass over the XML. Rows are numbered as
// excelize numbers them: by r, or one after the row before.
//
// Whatever is not a well-formed worksheet is an error, with RowNumber the row being read:
// excelize's iterator stopped at the first thing its decoder could not read without a word.
type SheetReader struct {
	x       *xmlStream
	strings *sharedStrings
	cols    []bool // cols[i] says whether column i is read; nil: every column
	n       int    // the number of the row read last, or being read
	read    int    // rows read, empty ones included
	done    bool   // the end of the sheet data
}

// openSheet starts reading a sheet; a sheet whose part cannot be found is errMalformed.
func openSheet(parts *sheetParts, sheet string, sst *sharedStrings) (*SheetReader, error) {
	zf, ok := parts.find(sheet)
	if !ok {
		return nil, fmt.Errorf("sheet %q has no part: %w", sheet, errMalformed)
	}
	x, err := openXMLStream(zf)
	if err != nil {
		return nil, err
	}
	return &SheetReader{x: x, strings: sst}, nil
}

// Close releases the part.
func (s *SheetReader) Close() error { return s.x.Close() }

// RowNumber is the number of the row read last, or being read when Next failed; 0 before the
// first.
func (s *SheetReader) RowNumber() int { return s.n }

// RowsRead is how many rows Next has read, empty ones included.
func (s *SheetReader) RowsRead() int { return s.read }

// Only makes the reader keep the cells of these 0-based columns and step over the others.
func (s *SheetReader) Only(cols []int) {
	s.cols = make([]bool, 0)
	for _, c := range cols {
		if c >= len(s.cols) {
			s.cols = append(s.cols, make([]bool, c+1-len(s.cols))...)
		}
		s.cols[c] = true
	}
}

// First makes the reader keep the cells of the first n columns and step over the others.
func (s *SheetReader) First(n int) {
	s.cols = make([]bool, n)
	for i := range s.cols {
		s.cols[i] = true
	}
}

func (s *SheetReader) wants(col int) bool {
	return s.cols == nil || (col < len(s.cols) && s.cols[col])
}

// Next reads the next row; ok is false at the end of the sheet data.
func (s *SheetReader) Next() (row Row, ok bool, err error) {
	for !s.done {
		t, err := s.x.next(nil)
		switch {
		case err == io.EOF: // a part with no sheet data has no rows
			s.done = true
		case err != nil:
			return Row{}, false, err
		case t.name == "row" && !t.end:
			if err := s.startRow(t); err != nil {
				return Row{}, false, err
			}
			row := Row{N: s.n}
			if !t.empty {
				if err := s.readCells(&row); err != nil {
					return Row{}, false, err
				}
			}
			return row, true, nil
		case t.name == "sheetData" && t.end:
			s.done = true
		}
	}
	return Row{}, false, nil
}

// startRow numbers a row: by its r, which must be a row number below every row after it.
func (s *SheetReader) startRow(t tag) error {
	s.read++
	next := s.n + 1
	if r := t.attr("r"); r != "" {
		n, err := strconv.Atoi(decodeAttr(r))
		if err != nil || n < next || n > excelize.TotalRows {
			s.n = next
			return fmt.Errorf("row %q after row %d: %w", r, s.n-1, errMalformed)
		}
		next = n
	}
	s.n = next
	return nil
}

// readCells reads a row's cells to its end tag.
func (s *SheetReader) readCells(row *Row) error {
	col := -1
	depth := len(s.x.open)
	for {
		t, err := s.x.next(nil)
		if err != nil {
			return unexpectedEOF(err)
		}
		if len(s.x.open) < depth {
			return nil // </row>
		}
		if t.name != "c" || t.end || s.x.level(t) != depth+1 {
			continue // only the row's own cells count
		}
		col++
		if ref := t.attr("r"); ref != "" {
			c, _, err := excelize.CellNameToCoordinates(decodeAttr(ref))
			if err != nil {
				return fmt.Errorf("cell %q: %w", ref, errMalformed)
			}
			col = c - 1
		}
		if t.empty {
			continue
		}
		if !s.wants(col) {
			row.Width = max(row.Width, col+1)
			if err := s.x.skip(); err != nil {
				return err
			}
			continue
		}
		c, keep, err := s.readCell(col, decodeAttr(t.attr("t")))
		if err != nil {
			return err
		}
		if keep {
			row.keep(c)
		}
	}
}

// readCell reads a cell to its end tag, as excelize's iterator reads it with RawCellValue:
// the value as stored (v), a shared string's text, an inline string's text. keep is false
// for a cell with neither a value nor a formula.
func (s *SheetReader) readCell(col int, typ string) (c Cell, keep bool, err error) {
	var v, inline string
	hasInline, formula := false, false
	depth := len(s.x.open)
	for {
		t, err := s.x.next(nil)
		if err != nil {
			return Cell{}, false, unexpectedEOF(err)
		}
		if len(s.x.open) < depth {
			break // </c>
		}
		if t.end {
			continue // excelize takes v, is and f wherever they sit in the cell
		}
		switch t.name {
		case "v":
			if !t.empty {
				if v, err = s.x.text(); err != nil {
					return Cell{}, false, err
				}
			}
		case "is":
			hasInline = true
			if !t.empty {
				if inline, err = s.readInline(); err != nil {
					return Cell{}, false, err
				}
			}
		case "f":
			formula = true
			if !t.empty {
				if err := s.x.skip(); err != nil {
					return Cell{}, false, err
				}
			}
		}
	}
	c = Cell{Col: col, Value: v, Kind: KindText}
	switch typ {
	case "s":
		if v != "" {
			i, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return Cell{}, false, fmt.Errorf("shared string %q: %w", v, errMalformed)
			}
			if c.Value, err = s.strings.get(i); err != nil {
				return Cell{}, false, err
			}
		}
	case "inlineStr":
		if hasInline {
			c.Value = inline
		}
	case "", "n":
		c.Kind = KindNumber
	case "d":
		c.Kind = KindISODate
	}
	return c, c.Value != "" || formula, nil
}

// readInline reads an inline string (<is>) to its end tag: its text, or its runs' texts.
func (s *SheetReader) readInline() (string, error) {
	var sb strings.Builder
	depth := len(s.x.open)
	for {
		t, err := s.x.next(nil)
		if err != nil {
			return "", unexpectedEOF(err)
		}
		if len(s.x.open) < depth {
			return unescapeChars(sb.String()), nil // </is>
		}
		if t.end || t.empty {
			continue
		}
		switch {
		case t.name == "rPh":
			if err := s.x.skip(); err != nil {
				return "", err
			}
		case t.name == "t" && s.x.textOfItem(depth):
			text, err := s.x.text()
			if err != nil {
				return "", err
			}
			sb.WriteString(text)
		}
	}
}

// Finish reads what follows the sheet data and reports whether the part is well-formed to
// its end.
func (s *SheetReader) Finish() error { return s.x.finish() }

// decodeAttr expands the entities of an attribute value (the r and t read here hold none when
// a spreadsheet program writes them); a value that cannot be read stays as it is, and is then
// no cell reference nor type.
func decodeAttr(v string) string {
	if !strings.Contains(v, "&") {
		return v
	}
	d, err := decodeText([]byte(v))
	if err != nil {
		return v
	}
	return d
}

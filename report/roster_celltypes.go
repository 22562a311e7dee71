package report

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// cellKind is what a cell stores, as the worksheet's XML says in the cell's t attribute.
type cellKind byte

// The kinds StreamRoster tells apart. Strings (shared, inline, formula results), booleans and
// errors are all text to it.
const (
	kindText    cellKind = iota
	kindNumber           // no t, or t="n": numbers, and dates, which Excel stores as numbers
	kindISODate          // t="d": an ISO 8601 date, which few programs write
)

// kindScanner reads the worksheet's XML a second time, beside excelize's row iterator, to learn
// which cells hold numbers. excelize v2.11's Rows.Columns returns each row as strings with the
// cell types dropped, and its GetCellType loads the whole sheet into memory, which the import
// must not do. Without the type, a text cell "371626199001011000" and a number cell that a
// program wrote with all 18 digits look the same, so the form of the value cannot say whether
// the spreadsheet turned an ID number into a number.
//
// It streams the part from the zip itself, so memory does not grow with rows. It reads only
// tags, byte by byte (tagReader): encoding/xml's tokenizer took a fifth of a 50,000-row
// import's CPU for the two attributes wanted here (the import benchmark's profile).
//
// It also keeps the names of the elements open, and so can tell, once the iterator has given
// its last row, whether the sheet ended as it should (readRest, kindsAhead.finish). It runs
// ahead of the iterator on a goroutine of its own (kindsAhead).
type kindScanner struct {
	rc        io.ReadCloser
	tags      *tagReader
	ahead     int              // number of the row read but not yet asked for; 0 when none
	kinds     map[int]cellKind // that row's number and date cells, by 0-based column
	lastRow   int              // number of the last row element seen, for rows without r
	done      bool
	open      []string // the elements open, outermost first
	malformed bool     // an end tag that closed no open element, elements nested too deep, rows out of order
}

// maxDepth bounds the elements open at once; a sheet's nest about ten deep.
const maxDepth = 64

// nextTag reads the next tag and keeps the elements open.
func (s *kindScanner) nextTag() (tag, bool) {
	t, ok := s.tags.next()
	switch {
	case !ok || t.empty:
	case t.end:
		if n := len(s.open); n > 0 && s.open[n-1] == t.name {
			s.open = s.open[:n-1]
		} else {
			s.malformed = true
		}
	case len(s.open) < maxDepth:
		s.open = append(s.open, t.name)
	default:
		s.malformed = true
	}
	return t, ok
}

// readRest reads what follows the sheet data to the end of the part, and reports whether the
// sheet ended as a sheet should: every element closed, the rows in order, nothing unreadable.
// It gives up, reporting false, when stop is closed.
func (s *kindScanner) readRest(stop <-chan struct{}) bool {
	for {
		if _, ok := s.nextTag(); !ok {
			break
		}
		select {
		case <-stop:
			return false
		default:
		}
	}
	return !s.malformed && len(s.open) == 0 && s.tags.err == nil
}

// newKindScanner opens the part of the named sheet. ok is false when the part cannot be
// found; the caller then falls back on the form of the values.
func newKindScanner(parts *sheetParts, sheet string) (*kindScanner, bool) {
	zf, ok := parts.find(sheet)
	if !ok {
		return nil, false
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, false
	}
	return &kindScanner{rc: rc, tags: &tagReader{r: bufio.NewReaderSize(rc, 64<<10)}}, true
}

// Close releases the part.
func (s *kindScanner) Close() error { return s.rc.Close() }

// readRow reads the next row element, or sets done at the end of the sheet data.
func (s *kindScanner) readRow() {
	s.ahead, s.kinds = 0, nil
	col := -1
	for {
		t, ok := s.nextTag()
		if !ok {
			s.done = true
			return
		}
		switch {
		case t.name == "row" && !t.end:
			next := s.lastRow + 1
			if r, err := strconv.Atoi(t.attr("r")); err == nil && r > 0 {
				// Rows go down the sheet, each once; excelize's iterator drops a row that
				// comes back up.
				s.malformed = s.malformed || r < next
				next = r
			}
			s.lastRow = next
			s.ahead, s.kinds = s.lastRow, map[int]cellKind{}
			if t.empty {
				return
			}
		case t.name == "c" && !t.end:
			if s.kinds == nil {
				continue // a cell outside a row: not a well-formed sheet, ignore it
			}
			col++
			if ref := t.attr("r"); ref != "" {
				if c, _, err := excelize.CellNameToCoordinates(ref); err == nil {
					col = c - 1
				}
			}
			switch t.attr("t") {
			case "", "n":
				s.kinds[col] = kindNumber
			case "d":
				s.kinds[col] = kindISODate
			}
		case t.name == "row" && t.end:
			if s.kinds != nil {
				return
			}
		case t.name == "sheetData" && t.end:
			s.done = true
			return
		}
	}
}

// tag is an XML tag as tagReader reads it: its local name (any prefix dropped), whether it
// ends an element or is empty (<c/>), and its raw attributes.
type tag struct {
	name       string
	end, empty bool
	attrs      []byte
}

// attr returns the value of an unprefixed attribute (entities are not expanded: the r and t
// values read here never hold any).
func (t tag) attr(name string) string {
	a := t.attrs
	for len(a) > 0 {
		i := bytes.IndexByte(a, '=')
		if i < 0 {
			return ""
		}
		key := string(bytes.TrimSpace(a[:i]))
		a = bytes.TrimLeft(a[i+1:], " \t\r\n")
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return ""
		}
		q := a[0]
		j := bytes.IndexByte(a[1:], q)
		if j < 0 {
			return ""
		}
		if key == name {
			return string(a[1 : 1+j])
		}
		a = a[j+2:]
	}
	return ""
}

// tagReader reads the tags of an XML stream and skips everything else: text, comments,
// CDATA sections and processing instructions. Text cannot hold a raw "<", so every "<" it
// meets starts markup. No text, tag, comment or section may be longer than maxXMLToken: the
// reader holds a tag whole, and excelize's decoder would hold any of them whole.
type tagReader struct {
	r   *bufio.Reader
	buf []byte
	err error // why next stopped: nil at the end of the stream
}

// errTokenTooLong stops a tagReader at a token longer than maxXMLToken.
var errTokenTooLong = errors.New("xml token too long")

// next returns the next tag; ok is false at the end of the stream, or on an error left in err.
func (tr *tagReader) next() (tag, bool) {
	for {
		if !tr.skipText() {
			return tag{}, false
		}
		peek, err := tr.r.Peek(1)
		if err != nil {
			tr.fail(err)
			return tag{}, false
		}
		switch peek[0] {
		case '!', '?':
			if !tr.skipSpecial() {
				return tag{}, false
			}
			continue
		}
		return tr.readTag()
	}
}

// skipText reads to just after the next "<".
func (tr *tagReader) skipText() bool {
	n := 0
	for {
		chunk, err := tr.r.ReadSlice('<')
		if n += len(chunk); n > maxXMLToken+1 {
			tr.err = errTokenTooLong
			return false
		}
		switch err {
		case nil:
			return true
		case bufio.ErrBufferFull:
			continue // a long text: keep looking for its end
		}
		tr.fail(err)
		return false
	}
}

// fail records a read error; the end of the stream is none.
func (tr *tagReader) fail(err error) {
	if err != io.EOF {
		tr.err = err
	}
}

// readTag reads from just after "<" to the tag's ">", minding quoted attribute values.
func (tr *tagReader) readTag() (tag, bool) {
	tr.buf = tr.buf[:0]
	var quote byte
	for {
		b, err := tr.r.ReadByte()
		if err != nil {
			tr.fail(err)
			return tag{}, false
		}
		if len(tr.buf) > maxXMLToken {
			tr.err = errTokenTooLong
			return tag{}, false
		}
		if quote != 0 {
			if b == quote {
				quote = 0
			}
		} else if b == '"' || b == '\'' {
			quote = b
		} else if b == '>' {
			break
		}
		tr.buf = append(tr.buf, b)
	}
	body := tr.buf
	var t tag
	if len(body) > 0 && body[0] == '/' {
		t.end, body = true, body[1:]
	}
	if n := len(body); n > 0 && body[n-1] == '/' {
		t.empty, body = true, body[:n-1]
	}
	nameEnd := bytes.IndexAny(body, " \t\r\n")
	if nameEnd < 0 {
		nameEnd = len(body)
	}
	name := body[:nameEnd]
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	t.name, t.attrs = string(name), body[nameEnd:]
	return t, true
}

// skipSpecial skips a comment (to "-->"), a CDATA section (to "]]>") or a declaration or
// processing instruction (to ">").
func (tr *tagReader) skipSpecial() bool {
	head, _ := tr.r.Peek(8)
	end := []byte(">")
	switch {
	case bytes.HasPrefix(head, []byte("!--")):
		end = []byte("-->")
	case bytes.HasPrefix(head, []byte("![CDATA[")):
		end = []byte("]]>")
	}
	var tail []byte
	for n := 0; ; n++ {
		b, err := tr.r.ReadByte()
		if err != nil {
			tr.fail(err)
			return false
		}
		if n > maxXMLToken {
			tr.err = errTokenTooLong
			return false
		}
		tail = append(tail, b)
		if len(tail) > len(end) {
			tail = tail[1:]
		}
		if bytes.Equal(tail, end) {
			return true
		}
	}
}

// sheetParts finds the zip entries of a workbook's sheets the way excelize does: the
// package's root relationships name the workbook part, the workbook names its sheets with
// relationship ids, and the workbook's relationships give their parts. It reads them once per
// upload: read again for each sheet, a workbook of 3,000 empty sheets took 66 s.
type sheetParts struct {
	files  map[string]*zip.File // by partName
	sheets map[string]string    // sheet name → partName of its part
}

// newSheetParts reads the workbook's sheets and relationships.
func newSheetParts(zr *zip.Reader) *sheetParts {
	p := &sheetParts{files: make(map[string]*zip.File, len(zr.File)), sheets: map[string]string{}}
	for _, f := range zr.File {
		if name := partName(f.Name); p.files[name] == nil {
			p.files[name] = f
		}
	}
	var wbRels relationships
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"id,attr"` // r:id; matched in any namespace, so Strict OOXML works too
		} `xml:"sheets>sheet"`
	}
	wbPath := workbookPart(zr)
	if !decodePart(zr, wbPath, &wb) ||
		!decodePart(zr, path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels"), &wbRels) {
		return p
	}
	targets := map[string]string{} // by relationship id; the first of an id counts
	for _, r := range wbRels.Rel {
		if _, dup := targets[r.ID]; dup {
			continue
		}
		if strings.HasPrefix(r.Target, "/") {
			targets[r.ID] = partName(strings.TrimPrefix(r.Target, "/"))
		} else {
			targets[r.ID] = partName(path.Join(path.Dir(wbPath), r.Target))
		}
	}
	for _, s := range wb.Sheets {
		if _, dup := p.sheets[s.Name]; !dup {
			if target, ok := targets[s.RID]; ok {
				p.sheets[s.Name] = target
			}
		}
	}
	return p
}

// find returns the part of the named sheet; names are matched as excelize matches them,
// ignoring case.
func (p *sheetParts) find(sheet string) (*zip.File, bool) {
	part, ok := p.sheets[sheet]
	if !ok {
		for name, pt := range p.sheets {
			if strings.EqualFold(name, sheet) {
				part, ok = pt, true
				break
			}
		}
	}
	if !ok || p.files[part] == nil {
		return nil, false
	}
	return p.files[part], true
}

// relationships is a part's list of relationships.
type relationships struct {
	Rel []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// workbookPart finds the workbook part as excelize does, by the package's root relationships.
func workbookPart(zr *zip.Reader) string {
	var root relationships
	wbPath := "xl/workbook.xml"
	if decodePart(zr, "_rels/.rels", &root) {
		for _, r := range root.Rel {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = strings.TrimPrefix(r.Target, "/")
			}
		}
	}
	return wbPath
}

// decodePart unmarshals a small part (a relationships list, the workbook) of the package.
func decodePart(zr *zip.Reader, name string, v any) bool {
	zf := findZipFile(zr, name)
	if zf == nil {
		return false
	}
	rc, err := zf.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	return xml.NewDecoder(rc).Decode(v) == nil
}

// findZipFile finds an entry by name; case and Windows separators are forgiven, as excelize
// forgives them.
func findZipFile(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), name) {
			return f
		}
	}
	return nil
}

package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// cellKind is what a cell stores, as the worksheet's XML says in the cell's t attribute.
type cellKind byte

// The kinds ReadRoster tells apart. Strings (shared, inline, formula results), booleans and
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
// It streams the part from the zip itself, so memory does not grow with rows, and decodes with
// RawToken, which skips namespace resolution: only the row and cell elements' r and t
// attributes are read.
type kindScanner struct {
	rc      io.ReadCloser
	dec     *xml.Decoder
	ahead   int              // number of the row read but not yet asked for; 0 when none
	kinds   map[int]cellKind // that row's number and date cells, by 0-based column
	lastRow int              // number of the last row element seen, for rows without r
	done    bool
}

// newKindScanner opens the part of the named sheet in the workbook data. ok is false when the
// part cannot be found; the caller then falls back on the form of the values.
func newKindScanner(data []byte, sheet string) (*kindScanner, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, false
	}
	name, ok := sheetPartName(zr, sheet)
	if !ok {
		return nil, false
	}
	zf := findZipFile(zr, name)
	if zf == nil {
		return nil, false
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, false
	}
	return &kindScanner{rc: rc, dec: xml.NewDecoder(rc)}, true
}

// Close releases the part.
func (s *kindScanner) Close() error { return s.rc.Close() }

// row returns the number and date cells of row n. Rows must be asked for in increasing order,
// as excelize's iterator yields them.
func (s *kindScanner) row(n int) map[int]cellKind {
	for !s.done && s.ahead < n {
		s.readRow()
	}
	if s.ahead == n {
		return s.kinds
	}
	return nil
}

// readRow reads the next row element, or sets done at the end of the sheet data.
func (s *kindScanner) readRow() {
	s.ahead, s.kinds = 0, nil
	col := -1
	for {
		tok, err := s.dec.RawToken()
		if err != nil {
			s.done = true
			return
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "row":
				s.lastRow++
				if r, err := strconv.Atoi(attr(el, "r")); err == nil && r > 0 {
					s.lastRow = r
				}
				s.ahead, s.kinds = s.lastRow, map[int]cellKind{}
			case "c":
				if s.kinds == nil {
					continue // a cell outside a row: not a well-formed sheet, ignore it
				}
				col++
				if ref := attr(el, "r"); ref != "" {
					if c, _, err := excelize.CellNameToCoordinates(ref); err == nil {
						col = c - 1
					}
				}
				switch attr(el, "t") {
				case "", "n":
					s.kinds[col] = kindNumber
				case "d":
					s.kinds[col] = kindISODate
				}
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "row":
				if s.kinds != nil {
					return
				}
			case "sheetData":
				s.done = true
				return
			}
		}
	}
}

// attr returns the value of an unprefixed attribute.
func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// sheetPartName finds the zip entry of the named sheet the way excelize does: the package's
// root relationships name the workbook part, the workbook names its sheets with relationship
// ids, and the workbook's relationships give their parts.
func sheetPartName(zr *zip.Reader, sheet string) (string, bool) {
	var root, wbRels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"id,attr"` // r:id; matched in any namespace, so Strict OOXML works too
		} `xml:"sheets>sheet"`
	}
	wbPath := "xl/workbook.xml"
	if decodePart(zr, "_rels/.rels", &root) {
		for _, r := range root.Rel {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = strings.TrimPrefix(r.Target, "/")
			}
		}
	}
	if !decodePart(zr, wbPath, &wb) ||
		!decodePart(zr, path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels"), &wbRels) {
		return "", false
	}
	for _, s := range wb.Sheets {
		if !strings.EqualFold(s.Name, sheet) {
			continue
		}
		for _, r := range wbRels.Rel {
			if r.ID != s.RID {
				continue
			}
			if strings.HasPrefix(r.Target, "/") {
				return strings.TrimPrefix(r.Target, "/"), true
			}
			return path.Join(path.Dir(wbPath), r.Target), true
		}
	}
	return "", false
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

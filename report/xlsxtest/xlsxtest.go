// Package xlsxtest builds .xlsx packages part by part with archive/zip, for tests of what the
// roster import does with workbooks no spreadsheet program writes: zip bombs, sheets of a
// million rows, shared string tables of 50 MB, entries named ../../x, files that only pretend to
// be workbooks. Large parts are generated while they are compressed, so that a test holds the
// small file, never the part it unpacks to.
// It also reads a workbook the code under test wrote back (read.go), for the tests of every
// workbook report writes.
package xlsxtest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync"
	"testing"
)

// The namespaces and part names of a minimal workbook.
const (
	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel  = "http://schemas.openxmlformats.org/package/2006/relationships"
	SheetPart = "xl/worksheets/sheet1.xml"
	SSTPart   = "xl/sharedStrings.xml"
)

// Part is one entry of a package. Write, when set, generates the content as it is compressed;
// otherwise Data is the content.
type Part struct {
	Name   string
	Data   []byte
	Write  func(w io.Writer) error
	Stored bool // no compression, so that a fuzzer's changes reach the XML
}

// Zip writes the parts, in order, into a zip archive.
func Zip(tb testing.TB, parts ...Part) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteZip(&buf, parts...); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// WriteZip writes the parts, in order, into a zip archive written to w: Zip for a program
// that is not a test.
func WriteZip(w io.Writer, parts ...Part) error {
	zw := zip.NewWriter(w)
	for _, p := range parts {
		method := zip.Deflate
		if p.Stored {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.Name, Method: method})
		if err != nil {
			return fmt.Errorf("zip %s: %w", p.Name, err)
		}
		if p.Write != nil {
			bw := bufio.NewWriterSize(w, 64<<10)
			err = p.Write(bw)
			if err == nil {
				err = bw.Flush()
			}
		} else {
			_, err = w.Write(p.Data)
		}
		if err != nil {
			return fmt.Errorf("zip %s: %w", p.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	return nil
}

// Book is a minimal workbook of one sheet named 花名册: the parts Excel needs and nothing else.
type Book struct {
	Dimension     string                  // the sheet's <dimension ref="…">, if set
	Rows          func(w io.Writer) error // writes the sheet's <row> elements
	SharedStrings func(w io.Writer) error // writes the <si> items of xl/sharedStrings.xml; nil for none
	Extra         []Part                  // more entries, after the workbook's own
	Stored        bool                    // all parts uncompressed
}

// Parts lists the package's entries.
func (b Book) Parts() []Part {
	types := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/` + SheetPart + `" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	rels := `<Relationship Id="rId1" Type="` + nsRel + `/worksheet" Target="worksheets/sheet1.xml"/>`
	if b.SharedStrings != nil {
		types += `<Override PartName="/` + SSTPart + `" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
		rels += `<Relationship Id="rId2" Type="` + nsRel + `/sharedStrings" Target="sharedStrings.xml"/>`
	}
	types += `</Types>`
	parts := []Part{
		{Name: "[Content_Types].xml", Data: []byte(types)},
		{Name: "_rels/.rels", Data: []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="` + nsPkgRel + `"><Relationship Id="rId1" Type="` + nsRel +
			`/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{Name: "xl/workbook.xml", Data: []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>` +
			`<sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{Name: "xl/_rels/workbook.xml.rels", Data: []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="` + nsPkgRel + `">` + rels + `</Relationships>`)},
		{Name: SheetPart, Write: b.writeSheet},
	}
	if b.SharedStrings != nil {
		parts = append(parts, Part{Name: SSTPart, Write: func(w io.Writer) error {
			if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="`+nsMain+`">`); err != nil {
				return err
			}
			if err := b.SharedStrings(w); err != nil {
				return err
			}
			_, err := io.WriteString(w, `</sst>`)
			return err
		}})
	}
	for i := range parts {
		parts[i].Stored = b.Stored
	}
	return append(parts, b.Extra...)
}

// Bytes writes the workbook.
func (b Book) Bytes(tb testing.TB) []byte {
	tb.Helper()
	return Zip(tb, b.Parts()...)
}

func (b Book) writeSheet(w io.Writer) error {
	head := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="` + nsMain + `">`
	if b.Dimension != "" {
		head += `<dimension ref="` + b.Dimension + `"/>`
	}
	if _, err := io.WriteString(w, head+`<sheetData>`); err != nil {
		return err
	}
	if b.Rows != nil {
		if err := b.Rows(w); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, `</sheetData></worksheet>`)
	return err
}

// InlineRow writes row n (1-based) with its cells as inline strings from column A on.
func InlineRow(n int, cells ...string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, `<row r="%d">`, n)
	for i, c := range cells {
		fmt.Fprintf(&sb, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, colName(i), n, escape(c))
	}
	sb.WriteString(`</row>`)
	return sb.String()
}

// SharedRow writes a row of shared string cells, by index, with no r attributes: the smallest
// row Excel reads, about 20 bytes a cell.
func SharedRow(indexes ...int) string {
	var sb strings.Builder
	sb.WriteString(`<row>`)
	for _, i := range indexes {
		fmt.Fprintf(&sb, `<c t="s"><v>%d</v></c>`, i)
	}
	sb.WriteString(`</row>`)
	return sb.String()
}

// SI writes one shared string item.
func SI(s string) string { return `<si><t>` + escape(s) + `</t></si>` }

// Rows writes the given rows, numbered from 1, as inline strings.
func Rows(rows ...[]string) func(io.Writer) error {
	return func(w io.Writer) error {
		for i, r := range rows {
			if _, err := io.WriteString(w, InlineRow(i+1, r...)); err != nil {
				return err
			}
		}
		return nil
	}
}

// Header is the roster template's header row, in order.
var Header = []string{"姓名", "身份证号", "手机号", "部门", "班组", "返回地", "返岗日期", "交通方式",
	"14天内到过重点地区", "接触过确诊或疑似病例", "隔离地点"}

// Person is a valid data row for the roster: the n-th test person born in Zouping, with a
// valid ID number.
func Person(n int) []string {
	first17 := fmt.Sprintf("37162619900101%03d", n%1000)
	return []string{fmt.Sprintf("职工%d", n), first17 + string(idCheck(first17)), fmt.Sprintf("1380000%04d", n%10000),
		"织造车间", "甲班", "山东省滨州市邹平市", "2026-01-05", "自驾", "否", "否", ""}
}

// idCheck is the GB 11643 check character; domain has it too, but this package must not make
// a test depend on what it tests.
func idCheck(first17 string) byte {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

// Valid is a small roster that imports: the header and n people.
func Valid(tb testing.TB, n int) []byte {
	tb.Helper()
	rows := [][]string{Header}
	for i := 1; i <= n; i++ {
		rows = append(rows, Person(i))
	}
	return Book{Rows: Rows(rows...)}.Bytes(tb)
}

// Wide is the workbook of issue 16: a roster's header, people people, and then rows rows
// each with one cell, in column XFD (the last Excel has), and nothing in the roster's
// columns. The rows are all alike and unnumbered, so that 1.4 million of them (49 MB of XML)
// zip to about 100 KB; a reader that pads each row to its last cell makes 16,384 strings of
// each. Write it with WriteZip(w, Wide(…).Parts()...), or Bytes.
func Wide(people, rows int) Book {
	return Book{Rows: func(w io.Writer) error {
		if _, err := io.WriteString(w, InlineRow(1, Header...)); err != nil {
			return err
		}
		for i := 2; i < 2+people; i++ {
			p := Person(i)
			row := InlineRow(i, p...)
			row = strings.TrimSuffix(row, "</row>") + fmt.Sprintf(`<c r="XFD%d"><v>1</v></c></row>`, i)
			if _, err := io.WriteString(w, row); err != nil {
				return err
			}
		}
		for range rows {
			if _, err := io.WriteString(w, `<row><c r="XFD1"><v>1</v></c></row>`); err != nil {
				return err
			}
		}
		return nil
	}}
}

// ManyRows is a roster whose sheet declares A1:Z1048576 and holds the header and n data rows
// of one cell, the same name, in shared strings: a million rows unpack to 31 MB.
func ManyRows(tb testing.TB, n int) []byte {
	tb.Helper()
	strs := append(append([]string{}, Header[:3]...), Person(1)[0])
	return Book{
		Dimension: "A1:Z1048576",
		SharedStrings: func(w io.Writer) error {
			for _, s := range strs {
				if _, err := io.WriteString(w, SI(s)); err != nil {
					return err
				}
			}
			return nil
		},
		Rows: func(w io.Writer) error {
			if _, err := io.WriteString(w, SharedRow(0, 1, 2)); err != nil {
				return err
			}
			row := SharedRow(3)
			for range n {
				if _, err := io.WriteString(w, row); err != nil {
					return err
				}
			}
			return nil
		},
	}.Bytes(tb)
}

// HugeSharedString is a roster whose shared string table holds the header and one string of
// size bytes, the name of the one data row.
func HugeSharedString(tb testing.TB, size int) []byte {
	tb.Helper()
	p := Person(1)
	return Book{
		SharedStrings: func(w io.Writer) error {
			for _, s := range Header[:3] {
				if _, err := io.WriteString(w, SI(s)); err != nil {
					return err
				}
			}
			if _, err := io.WriteString(w, `<si><t>`); err != nil {
				return err
			}
			chunk := bytes.Repeat([]byte("张"), 4096) // 3 bytes each: size is rounded to whole characters
			for written := 0; written < size; written += len(chunk) {
				if _, err := w.Write(chunk[:min(len(chunk), (size-written)/3*3)]); err != nil {
					return err
				}
			}
			_, err := io.WriteString(w, `</t></si>`)
			return err
		},
		Rows: func(w io.Writer) error {
			_, err := io.WriteString(w, SharedRow(0, 1, 2)+`<row><c t="s"><v>3</v></c>`+
				`<c t="inlineStr"><is><t>`+p[1]+`</t></is></c><c t="inlineStr"><is><t>`+p[2]+`</t></is></c></row>`)
			return err
		},
	}.Bytes(tb)
}

// ManySharedStrings is a roster whose shared string table holds the header and then n empty
// items (<si/>, 5 bytes each), which no row uses.
func ManySharedStrings(tb testing.TB, n int) []byte {
	tb.Helper()
	return Book{
		SharedStrings: func(w io.Writer) error {
			for _, s := range Header[:3] {
				if _, err := io.WriteString(w, SI(s)); err != nil {
					return err
				}
			}
			for range n {
				if _, err := io.WriteString(w, `<si/>`); err != nil {
					return err
				}
			}
			return nil
		},
		Rows: func(w io.Writer) error {
			_, err := io.WriteString(w, SharedRow(0, 1, 2)+InlineRow(2, Person(1)[:3]...))
			return err
		},
	}.Bytes(tb)
}

// ZipBomb is a roster whose sheet is its header and then size bytes of spaces (whitespace
// between rows: well-formed XML), compressed about a thousand to one: 4 GB fit in 4 MB. The
// zip's headers say the sheet unpacks to declared bytes; 0 means the truth. A lying header
// tells whether the reader trusts it.
func ZipBomb(tb testing.TB, size, declared int64) []byte {
	tb.Helper()
	v, _ := bombs.LoadOrStore(size, sync.OnceValue(func() bomb { return newBomb(size) }))
	b := v.(func() bomb)()
	if declared == 0 {
		declared = b.size
	}
	parts := Book{}.Parts()
	parts = parts[:len(parts)-1] // all but the sheet, which is written raw
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.Name)
		if err == nil {
			_, err = w.Write(p.Data)
		}
		if err != nil {
			tb.Fatalf("zip bomb: %v", err)
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: SheetPart, Method: zip.Deflate, CRC32: b.crc,
		CompressedSize64: uint64(len(b.deflated)), UncompressedSize64: uint64(declared)})
	if err == nil {
		_, err = w.Write(b.deflated)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		tb.Fatalf("zip bomb: %v", err)
	}
	return buf.Bytes()
}

// bomb is a deflated sheet of a zip bomb, its checksum and its size unpacked.
type bomb struct {
	deflated []byte
	crc      uint32
	size     int64
}

// bombs keeps the bombs made, by size: a checksum over 4 GB takes a second.
var bombs sync.Map

func newBomb(size int64) bomb {
	head := []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="` + nsMain + `"><sheetData>` +
		InlineRow(1, Header[:3]...))
	tail := []byte(`</sheetData></worksheet>`)
	// Deflate the head, then one block of spaces, each closed by a sync flush so that the
	// block starts on a byte boundary; the block is then repeated as often as needed. A copy
	// decodes the same after any run of spaces, since its back-references reach only spaces.
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write(head)
	fw.Flush()
	headEnd := z.Len()
	const blockSize = 16 << 20
	spaces := bytes.Repeat([]byte(" "), blockSize)
	fw.Write(spaces)
	fw.Flush()
	block := bytes.Clone(z.Bytes()[headEnd:])
	var body bytes.Buffer
	body.Write(z.Bytes()[:headEnd])
	crc := crc32.Update(0, crc32.IEEETable, head)
	blocks := size / blockSize
	for range blocks {
		body.Write(block)
		crc = crc32.Update(crc, crc32.IEEETable, spaces)
	}
	// The tail and the final block, compressed on their own (no back-references).
	var end bytes.Buffer
	fe, _ := flate.NewWriter(&end, flate.BestCompression)
	fe.Write(tail)
	fe.Close()
	body.Write(end.Bytes())
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	return bomb{deflated: body.Bytes(), crc: crc, size: int64(len(head)) + blocks*blockSize + int64(len(tail))}
}

// ManySheets is a workbook of n sheets besides the roster, all of them the one part the
// rows write.
func ManySheets(tb testing.TB, n int, rows func(io.Writer) error) []byte {
	tb.Helper()
	var sheets, rels strings.Builder
	for i := range n {
		fmt.Fprintf(&sheets, `<sheet name="S%d" sheetId="%d" r:id="rId%d"/>`, i, i+2, i+100)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>`, i+100, nsRel)
	}
	parts := Book{Rows: rows}.Parts()
	for i, p := range parts {
		switch p.Name {
		case "xl/workbook.xml":
			parts[i].Data = bytes.Replace(p.Data, []byte("<sheets>"), []byte("<sheets>"+sheets.String()), 1)
		case "xl/_rels/workbook.xml.rels":
			parts[i].Data = bytes.Replace(p.Data, []byte("</Relationships>"), []byte(rels.String()+"</Relationships>"), 1)
		}
	}
	return Zip(tb, parts...)
}

// PathTraversal is a valid roster with one more entry whose name climbs out of any folder it
// would be unpacked into.
func PathTraversal(tb testing.TB) []byte {
	tb.Helper()
	b := Book{Rows: Rows(Header, Person(1))}
	b.Extra = []Part{{Name: "../../../../tmp/fugong-evil.xml", Data: []byte("<x/>")}}
	return b.Bytes(tb)
}

// ManyEntries is a zip of n empty entries and a valid roster: its central directory alone
// is about 60 bytes an entry.
func ManyEntries(tb testing.TB, n int) []byte {
	tb.Helper()
	b := Book{Rows: Rows(Header, Person(1))}
	for i := range n {
		b.Extra = append(b.Extra, Part{Name: fmt.Sprintf("x/%d", i), Stored: true})
	}
	return b.Bytes(tb)
}

// Truncated is the valid roster of n people cut to frac of its length.
func Truncated(tb testing.TB, n int, frac float64) []byte {
	tb.Helper()
	b := Valid(tb, n)
	return b[:int(float64(len(b))*frac)]
}

// PNG is the start of a PNG image: what a photo of a roster renamed .xlsx looks like.
func PNG() []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, 13)
	b = append(b, "IHDR"...)
	b = binary.BigEndian.AppendUint32(b, 640)
	b = binary.BigEndian.AppendUint32(b, 480)
	b = append(b, 8, 2, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[12:]))
	return append(b, make([]byte, 1024)...)
}

// CSV is a roster saved as CSV, as HR's own systems export it.
func CSV() []byte {
	return []byte(strings.Join(Header[:3], ",") + "\n" + strings.Join(Person(1)[:3], ",") + "\n")
}

// Encrypted is the start of an OLE compound document holding an EncryptionInfo stream: what
// Excel writes for a workbook with a password to open.
func Encrypted() []byte {
	b := make([]byte, 1536)
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	binary.LittleEndian.PutUint16(b[24:], 0x003E) // minor version
	binary.LittleEndian.PutUint16(b[26:], 0x0003) // major version 3: 512-byte sectors
	binary.LittleEndian.PutUint16(b[28:], 0xFFFE) // byte order
	binary.LittleEndian.PutUint16(b[30:], 9)      // sector shift
	binary.LittleEndian.PutUint16(b[32:], 6)      // mini sector shift
	name := utf16le("EncryptionInfo")
	copy(b[1024:], name) // the first directory entry's name
	return b
}

// XLS is the start of an Excel 97-2003 workbook: a compound document with a Workbook stream.
func XLS() []byte {
	b := Encrypted()
	copy(b[1024:], make([]byte, 128))
	copy(b[1024:], utf16le("Workbook"))
	return b
}

// BIFF is the start of an old .xls stream with no compound document around it (BIFF5/8 BOF
// record), as some programs still save "Excel 5.0/95" files.
func BIFF() []byte {
	b := []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00, 0xBB, 0x0D, 0xCC, 0x07, 0, 0, 0, 0, 0x06, 0x03, 0, 0}
	return append(b, make([]byte, 512)...)
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(r))
	}
	return b
}

// colName is the column letter of a 0-based index below 26·27.
func colName(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return string(rune('A'+i/26-1)) + string(rune('A'+i%26))
}

func escape(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(s))
	return sb.String()
}

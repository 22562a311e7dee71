package ooxml

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/sync/errgroup"

	"fugong/domain"
)

// Messages of a refused upload, in HR's words.
const (
	msgNotWorkbook = "文件不是有效的 Excel 工作簿(.xlsx);CSV、旧版 .xls 等请先在 Excel 或 WPS 中另存为 .xlsx 再上传"
	msgTooBig      = "文件解压后超过 64 MB,请分批导入"
	msgXLS         = "这是旧版 Excel 97-2003 工作簿(.xls),不支持;请在 Excel 或 WPS 中另存为 .xlsx 后上传"
	msgEncrypted   = "工作簿设有打开密码,无法读取;请在 Excel 或 WPS 中取消密码并另存为 .xlsx 后上传"
	msgOLE         = "不支持旧版 .xls 或设有密码的工作簿;请在 Excel 或 WPS 中另存为 .xlsx(不设密码)后上传"
	msgImage       = "文件是图片或 PDF,不是 Excel 工作簿;请上传 Excel 或 WPS 保存的 .xlsx 文件"
)

// oleMagic starts a compound document: an old .xls, an encrypted .xlsx, or another old
// Office file.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sniff names, by their bytes, the files HR most often uploads in place of an .xlsx, so that
// the message says what to do rather than only "not a workbook".
func sniff(data []byte) error {
	switch {
	case bytes.HasPrefix(data, oleMagic):
		// The names of a compound document's streams are UTF-16: an encrypted package keeps
		// its parts in EncryptionInfo and EncryptedPackage, a BIFF8 workbook in Workbook
		// (BIFF5: Book).
		switch {
		case bytes.Contains(data, utf16LE("EncryptionInfo")):
			return domain.Invalid("file", msgEncrypted)
		case bytes.Contains(data, utf16LE("Workbook")) || bytes.Contains(data, utf16LE("Book")):
			return domain.Invalid("file", msgXLS)
		}
		return domain.Invalid("file", msgOLE)
	case isBIFF(data):
		return domain.Invalid("file", msgXLS)
	case bytes.HasPrefix(data, []byte("\x89PNG")), bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}),
		bytes.HasPrefix(data, []byte("%PDF-")):
		return domain.Invalid("file", msgImage)
	}
	return nil
}

// isBIFF reports a bare BIFF stream, as Excel 2 to 95 and some programs since save .xls
// files: it starts with a BOF record (type 0x0009, 0x0209, 0x0409 or 0x0809) of 4 to 20
// bytes.
func isBIFF(data []byte) bool {
	return len(data) >= 4 && data[0] == 0x09 && (data[1] == 0x00 || data[1] == 0x02 || data[1] == 0x04 || data[1] == 0x08) &&
		data[2] >= 4 && data[2] <= 20 && data[3] == 0
}

func utf16LE(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// Upload limits. A workbook may unpack to unzipSizeLimit in all, so that a zip bomb stops
// there; worksheets and shared strings above unzipXMLSizeLimit are unpacked to temporary files
// instead of memory. A 10,000-row roster unpacks to about 3 MB.
const (
	unzipSizeLimit    = 64 << 20
	unzipXMLSizeLimit = 16 << 20
)

// Limits of checkPackage: each far above what a roster needs, and low enough that excelize's
// memory stays bounded.
const (
	// maxXMLToken bounds a text, tag, comment or CDATA section of an XML part. Excel holds at
	// most 32,767 characters in a cell; 256 KB is that many even written as &#x4E00;.
	maxXMLToken = 256 << 10
	// MaxSharedStrings bounds the shared string table, which excelize decodes whole: 3,000,000
	// empty items (15 MB of XML) took 620 MB and 11 s; 300,000 items of 14 characters, 122 MB.
	// A 60,000-row roster has about 200,000 distinct texts (names, ID numbers, phones). The
	// table's own size does not help: unpacked to a temporary file above unzipXMLSizeLimit,
	// it is indexed at 40 bytes an item but read two and a half times slower.
	MaxSharedStrings = 300_000
	// maxWholeParts bounds the parts excelize decodes whole into structures as it opens a
	// workbook (isWholePart), together: 27 MB of styles took 657 MB and 39 s, 4 MB about
	// 100 MB. A roster's come to tens of KB; a workbook bloated with styles, to a few MB.
	maxWholeParts = 4 << 20
	// MaxParts bounds the entries of the zip, each of which excelize reads into a map: a
	// 20 MB upload of 180,000 empty entries took 289 MB. A workbook has tens.
	MaxParts = 10_000
	// MaxSheets bounds the sheets of a workbook, which the roster's reader looks through for
	// its header: each costs excelize about 70 KB of allocations to open. A roster workbook
	// has a few.
	MaxSheets = 1_000
)

// MaxSheetRows bounds the rows read of a sheet, empty ones included, as the upload is checked
// and again as the roster's sheet is read: every row costs the reading, whether it holds a
// person or nothing the roster uses. A sheet of 1.4 million rows, each with one cell in column
// XFD and none in the roster's columns, read as a roster with no people (169 KB; it took half
// an hour). Twice MaxImportRows leaves room for the empty rows of a full roster.
const MaxSheetRows = 2 * domain.MaxImportRows

// TooManyRows refuses a sheet with more rows than MaxSheetRows, naming the row n it had come
// to.
func TooManyRows(sheet string, n int) error {
	return domain.Invalid("file", "工作表「"+sheet+"」读到第 "+strconv.Itoa(n)+" 行时已超过 "+strconv.Itoa(MaxSheetRows)+
		" 行(空行、只在花名册以外的列有内容的行也算在内),而花名册最多 "+strconv.Itoa(domain.MaxImportRows)+
		" 行;请删除多余的行后上传")
}

// ReadUpload reads an upload whole, as excelize would; an upload larger than it may unpack to
// is refused before excelize copies it. A reader that knows its length (the API passes a
// bytes.Reader) is read in one allocation, not io.ReadAll's doubling ones.
func ReadUpload(r io.Reader) ([]byte, error) {
	if lr, ok := r.(interface{ Len() int }); ok && lr.Len() <= unzipSizeLimit {
		data := make([]byte, lr.Len())
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("read upload: %w", err)
		}
		return data, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, unzipSizeLimit+1))
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if len(data) > unzipSizeLimit {
		return nil, domain.Invalid("file", "文件超过 64 MB,请分批导入")
	}
	return data, nil
}

// Upload is an uploaded workbook that checkPackage passed, opened by excelize with low unzip
// limits, together with the zip checkPackage read and where its sheets are, so that its sheets
// are read from the zip (OpenSheet) rather than through excelize.
type Upload struct {
	// File is the workbook as excelize opened it: for its sheets' names and the workbook's
	// properties, and to edit it; its rows are read with OpenSheet.
	File  *excelize.File
	zr    *zip.Reader
	parts *sheetParts
	sst   *sharedStrings // shared by the sheets opened, read once
}

// Open checks an uploaded workbook (checkPackage) and opens it. Whatever is not a readable
// .xlsx is ErrInvalid naming field file, with a message that tells HR what to do. The caller
// closes the Upload.
func Open(data []byte) (*Upload, error) {
	zr, parts, err := checkPackage(data)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data),
		excelize.Options{UnzipSizeLimit: unzipSizeLimit, UnzipXMLSizeLimit: unzipXMLSizeLimit})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		// excelize reports the limit with an unexported fmt error, so only its text tells.
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, domain.Invalid("file", msgTooBig)
		}
		return nil, domain.Invalid("file", msgNotWorkbook)
	}
	switch n := len(f.GetSheetList()); {
	case n == 0:
		_ = f.Close()
		return nil, domain.Invalid("file", "文件不是有效的 Excel 工作簿(.xlsx):其中没有工作表")
	case n > MaxSheets:
		_ = f.Close()
		return nil, domain.Invalid("file", "工作簿中有 "+strconv.Itoa(n)+" 个工作表,超过 "+strconv.Itoa(MaxSheets)+" 个;请只保留花名册后上传")
	}
	return &Upload{File: f, zr: zr, parts: parts, sst: &sharedStrings{zf: parts.files[sharedStringsPart]}}, nil
}

// Close releases the workbook.
func (u *Upload) Close() error { return u.File.Close() }

// OpenSheet starts reading the named sheet (SheetReader). A sheet whose part cannot be found is
// an error: the file is damaged.
func (u *Upload) OpenSheet(sheet string) (*SheetReader, error) {
	return openSheet(u.parts, sheet, u.sst)
}

// HasStyleSheet reports whether the workbook's style sheet has the lists excelize adds a style
// to. Programs other than Excel and WPS may write a workbook without styles.xml, or with only
// some of its lists; excelize's NewStyle then dereferences a nil list and panics.
func (u *Upload) HasStyleSheet() bool {
	var st struct {
		Fonts   *struct{} `xml:"fonts"`
		Fills   *struct{} `xml:"fills"`
		Borders *struct{} `xml:"borders"`
		CellXfs *struct{} `xml:"cellXfs"`
	}
	for _, f := range u.zr.File {
		// excelize reads the style sheet by this name exactly (backslashes aside).
		if strings.ReplaceAll(f.Name, `\`, "/") != "xl/styles.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false
		}
		defer rc.Close()
		return xml.NewDecoder(rc).Decode(&st) == nil && st.Fonts != nil && st.Fills != nil && st.Borders != nil && st.CellXfs != nil
	}
	return false
}

// checkPackage looks through an uploaded .xlsx, a zip archive of XML parts, before excelize
// reads it, and refuses what would make excelize spend memory or time out of proportion to a
// roster, with a message that names the problem.
//
// excelize trusts the zip's headers: it checks the sizes they declare against its unzip
// limits, then reads each part and ignores a read error, so a part whose header says 1 KB but
// which inflates to gigabytes (archive/zip stops it at the declared size with ErrFormat) or
// whose checksum is wrong reads as a truncated part, silently. checkPackage inflates every part
// once, as a stream, and refuses the file on the first part that does not unpack to what its
// header says. The XML parts it reads with tagReader on the way, which refuses a token longer
// than maxXMLToken (excelize holds a cell's text, or any other token, whole), and counts the
// shared strings.
func checkPackage(data []byte) (*zip.Reader, *sheetParts, error) {
	if err := sniff(data); err != nil {
		return nil, nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // that one is named below
		return nil, nil, domain.Invalid("file", msgNotWorkbook)
	}
	if len(zr.File) > MaxParts {
		return nil, nil, domain.Invalid("file", "文件中有 "+strconv.Itoa(len(zr.File))+" 个条目,Excel 或 WPS 保存的工作簿不会这么多(上限 "+
			strconv.Itoa(MaxParts)+");请重新保存后上传")
	}
	var total uint64
	for _, f := range zr.File {
		if unsafePath(f.Name) {
			return nil, nil, domain.Invalid("file", "文件中有路径不安全的条目("+partLabel(f.Name)+"),不是 Excel 或 WPS 保存的工作簿,已拒绝")
		}
		// One size at a time first: a zip64 header may declare 2⁶³ bytes, and two such
		// would add up to a small number.
		if f.UncompressedSize64 > unzipSizeLimit || total+f.UncompressedSize64 > unzipSizeLimit {
			return nil, nil, domain.Invalid("file", msgTooBig)
		}
		total += f.UncompressedSize64
	}
	if err := checkWholeParts(zr); err != nil {
		return nil, nil, err
	}
	// The workbook and its relationships are known to be small now.
	parts := newSheetParts(zr)
	if err := checkParts(zr.File, parts.names); err != nil {
		return nil, nil, err
	}
	return zr, parts, nil
}

// checkParts checks every part, as many at once as there are cores: a roster's sheet and its
// shared strings are about the same size, and checking them one after the other held up the
// import's reading. sheets names the worksheets by their parts (partName). The error is the
// first part's in the zip's order, as one by one.
func checkParts(files []*zip.File, sheets map[string]string) error {
	errs := make([]error, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range files {
		g.Go(func() error {
			errs[i] = checkPart(f, sheets[partName(f.Name)])
			return nil
		})
	}
	g.Wait()
	return firstError(errs)
}

// firstError is the first error that is not nil, or nil.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// isWholePart tells by its (normalised) name a part that excelize decodes whole, as it opens
// a workbook or reads its sheets: the content types, the relationships, the styles, the theme
// and the calculation chain. The workbook part is one too, wherever the relationships put it.
func isWholePart(name string) bool {
	switch name {
	case "[content_types].xml", "xl/styles.xml", "xl/calcchain.xml":
		return true
	}
	return strings.HasPrefix(name, "xl/theme/") || strings.HasSuffix(name, ".rels")
}

// checkWholeParts refuses a workbook whose whole-decoded parts are bigger than
// maxWholeParts together, naming the biggest. It goes by the sizes the headers declare, which
// checkPart then holds every part to.
func checkWholeParts(zr *zip.Reader) error {
	var total uint64
	var biggest *zip.File
	add := func(f *zip.File) error {
		total += f.UncompressedSize64
		if biggest == nil || f.UncompressedSize64 > biggest.UncompressedSize64 {
			biggest = f
		}
		if total <= maxWholeParts {
			return nil
		}
		return domain.Invalid("file", "文件中的样式等格式信息解压后超过 4 MB(其中 "+partLabel(biggest.Name)+" 有 "+
			strconv.FormatUint(biggest.UncompressedSize64>>20, 10)+" MB),远多于花名册所需;请在 Excel 或 WPS 中清除多余格式、只保留花名册后重新保存上传")
	}
	for _, f := range zr.File {
		if isWholePart(partName(f.Name)) {
			if err := add(f); err != nil {
				return err
			}
		}
	}
	// The package's relationships are known to be small now, so reading them is safe.
	if f := findZipFile(zr, workbookPart(zr)); f != nil && !isWholePart(partName(f.Name)) {
		return add(f)
	}
	return nil
}

// partName is an entry's name as parts are compared: forward slashes, lower case.
func partName(name string) string { return strings.ToLower(strings.ReplaceAll(name, `\`, "/")) }

// unsafePath reports an entry name that climbs out of the folder it would be unpacked into:
// absolute, with a drive letter, or with a ".." element, in either kind of slash. Fugong never
// unpacks to disk by name, but an annotated workbook goes back to HR with every entry of the
// upload, and no program that saves workbooks writes such a name.
func unsafePath(name string) bool {
	name = strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(name, "/") || (len(name) >= 2 && name[1] == ':') {
		return true
	}
	return slices.Contains(strings.Split(name, "/"), "..")
}

// partLabel is an entry's name as a message quotes it: short, whatever the zip holds.
func partLabel(name string) string {
	const maxRunes = 60
	if r := []rune(strings.ToValidUTF8(name, "?")); len(r) > maxRunes {
		return string(r[:maxRunes]) + "…"
	}
	return strings.ToValidUTF8(name, "?")
}

// checkPart inflates one part to its end, which is where archive/zip checks its size and
// checksum, reading an XML part's tokens on the way. sheet is the name of the worksheet the
// part holds, "" for a part that holds none.
func checkPart(f *zip.File, sheet string) error {
	rc, err := f.Open()
	if err != nil {
		return errBadPart(f.Name)
	}
	defer rc.Close()
	name := partName(f.Name)
	if isXMLPart(name) {
		if err := checkXML(f.Name, rc, name == sharedStringsPart, sheet); err != nil {
			return err
		}
	}
	// The rest, all of a part that is not XML: the checksum is checked at the end.
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return errBadPart(f.Name)
	}
	return nil
}

// sharedStringsPart is where excelize reads the shared strings, whatever the relationships
// say (lower-cased, as zip names are compared).
const sharedStringsPart = "xl/sharedstrings.xml"

// isXMLPart tells the parts excelize may decode as XML by their (lower-cased) names.
func isXMLPart(name string) bool {
	return strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") || strings.HasSuffix(name, ".vml")
}

// checkXML reads the tokens of an XML part; with sst it counts its items, and with a sheet
// its rows (MaxSheetRows, as the roster's reader counts them): a sheet of 1.4 million rows is
// refused once 120,000 have been looked at, not read to its end first, and three times over.
func checkXML(name string, r io.Reader, sst bool, sheet string) error {
	tr := &tagReader{r: bufio.NewReaderSize(r, 64<<10)}
	items, rows, row := 0, 0, 0
	for {
		t, ok := tr.next()
		if !ok {
			break
		}
		if sst && t.name == "si" && !t.end {
			if items++; items > MaxSharedStrings {
				return domain.Invalid("file", "文件中的文字条目超过 "+strconv.Itoa(MaxSharedStrings)+" 条,远多于花名册(最多 "+
					strconv.Itoa(domain.MaxImportRows)+" 行)所需;请只保留花名册后重新上传")
			}
		}
		if sheet != "" && t.name == "row" && !t.end {
			row++
			if r := t.attr("r"); r != "" {
				if n, err := strconv.Atoi(r); err == nil && n > row {
					row = n
				}
			}
			if rows++; rows > MaxSheetRows {
				return TooManyRows(sheet, row)
			}
		}
	}
	switch {
	case errors.Is(tr.err, errTokenTooLong):
		return domain.Invalid("file", "文件中有超长的内容(其中的 "+partLabel(name)+" 有一段超过 256 KB,而 Excel 一个单元格最多 32767 个字符);"+
			"请检查后在 Excel 或 WPS 中重新保存上传")
	case tr.err != nil:
		return errBadPart(name)
	}
	return nil
}

// errBadPart refuses a file with a part that does not unpack: damaged in transfer, cut short,
// or made to deceive. The part's name helps whoever supports HR.
func errBadPart(name string) error {
	return domain.Invalid("file", "文件已损坏(其中的 "+partLabel(name)+" 无法解压);请在 Excel 或 WPS 中重新保存后上传")
}

package ooxml

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

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
func (tr *tagReader) next() (tag, bool) { return tr.nextAfter(nil) }

// nextAfter is next that also appends to *text, when text is not nil, the character data
// before the tag as the part holds it (entities not expanded) and the contents of CDATA
// sections; comments, declarations and processing instructions are left out. The text is no
// longer than maxXMLToken.
func (tr *tagReader) nextAfter(text *[]byte) (tag, bool) {
	for {
		if !tr.skipText(text) {
			return tag{}, false
		}
		peek, err := tr.r.Peek(1)
		if err != nil {
			tr.fail(err)
			return tag{}, false
		}
		switch peek[0] {
		case '!', '?':
			if !tr.skipSpecial(text) {
				return tag{}, false
			}
			continue
		}
		return tr.readTag()
	}
}

// skipText reads to just after the next "<", appending what it read before it to *text when
// text is not nil.
func (tr *tagReader) skipText(text *[]byte) bool {
	n := 0
	for {
		chunk, err := tr.r.ReadSlice('<')
		if n += len(chunk); n > maxXMLToken+1 {
			tr.err = errTokenTooLong
			return false
		}
		if text != nil {
			*text = append(*text, bytes.TrimSuffix(chunk, []byte("<"))...)
			if len(*text) > maxXMLToken {
				tr.err = errTokenTooLong
				return false
			}
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

// readTag reads from just after "<" to the tag's ">", minding quoted attribute values. It reads
// a slice up to each ">" at once: a sheet is mostly tags, and reading them byte by byte held
// the reading of a sheet to 40 MB/s.
func (tr *tagReader) readTag() (tag, bool) {
	tr.buf = tr.buf[:0]
	var quote byte
	for {
		chunk, err := tr.r.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			tr.fail(err)
			return tag{}, false
		}
		end := len(chunk)
		if err == nil {
			end-- // the ">"
		}
		for _, b := range chunk[:end] {
			if quote != 0 {
				if b == quote {
					quote = 0
				}
			} else if b == '"' || b == '\'' {
				quote = b
			}
		}
		if len(tr.buf)+len(chunk) > maxXMLToken+1 {
			tr.err = errTokenTooLong
			return tag{}, false
		}
		if err == nil && quote == 0 {
			tr.buf = append(tr.buf, chunk[:end]...)
			break
		}
		tr.buf = append(tr.buf, chunk...) // a ">" in a quoted value, or a tag longer than the buffer
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
	t.name, t.attrs = tagName(name), body[nameEnd:]
	return t, true
}

// tagName is a tag's name as a string, without allocating one for the names a sheet or a
// shared string table repeats on every row or item.
func tagName(b []byte) string {
	switch string(b) {
	case "row":
		return "row"
	case "c":
		return "c"
	case "v":
		return "v"
	case "t":
		return "t"
	case "f":
		return "f"
	case "is":
		return "is"
	case "si":
		return "si"
	case "r":
		return "r"
	case "rPr":
		return "rPr"
	}
	return string(b)
}

// skipSpecial skips a comment (to "-->"), a CDATA section (to "]]>") or a declaration or
// processing instruction (to ">"). A CDATA section's contents are appended to *text when text
// is not nil: they are character data.
func (tr *tagReader) skipSpecial(text *[]byte) bool {
	head, _ := tr.r.Peek(8)
	end := []byte(">")
	cdata := false
	switch {
	case bytes.HasPrefix(head, []byte("!--")):
		end = []byte("-->")
	case bytes.HasPrefix(head, []byte("![CDATA[")):
		end, cdata = []byte("]]>"), true
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
		if cdata && text != nil && n >= len("![CDATA[") {
			*text = append(*text, b)
		}
		tail = append(tail, b)
		if len(tail) > len(end) {
			tail = tail[1:]
		}
		if bytes.Equal(tail, end) {
			if cdata && text != nil {
				*text = (*text)[:len(*text)-len(end)]
				if len(*text) > maxXMLToken {
					tr.err = errTokenTooLong
					return false
				}
			}
			return true
		}
	}
}

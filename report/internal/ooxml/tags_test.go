package ooxml

import (
	"bufio"
	"strings"
	"testing"
)

// TestTagReader: tags come out with their local names and attributes; text, comments, CDATA
// (even holding "<c"), declarations, and a ">" inside a quoted value do not confuse it.
func TestTagReader(t *testing.T) {
	xml := `<?xml version="1.0"?><!-- <c r="Z9"> --><x:worksheet xmlns:x="ns"><x:sheetData>` +
		`<row r="2"><c r="A2" t="s"><v>3</v></c><c r='B2' s="1"><f><![CDATA[<c t="s">]]></f><v>1</v></c>` +
		`<c r="C2" t="str" note="a>b"/></row></x:sheetData></x:worksheet>`
	tr := &tagReader{r: bufio.NewReader(strings.NewReader(xml))}
	var got []string
	for {
		tg, ok := tr.next()
		if !ok {
			break
		}
		s := tg.name
		if tg.end {
			s = "/" + s
		}
		if tg.empty {
			s += "/"
		}
		if r := tg.attr("r"); r != "" {
			s += " r=" + r
		}
		if ty := tg.attr("t"); ty != "" {
			s += " t=" + ty
		}
		got = append(got, s)
	}
	want := []string{"worksheet", "sheetData", "row r=2", "c r=A2 t=s", "v", "/v", "/c", "c r=B2", "f", "/f", "v", "/v", "/c",
		"c/ r=C2 t=str", "/row", "/sheetData", "/worksheet"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"fugong/repo/dbtest"
	"fugong/report/xlsxtest"
)

// maxImportAlloc bounds what one wide upload may allocate, client and server together, all
// told: the zip is unpacked twice (checked, then read) and once more by excelize as it opens
// the workbook, but no row is padded to its last column. excelize's iterator made 16,384
// strings of every row with a cell in column XFD: 30,000 such rows allocated gigabytes.
const maxImportAlloc = 256 << 20

// TestRosterImportWide sends the workbooks of issue 16 through the real route: rows with one
// cell in column XFD and nothing in the roster's columns. 1.4 million of them are refused,
// naming the sheet, the row and the limit; 30,000 (the small version) are read through and
// imported with the people among them. Both cost the heap less than maxHeapGrowth and
// allocate less than maxImportAlloc; the refused one changes nothing. (It took half an hour,
// and a dry run was enough.)
func TestRosterImportWide(t *testing.T) {
	var big, small bytes.Buffer
	if err := xlsxtest.WriteZip(&big, xlsxtest.Wide(0, 1_400_000).Parts()...); err != nil {
		t.Fatal(err)
	}
	if err := xlsxtest.WriteZip(&small, xlsxtest.Wide(3, 30_000).Parts()...); err != nil {
		t.Fatal(err)
	}
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open(t))
			hr := f.token("hra1")
			path := fmt.Sprintf("/api/v1/enterprises/%d/workers/import", f.entA1.ID)
			cases := []struct {
				name       string
				book       []byte
				query      string
				wantStatus int
				want       string
			}{
				{"ErrRowsDryRun", big.Bytes(), "?dry_run=true", 422, "工作表「花名册」读到第 120001 行时已超过 120000 行"},
				{"ErrRows", big.Bytes(), "", 422, "而花名册最多 60000 行;请删除多余的行后上传"},
				{"OKSmallDryRun", small.Bytes(), "?dry_run=true", 200, `"created":3`},
				{"OKSmall", small.Bytes(), "", 200, `"created":3`},
			}
			for _, tt := range cases {
				t.Run(tt.name, func(t *testing.T) {
					before := f.rosterState(hr)
					body, ct := multipartBody(t, tt.book)
					res, use := f.uploadMeasured(path+tt.query, hr, "", bytes.NewReader(body), int64(len(body)), ct)
					t.Logf("%d KB upload: %d, %s", len(tt.book)>>10, res.status, use)
					if res.status != tt.wantStatus {
						t.Fatalf("got %d %.300s, want %d", res.status, res.body, tt.wantStatus)
					}
					got := string(res.body)
					if tt.wantStatus != 200 {
						got = fileMessage(t, res)
					}
					if !strings.Contains(got, tt.want) {
						t.Errorf("got %.300s, want it to hold %q", got, tt.want)
					}
					if after := f.rosterState(hr); tt.wantStatus != 200 && after != before {
						t.Errorf("the roster changed:\n got  %.300s\n want %.300s", after, before)
					}
					if use.peak > maxHeapGrowth || use.total > maxImportAlloc {
						t.Errorf("got %s, want a peak under %d MB and under %d MB allocated", use, maxHeapGrowth>>20, maxImportAlloc>>20)
					}
				})
			}
		})
	}
}

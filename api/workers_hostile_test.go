package api_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"fugong/api"
	"fugong/repo/dbtest"
	"fugong/report/xlsxtest"
)

// maxHeapGrowth is the bound on what one hostile upload may add to the heap, client and server
// together (they share the process): a resource bound, far above what a refusal needs and far
// below what the files would cost if read as they ask.
const maxHeapGrowth = 200 << 20

// heapUse is what a request cost the heap: the highest growth seen over the heap before it,
// and all it allocated.
type heapUse struct{ peak, total uint64 }

func (h heapUse) String() string {
	return fmt.Sprintf("heap peak +%.1f MB, allocated %.1f MB", float64(h.peak)/(1<<20), float64(h.total)/(1<<20))
}

// measureHeap runs fn while a goroutine samples the live heap every millisecond (runtime
// metrics, which do not stop the world), and returns its growth over the heap before fn.
func measureHeap(fn func()) heapUse {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, total := ms.HeapAlloc, ms.TotalAlloc
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapAlloc)
	return heapUse{peak: peak - min(peak, base), total: ms.TotalAlloc - total}
}

// multipartBody is a workbook as the multipart field file, ready to send.
func multipartBody(t *testing.T, workbook []byte) ([]byte, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", "花名册.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	part.Write(workbook)
	mw.Close()
	return body.Bytes(), mw.FormDataContentType()
}

// uploadMeasured posts a body (a reader, so that it may be generated as it is sent) and
// measures the heap while the request runs; the body's preparation is not counted.
func (f *fixture) uploadMeasured(path, token, accept string, body io.Reader, size int64, contentType string) (response, heapUse) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, body)
	req.ContentLength = size // -1: chunked
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	var res response
	var err error
	use := measureHeap(func() {
		var r *http.Response
		if r, err = f.srv.Client().Do(req); err != nil {
			return
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		res = response{status: r.StatusCode, header: r.Header, body: b}
	})
	if err != nil {
		f.t.Fatalf("upload: %v", err)
	}
	return res, use
}

// rosterState is what an import may change: the rows of the tables it writes, and the
// roster as HR lists it.
func (f *fixture) rosterState(hr string) string {
	f.t.Helper()
	var sb strings.Builder
	for _, table := range []string{"workers", "daily_stats", "daily_origins", "alerts", "audit_events"} {
		fmt.Fprintf(&sb, "%s=%d ", table, f.count(table))
	}
	res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/workers?page_size=100", f.entA1.ID), hr, nil)
	if res.status != http.StatusOK {
		f.t.Fatalf("list workers: got %d %s", res.status, res.body)
	}
	sb.Write(res.body)
	return sb.String()
}

// fileMessage is the message an error answer gives: the file field's, or the first row
// error's, or the top one.
func fileMessage(t *testing.T, res response) string {
	t.Helper()
	var b struct {
		Error struct {
			Message string `json:"message"`
			Fields  []struct {
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"fields"`
		} `json:"error"`
		Errors []struct {
			Row     int    `json:"row"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	res.decode(t, &b)
	msgs := []string{b.Error.Message}
	for _, fe := range b.Error.Fields {
		msgs = append(msgs, fe.Field+": "+fe.Message)
	}
	for _, e := range b.Errors {
		msgs = append(msgs, fmt.Sprintf("row %d: %s", e.Row, e.Message))
	}
	return strings.Join(msgs, " | ")
}

// TestRosterImportHostile sends workbooks made to hurt the server, the files report's
// TestReadRosterHostile reads and more, through the real route: each is refused with a 4xx
// whose message names the problem in Chinese, writes nothing, and costs the heap less than
// maxHeapGrowth. The engines run one after the other, not in parallel, so that each
// measurement sees one request.
func TestRosterImportHostile(t *testing.T) {
	type hostile struct {
		name       string
		book       func(t testing.TB) []byte
		accept     string
		wantStatus int
		wantMsg    string // in the file field's message, or a row error's
	}
	xls := func(f func() []byte) func(testing.TB) []byte { return func(testing.TB) []byte { return f() } }
	cases := []hostile{
		// A sheet of 4 GB of spaces in 4 MB, with headers that say so, or say 1 KB, or 60 MB.
		{"ZipBomb", func(t testing.TB) []byte { return xlsxtest.ZipBomb(t, 4<<30, 0) }, "", 422, "解压后超过 64 MB"},
		{"ZipBombLying1KB", func(t testing.TB) []byte { return xlsxtest.ZipBomb(t, 4<<30, 1<<10) }, "", 422, "文件已损坏"},
		{"ZipBombLying60MB", func(t testing.TB) []byte { return xlsxtest.ZipBomb(t, 4<<30, 60<<20) }, "", 422, "有一段超过 256 KB"},
		// <dimension ref="A1:Z1048576"/> and a million rows: the sheet's row limit, named, as
		// the package is checked. 100,000 people: the roster's row limit, named; the error
		// workbook is not made for it.
		{"MillionRows", func(t testing.TB) []byte { return xlsxtest.ManyRows(t, 1_000_000) }, "", 422, "读到第 120001 行时已超过 120000 行"},
		{"ManyRows", func(t testing.TB) []byte { return xlsxtest.ManyRows(t, 100_000) }, "", 422, "最多 60000 行"},
		{"ManyRowsErrorWorkbook", func(t testing.TB) []byte { return xlsxtest.ManyRows(t, 100_000) }, xlsxType, 422, "不提供标注错误的工作簿"},
		{"HugeSharedString", func(t testing.TB) []byte { return xlsxtest.HugeSharedString(t, 50<<20) }, "", 422, "有一段超过 256 KB"},
		{"ManySharedStrings", func(t testing.TB) []byte { return xlsxtest.ManySharedStrings(t, 12_000_000) }, "", 422, "文字条目超过 300000 条"},
		{"Truncated", func(t testing.TB) []byte { return xlsxtest.Truncated(t, 20, 0.6) }, "", 422, "不是有效的 Excel 工作簿"},
		{"PathTraversal", xlsxtest.PathTraversal, xlsxType, 422, "路径不安全的条目(../../../../tmp/fugong-evil.xml)"},
		{"CSV", xls(xlsxtest.CSV), "", 422, "CSV、旧版 .xls 等请先在 Excel 或 WPS 中另存为 .xlsx"},
		{"PNG", xls(xlsxtest.PNG), "", 422, "文件是图片或 PDF"},
		{"Encrypted", xls(xlsxtest.Encrypted), "", 422, "工作簿设有打开密码"},
		{"XLS", xls(xlsxtest.XLS), "", 422, "旧版 Excel 97-2003 工作簿(.xls)"},
		{"BIFF", xls(xlsxtest.BIFF), "", 422, "旧版 Excel 97-2003 工作簿(.xls)"},
		// 180,000 empty entries: 19 MB, just under the upload limit.
		{"ManyEntries", func(t testing.TB) []byte { return xlsxtest.ManyEntries(t, 180_000) }, "", 422, "个条目,Excel 或 WPS 保存的工作簿不会这么多"},
		{"ManySheets", func(t testing.TB) []byte { return xlsxtest.ManySheets(t, 5000, nil) }, "", 422, "个工作表,超过 1000 个"},
	}
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open(t))
			hr := f.token("hra1")
			path := fmt.Sprintf("/api/v1/enterprises/%d/workers/import", f.entA1.ID)
			// A roster and its statistics to begin with, so that a change shows.
			if res := f.upload(path, hr, "", xlsxtest.Valid(t, 3)); res.status != http.StatusOK {
				t.Fatalf("first import: got %d %s", res.status, res.body)
			}
			before := f.rosterState(hr)

			for _, tt := range cases {
				t.Run(tt.name, func(t *testing.T) {
					body, ct := multipartBody(t, tt.book(t))
					res, use := f.uploadMeasured(path, hr, tt.accept, bytes.NewReader(body), int64(len(body)), ct)
					t.Logf("%d KB upload: %d, %s", len(body)>>10, res.status, use)
					if res.status != tt.wantStatus {
						t.Fatalf("got %d %.300s, want %d", res.status, res.body, tt.wantStatus)
					}
					if msg := fileMessage(t, res); !strings.Contains(msg, tt.wantMsg) {
						t.Errorf("got message %q, want one with %q", msg, tt.wantMsg)
					}
					if after := f.rosterState(hr); after != before {
						t.Errorf("the roster changed:\n got  %.300s\n want %.300s", after, before)
					}
					if use.peak > maxHeapGrowth {
						t.Errorf("got %s, want a peak under %d MB", use, maxHeapGrowth>>20)
					}
				})
			}

			// A dimension that claims a million rows over a sheet of two means nothing: the two
			// people are read (as a dry run: nothing is written either).
			t.Run("DimensionOnly", func(t *testing.T) {
				book := xlsxtest.Book{Dimension: "A1:Z1048576",
					Rows: xlsxtest.Rows(xlsxtest.Header, xlsxtest.Person(10), xlsxtest.Person(11))}.Bytes(t)
				body, ct := multipartBody(t, book)
				res, use := f.uploadMeasured(path+"?dry_run=true", hr, "", bytes.NewReader(body), int64(len(body)), ct)
				t.Logf("%d KB upload: %d, %s", len(body)>>10, res.status, use)
				if res.status != http.StatusOK || !strings.Contains(string(res.body), `"created":2`) {
					t.Fatalf("got %d %.300s, want 200 with 2 created", res.status, res.body)
				}
				if use.peak > maxHeapGrowth {
					t.Errorf("got %s, want a peak under %d MB", use, maxHeapGrowth>>20)
				}
			})

			// More than MaxUpload: refused on the declared length before the body is read, and
			// when the length is not declared (chunked) once MaxUpload has been read.
			t.Run("TooLarge", func(t *testing.T) {
				const size = api.MaxUpload + 5<<20
				for _, chunked := range []bool{false, true} {
					pr, pw := io.Pipe()
					mw := multipart.NewWriter(pw)
					go func() {
						part, err := mw.CreateFormFile("file", "花名册.xlsx")
						if err != nil { // the server refused before reading, and the pipe is closed
							pw.CloseWithError(err)
							return
						}
						chunk := bytes.Repeat([]byte("PK"), 32<<10)
						for sent := 0; sent < size; sent += len(chunk) {
							if _, err := part.Write(chunk); err != nil {
								pw.CloseWithError(err)
								return
							}
						}
						pw.CloseWithError(mw.Close())
					}()
					length := int64(-1)
					if !chunked {
						length = size + 1024 // the parts' headers, about
					}
					res, use := f.uploadMeasured(path, hr, "", pr, length, mw.FormDataContentType())
					pr.Close()
					t.Logf("chunked %v: %d, %s", chunked, res.status, use)
					if res.status != http.StatusRequestEntityTooLarge {
						t.Errorf("chunked %v: got %d %.300s, want 413", chunked, res.status, res.body)
					}
					if use.peak > maxHeapGrowth {
						t.Errorf("chunked %v: got %s, want a peak under %d MB", chunked, use, maxHeapGrowth>>20)
					}
				}
				if after := f.rosterState(hr); after != before {
					t.Errorf("the roster changed:\n got  %.300s\n want %.300s", after, before)
				}
			})
		})
	}
}

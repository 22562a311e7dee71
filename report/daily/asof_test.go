package daily

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
)

// TestDataAsOf: a report read from a replica says when its data are as of in its title rows,
// in the township's time; one read from the primary (a zero time) says nothing.
func TestDataAsOf(t *testing.T) {
	at := time.Date(2026, 2, 10, 0, 12, 3, 0, time.UTC) // 08:12:03 in Shanghai
	town := domain.Township{Name: "长山镇", Timezone: "Asia/Shanghai"}
	title := func(t *testing.T, b []byte, sheet string) string {
		t.Helper()
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		v, err := f.GetCellValue(sheet, "A1")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Run("Daily", func(t *testing.T) {
		r := dailyReport()
		for _, tc := range []struct {
			at   time.Time
			want string
		}{{at, r.Township.Name + "企业复工复产日报(数据截至 2026-02-10 08:12:03)"}, {time.Time{}, r.Township.Name + "企业复工复产日报"}} {
			var buf bytes.Buffer
			if err := Write(&buf, r, DataAsOf(tc.at, town)); err != nil {
				t.Fatal(err)
			}
			if got := title(t, buf.Bytes(), summarySheet); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		}
	})
	t.Run("Range", func(t *testing.T) {
		from := domain.NewDate(2026, 2, 1)
		rw, err := NewRangeWriter("长山镇", from, from, DataAsOf(at, town))
		if err != nil {
			t.Fatal(err)
		}
		defer rw.Close()
		var buf bytes.Buffer
		if _, err := rw.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if got, want := title(t, buf.Bytes(), rangeSheet), "长山镇企业复工统计(2026-02-01 至 2026-02-01)(数据截至 2026-02-10 08:12:03)"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

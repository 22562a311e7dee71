package domain_test

import (
	"testing"

	"fugong/domain"
)

func TestParseBatchRef(t *testing.T) {
	feb20 := domain.NewDate(2026, 2, 20)
	for _, tt := range []struct {
		in   string
		n    int
		date domain.Date
		ok   bool
	}{
		{"1", 1, domain.Date{}, true},
		{" 第1批 ", 1, domain.Date{}, true},
		{"第 12 批次", 12, domain.Date{}, true},
		{"第一批", 1, domain.Date{}, true},
		{"第十批", 10, domain.Date{}, true},
		{"十二", 12, domain.Date{}, true},
		{"二十", 20, domain.Date{}, true},
		{"３", 3, domain.Date{}, true}, // full-width, as some keyboards type it
		{"2026-02-20", 0, feb20, true},
		{"2026/2/20", 0, feb20, true},
		{"2026年2月20日", 0, feb20, true},
		{"20260220", 0, feb20, true},
		{"第1批 2026-02-20", 1, feb20, true},
		{"第1批(2026-02-20)", 1, feb20, true},
		{"第1批（2026年2月20日）", 1, feb20, true},
		{"0", 0, domain.Date{}, false},
		{"第零批", 0, domain.Date{}, false},
		{"2026", 0, domain.Date{}, false},
		{"第1批 2026-02-30", 0, domain.Date{}, false},
		{"一批人", 0, domain.Date{}, false},
		{"甲班", 0, domain.Date{}, false},
	} {
		n, d, ok := domain.ParseBatchRef(tt.in)
		if n != tt.n || d != tt.date || ok != tt.ok {
			t.Errorf("ParseBatchRef(%q): got %d %v %v, want %d %v %v", tt.in, n, d, ok, tt.n, tt.date, tt.ok)
		}
	}
	// What BatchLabel writes reads back.
	b := domain.ReturnBatch{Number: 3, Date: feb20}
	if n, d, ok := domain.ParseBatchRef(domain.BatchLabel(b)); n != 3 || d != feb20 || !ok {
		t.Errorf("got %d %v %v for %q, want it read back", n, d, ok, domain.BatchLabel(b))
	}
}

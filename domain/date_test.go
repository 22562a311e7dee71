package domain_test

import (
	"testing"
	"time"

	"fugong/domain"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     domain.Date
		wantOK   bool
		wantZero bool
	}{
		{name: "OK", in: "2026-02-17", want: domain.NewDate(2026, 2, 17), wantOK: true},
		{name: "OKSpaces", in: " 2026-02-17\t", want: domain.NewDate(2026, 2, 17), wantOK: true},
		{name: "OKLeapDay", in: "2024-02-29", want: domain.NewDate(2024, 2, 29), wantOK: true},
		{name: "Empty", in: "", wantOK: true, wantZero: true},
		{name: "Blank", in: "  ", wantOK: true, wantZero: true},
		{name: "BadNoLeapDay", in: "2026-02-29"},
		{name: "BadMonth", in: "2026-13-01"},
		{name: "BadSlashes", in: "2026/02/17"},
		{name: "BadNoPadding", in: "2026-2-17"},
		{name: "BadDateTime", in: "2026-02-17T00:00:00Z"},
		{name: "BadWords", in: "tomorrow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := domain.ParseDate(tt.in)
			if ok != tt.wantOK {
				t.Fatalf("ParseDate(%q) ok = %v, want %v", tt.in, ok, tt.wantOK)
			}
			if !ok || tt.wantZero {
				if !got.IsZero() {
					t.Fatalf("ParseDate(%q) = %v, want the zero date", tt.in, got)
				}
				return
			}
			if got != tt.want || got.IsZero() {
				t.Fatalf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if got.String() != tt.want.String() {
				t.Fatalf("got String %q, want %q", got.String(), tt.want.String())
			}
		})
	}
}

func TestDateZero(t *testing.T) {
	var d domain.Date
	if !d.IsZero() {
		t.Errorf("got IsZero false, want true")
	}
	if got := d.String(); got != "" {
		t.Errorf("got %q, want the empty string", got)
	}
	if domain.NewDate(2026, 2, 17).IsZero() {
		t.Errorf("got IsZero true for 2026-02-17, want false")
	}
}

func TestDateOf(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatalf("load Asia/Shanghai: %v", err)
	}
	tests := []struct {
		name string
		at   time.Time
		loc  *time.Location
		want domain.Date
	}{
		{name: "ShanghaiAfterMidnight", at: time.Date(2026, 2, 16, 17, 0, 0, 0, time.UTC), loc: shanghai, want: domain.NewDate(2026, 2, 17)},
		{name: "ShanghaiBeforeMidnight", at: time.Date(2026, 2, 16, 15, 59, 59, 0, time.UTC), loc: shanghai, want: domain.NewDate(2026, 2, 16)},
		{name: "ShanghaiNewYear", at: time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), loc: shanghai, want: domain.NewDate(2026, 1, 1)},
		{name: "UTC", at: time.Date(2026, 2, 16, 17, 0, 0, 0, time.UTC), loc: time.UTC, want: domain.NewDate(2026, 2, 16)},
		{name: "FromOtherZone", at: time.Date(2026, 2, 17, 1, 0, 0, 0, shanghai), loc: time.UTC, want: domain.NewDate(2026, 2, 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.DateOf(tt.at, tt.loc); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDateFromTime(t *testing.T) {
	// A DATE column comes back as midnight UTC; some drivers add a zone, which must not move the day.
	got := domain.DateFromTime(time.Date(2026, 2, 17, 0, 0, 0, 0, time.UTC))
	if want := domain.NewDate(2026, 2, 17); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := domain.NewDate(2026, 2, 17).Time(); !got.Equal(time.Date(2026, 2, 17, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("got Time %v, want midnight UTC", got)
	}
}

func TestDateAddDays(t *testing.T) {
	tests := []struct {
		name string
		from domain.Date
		n    int
		want domain.Date
	}{
		{name: "SameMonth", from: domain.NewDate(2026, 2, 10), n: 7, want: domain.NewDate(2026, 2, 17)},
		{name: "Zero", from: domain.NewDate(2026, 2, 10), n: 0, want: domain.NewDate(2026, 2, 10)},
		{name: "FebruaryEnd", from: domain.NewDate(2026, 2, 27), n: 3, want: domain.NewDate(2026, 3, 2)},
		{name: "LeapFebruaryEnd", from: domain.NewDate(2024, 2, 28), n: 1, want: domain.NewDate(2024, 2, 29)},
		{name: "ThirtyDayMonth", from: domain.NewDate(2026, 4, 30), n: 1, want: domain.NewDate(2026, 5, 1)},
		{name: "YearEnd", from: domain.NewDate(2025, 12, 31), n: 1, want: domain.NewDate(2026, 1, 1)},
		{name: "BackAcrossMonth", from: domain.NewDate(2026, 3, 1), n: -1, want: domain.NewDate(2026, 2, 28)},
		{name: "BackThirtyDays", from: domain.NewDate(2026, 2, 10), n: -30, want: domain.NewDate(2026, 1, 11)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.from.AddDays(tt.n); got != tt.want {
				t.Fatalf("%v.AddDays(%d) = %v, want %v", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

func TestDateCompare(t *testing.T) {
	a, b := domain.NewDate(2026, 2, 16), domain.NewDate(2026, 2, 17)
	if !a.Before(b) || b.Before(a) || a.Before(a) {
		t.Errorf("got Before %v %v %v, want true false false", a.Before(b), b.Before(a), a.Before(a))
	}
	if !b.After(a) || a.After(b) || a.After(a) {
		t.Errorf("got After %v %v %v, want true false false", b.After(a), a.After(b), a.After(a))
	}
}

func TestDateDaysUntil(t *testing.T) {
	tests := []struct {
		name     string
		from, to domain.Date
		want     int
	}{
		{name: "Same", from: domain.NewDate(2026, 2, 10), to: domain.NewDate(2026, 2, 10), want: 0},
		{name: "Week", from: domain.NewDate(2026, 2, 10), to: domain.NewDate(2026, 2, 17), want: 7},
		{name: "AcrossFebruary", from: domain.NewDate(2026, 2, 27), to: domain.NewDate(2026, 3, 2), want: 3},
		{name: "AcrossLeapFebruary", from: domain.NewDate(2024, 2, 27), to: domain.NewDate(2024, 3, 2), want: 4},
		{name: "Year", from: domain.NewDate(2026, 1, 1), to: domain.NewDate(2027, 1, 1), want: 365},
		{name: "Earlier", from: domain.NewDate(2026, 2, 17), to: domain.NewDate(2026, 2, 10), want: -7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.from.DaysUntil(tt.to); got != tt.want {
				t.Fatalf("%v.DaysUntil(%v) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestTownshipToday(t *testing.T) {
	evening := time.Date(2026, 2, 16, 17, 0, 0, 0, time.UTC) // 01:00 on the 17th in Shanghai
	tests := []struct {
		name     string
		timezone string
		want     domain.Date
	}{
		{name: "Shanghai", timezone: "Asia/Shanghai", want: domain.NewDate(2026, 2, 17)},
		{name: "Urumqi", timezone: "Asia/Urumqi", want: domain.NewDate(2026, 2, 16)},
		{name: "UnknownZoneFallsBackToUTC", timezone: "Mars/Olympus", want: domain.NewDate(2026, 2, 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (domain.Township{Timezone: tt.timezone}).Today(evening); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

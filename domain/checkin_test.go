package domain_test

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"fugong/domain"
)

func TestParseTemperature(t *testing.T) {
	tests := []struct {
		in   float64
		want domain.Temperature
		ok   bool
	}{
		{36.5, 365, true}, {37.25, 373, true}, {35.0, 350, true}, {42.0, 420, true}, {38.1, 381, true},
		{34.9, 0, false}, {34.0, 0, false}, {42.1, 0, false}, {0, 0, false}, {math.NaN(), 0, false}, {math.Inf(1), 0, false},
	}
	for _, tt := range tests {
		got, err := domain.ParseTemperature(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseTemperature(%v): got %v %v, want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("ParseTemperature(%v): got %v, want ErrInvalid", tt.in, err)
		}
	}
	if got := domain.Temperature(373).String(); got != "37.3" {
		t.Errorf("got %q, want 37.3", got)
	}
}

// FuzzParseTemperature feeds the reading parser any float: it never panics; a reading it
// accepts is within 35.0–42.0 °C, within half a tenth of what was sent, written with one
// decimal, and parses again to itself from that text; every reading from 35.0 to 42.0 is
// accepted; a refusal is an ErrInvalid naming temperature with a message. The seeds run with
// the normal tests.
func FuzzParseTemperature(f *testing.F) {
	for _, c := range []float64{
		36.5, 37.25, 35.0, 42.0, 34.95, 34.949999, 42.05, 42.04999, 34.9, 42.1, 0, -0.0, -36.5, 365, 3.65,
		math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64,
		1e18, 9.223372036854775807e17, -9.3e17, math.Nextafter(35, 0), math.Nextafter(42, 43),
	} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, c float64) {
		got, err := domain.ParseTemperature(c)
		if err != nil {
			var de *domain.Error
			if !errors.As(err, &de) || !errors.Is(err, domain.ErrInvalid) || len(de.Fields) != 1 ||
				de.Fields[0].Field != "temperature" || de.Fields[0].Message == "" {
				t.Fatalf("ParseTemperature(%v): got error %#v, want an ErrInvalid naming temperature", c, err)
			}
			if c >= 35 && c <= 42 {
				t.Fatalf("ParseTemperature(%v): got %v, want a reading in 35.0–42.0 accepted", c, err)
			}
			if got != 0 {
				t.Fatalf("ParseTemperature(%v): got %v with an error, want 0", c, got)
			}
			return
		}
		if got < domain.MinTemperature || got > domain.MaxTemperature {
			t.Fatalf("ParseTemperature(%v): got %v, want 35.0–42.0", c, got)
		}
		if d := math.Abs(got.Celsius() - c); d > 0.05+1e-9 {
			t.Fatalf("ParseTemperature(%v): got %v, %v away, want it rounded to a tenth", c, got, d)
		}
		text := got.String()
		if len(text) != 4 || text[2] != '.' {
			t.Fatalf("ParseTemperature(%v): got %q, want one decimal", c, text)
		}
		back, err := strconv.ParseFloat(text, 64)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := domain.ParseTemperature(back); err != nil || again != got {
			t.Fatalf("ParseTemperature(%s): got %v %v, want %v", text, again, err, got)
		}
	})
}

func TestParseSymptoms(t *testing.T) {
	got, note, err := domain.ParseSymptoms([]string{"fatigue", "fever", "fatigue"}, "头痛")
	if err != nil || !slices.Equal(got, []domain.Symptom{domain.SymptomFever, domain.SymptomFatigue}) || note != "头痛" {
		t.Errorf("got %v %q %v, want [fever fatigue] in form order and the note kept", got, note, err)
	}
	if _, note, err := domain.ParseSymptoms([]string{"other"}, " 头痛 "); err != nil || note != "头痛" {
		t.Errorf("got %q %v, want the note kept", note, err)
	}
	for name, in := range map[string][]string{"Unknown": {"sneezing"}, "OtherWithoutNote": {"other"}} {
		if _, _, err := domain.ParseSymptoms(in, ""); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
	if got, _, err := domain.ParseSymptoms(nil, ""); err != nil || len(got) != 0 {
		t.Errorf("no symptoms: got %v %v", got, err)
	}
}

func TestCheckCheckinDate(t *testing.T) {
	today := domain.NewDate(2026, 2, 17)
	for _, tt := range []struct {
		d  domain.Date
		ok bool
	}{{today, true}, {today.AddDays(-1), true}, {today.AddDays(1), false}, {today.AddDays(-2), false}} {
		if err := domain.CheckCheckinDate(tt.d, today); (err == nil) != tt.ok {
			t.Errorf("%s: got %v, want ok=%v", tt.d, err, tt.ok)
		}
	}
}

func TestTownshipCutoffAndFever(t *testing.T) {
	tw := domain.Township{Timezone: "Asia/Shanghai", Policy: domain.DefaultPolicy}
	got := tw.Cutoff(domain.NewDate(2026, 2, 17), domain.SlotAM)
	if want := time.Date(2026, 2, 17, 2, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("morning cut-off: got %v, want %v (10:00 in Shanghai)", got.UTC(), want)
	}
	if got := tw.Cutoff(domain.NewDate(2026, 2, 17), domain.SlotPM); got.Hour() != 16 {
		t.Errorf("afternoon cut-off: got %v, want 16:00", got)
	}
	for temp, want := range map[domain.Temperature]bool{372: false, 373: true, 381: true} {
		if got := tw.Fever(temp); got != want {
			t.Errorf("Fever(%v) at 37.3: got %v, want %v", temp, got, want)
		}
	}
}

func TestCheckinAlerts(t *testing.T) {
	tw := domain.Township{Timezone: "Asia/Shanghai", Policy: domain.DefaultPolicy}
	day := domain.NewDate(2026, 2, 17)
	c := func(temp domain.Temperature, syms ...domain.Symptom) domain.Checkin {
		return domain.Checkin{WorkerID: 7, Date: day, Slot: domain.SlotPM, Temperature: temp, Symptoms: syms}
	}
	types := func(as []domain.Alert) []domain.AlertType {
		var out []domain.AlertType
		for _, a := range as {
			out = append(out, a.Type)
		}
		return out
	}
	feverAM := c(381)
	normalAM := c(365)
	tests := []struct {
		name     string
		checkin  domain.Checkin
		previous *domain.Checkin
		want     []domain.AlertType
	}{
		{"Normal", c(365), nil, nil},
		{"JustBelowThreshold", c(372), nil, nil},
		{"Fever", c(381, domain.SymptomFever), &normalAM, []domain.AlertType{domain.AlertFever}},
		{"Symptoms", c(366, domain.SymptomDryCough), nil, []domain.AlertType{domain.AlertSymptoms}},
		{"FeverTwice", c(375), &feverAM, []domain.AlertType{domain.AlertFever, domain.AlertRepeatedFever}},
		{"FeverAndCough", c(380, domain.SymptomDryCough), nil, []domain.AlertType{domain.AlertFever, domain.AlertSymptoms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tw.CheckinAlerts(tt.checkin, tt.previous)
			if !slices.Equal(types(got), tt.want) {
				t.Errorf("got %v, want %v", types(got), tt.want)
			}
			for _, a := range got {
				if a.Status != domain.AlertOpen || a.WorkerID != 7 || a.Date != day || a.Escalated != (a.Type == domain.AlertRepeatedFever) {
					t.Errorf("got %+v, want an open alert of worker 7 on %s, escalated only for repeated fever", a, day)
				}
			}
		})
	}
	if d, s := domain.PreviousSlot(day, domain.SlotAM); d != day.AddDays(-1) || s != domain.SlotPM {
		t.Errorf("before the morning: got %s %s, want yesterday pm", d, s)
	}
}

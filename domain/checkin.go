package domain

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Slot is one of the two daily health reports: morning or afternoon.
type Slot string

// The check-in slots.
const (
	SlotAM Slot = "am"
	SlotPM Slot = "pm"
)

// Valid reports whether s is a slot.
func (s Slot) Valid() bool { return s == SlotAM || s == SlotPM }

// Temperature is a body temperature in tenths of a degree Celsius (373 is 37.3 °C), so that
// readings compare exactly and are stored as integers.
type Temperature int

// Readings outside this range are typing mistakes or broken thermometers, not temperatures.
const (
	MinTemperature Temperature = 350
	MaxTemperature Temperature = 420
)

// ParseTemperature takes a reading in °C, rounded to one decimal as a thermometer shows it.
func ParseTemperature(c float64) (Temperature, error) {
	if math.IsNaN(c) || math.IsInf(c, 0) {
		return 0, Invalid("temperature", "请填写体温")
	}
	t := Temperature(math.Round(c * 10))
	if t < MinTemperature || t > MaxTemperature {
		return 0, Invalid("temperature", "体温应在 35.0 到 42.0 °C 之间,请重新测量")
	}
	return t, nil
}

// Celsius returns the reading in °C.
func (t Temperature) Celsius() float64 { return float64(t) / 10 }

// String writes the reading as a thermometer shows it: 37.3.
func (t Temperature) String() string { return strconv.FormatFloat(t.Celsius(), 'f', 1, 64) }

// Symptom is one of the symptoms a worker may report.
type Symptom string

// The symptoms of the check-in form, as the National Health Commission's guidance listed them.
const (
	SymptomFever             Symptom = "fever"
	SymptomDryCough          Symptom = "dry_cough"
	SymptomFatigue           Symptom = "fatigue"
	SymptomSoreThroat        Symptom = "sore_throat"
	SymptomShortnessOfBreath Symptom = "shortness_of_breath"
	SymptomDiarrhea          Symptom = "diarrhea"
	SymptomLossOfTasteSmell  Symptom = "loss_of_taste_smell"
	SymptomOther             Symptom = "other"
)

// Symptoms lists them in the order the form shows them.
var Symptoms = []Symptom{
	SymptomFever, SymptomDryCough, SymptomFatigue, SymptomSoreThroat, SymptomShortnessOfBreath,
	SymptomDiarrhea, SymptomLossOfTasteSmell, SymptomOther,
}

// ParseSymptoms checks a list of symptoms, drops repeats and puts them in form order. "other"
// needs a note saying what it is.
func ParseSymptoms(in []string, note string) ([]Symptom, string, error) {
	note = Clean(note)
	var p Problems
	var out []Symptom
	for _, s := range in {
		sym := Symptom(s)
		if !slices.Contains(Symptoms, sym) {
			p.Add("symptoms", "未知的症状 "+s)
			continue
		}
		if !slices.Contains(out, sym) {
			out = append(out, sym)
		}
	}
	slices.SortFunc(out, func(a, b Symptom) int { return slices.Index(Symptoms, a) - slices.Index(Symptoms, b) })
	if slices.Contains(out, SymptomOther) && note == "" {
		p.Add("symptom_note", "选择“其他”时请写明症状")
	}
	checkText(&p, "symptom_note", "症状说明", note, 0, 200)
	return out, note, p.Err()
}

// Location is where a worker is when reporting.
type Location string

// The locations of the check-in form.
const (
	AtWork      Location = "work"
	AtHome      Location = "home"
	AtIsolation Location = "isolation"
)

// Valid reports whether l is a location.
func (l Location) Valid() bool { return l == AtWork || l == AtHome || l == AtIsolation }

// CheckCheckinDate holds a report to the township's local calendar: today, or yesterday for a
// report made late; never a future day.
func CheckCheckinDate(d, today Date) error {
	switch {
	case d.After(today):
		return Invalid("date", "不能为将来的日期打卡")
	case d.Before(today.AddDays(-1)):
		return Invalid("date", "只能补报昨天的打卡")
	}
	return nil
}

// Cutoff returns the moment a slot's report is due on a day: the township's cut-off time of
// that slot, in its zone.
func (t Township) Cutoff(d Date, slot Slot) time.Time {
	hm := t.Policy.CutoffAM
	if slot == SlotPM {
		hm = t.Policy.CutoffPM
	}
	clock, err := time.Parse("15:04", hm)
	if err != nil {
		clock, _ = time.Parse("15:04", DefaultPolicy.CutoffAM) // validated on save; guards old rows
	}
	day := d.Time()
	return time.Date(day.Year(), day.Month(), day.Day(), clock.Hour(), clock.Minute(), 0, 0, t.location())
}

// Fever reports whether a reading is a fever under the township's threshold.
func (t Township) Fever(temp Temperature) bool {
	return temp >= Temperature(math.Round(t.Policy.FeverThreshold*10))
}

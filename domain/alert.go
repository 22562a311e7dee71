package domain

import (
	"slices"
	"time"
)

// AlertType is the condition an alert reports.
type AlertType string

// The alert types of API.md.
const (
	AlertFever           AlertType = "fever"
	AlertSymptoms        AlertType = "symptoms"
	AlertMissedCheckin   AlertType = "missed_checkin"
	AlertIsolationEnding AlertType = "isolation_ending"
	AlertRepeatedFever   AlertType = "repeated_fever"
	AlertKeyAreaArrival  AlertType = "key_area_arrival"
	// AlertUnregisteredArrival: someone HR has not marked back reported; HR confirms the
	// arrival (or finds out why).
	AlertUnregisteredArrival AlertType = "unregistered_arrival"
	// AlertEarlyArrival: a worker came back before their return batch's date (错峰返岗).
	AlertEarlyArrival AlertType = "early_arrival"
	// AlertUnapprovedWork (未批先复): someone checked in at work at an enterprise whose
	// reopening is not approved; one per enterprise and day, escalated to the town.
	AlertUnapprovedWork AlertType = "unapproved_work"
	// AlertShiftOverCapacity: a morning check-in at work took its shift's people on duty over
	// the shift's capacity (小班制); one per shift and day.
	AlertShiftOverCapacity AlertType = "shift_over_capacity"
	// AlertDiscrepancy (抽查不符): a spot check at the gate found what the worker's self-report
	// of the slot did not say (a fever, an absence, a yellow or red pass on site); escalated,
	// one per worker, day and slot, with both readings.
	AlertDiscrepancy AlertType = "discrepancy"
)

// AlertStatus is where the handling of an alert stands: open → acknowledged → resolved.
type AlertStatus string

// The alert statuses.
const (
	AlertOpen         AlertStatus = "open"
	AlertAcknowledged AlertStatus = "acknowledged"
	AlertResolved     AlertStatus = "resolved"
)

// Valid reports whether t is one of the alert types.
func (t AlertType) Valid() bool { return slices.Contains(AlertTypes, t) }

// Valid reports whether s is one of the alert statuses.
func (s AlertStatus) Valid() bool {
	return s == AlertOpen || s == AlertAcknowledged || s == AlertResolved
}

// alertTypeLabels name the types in the audit log's words.
var alertTypeLabels = map[AlertType]string{
	AlertFever: "发热", AlertSymptoms: "症状", AlertMissedCheckin: "未打卡", AlertIsolationEnding: "隔离期满",
	AlertRepeatedFever: "连续发热", AlertKeyAreaArrival: "重点地区返回", AlertUnregisteredArrival: "未登记返岗",
	AlertEarlyArrival: "提前返岗", AlertUnapprovedWork: "未批先复", AlertShiftOverCapacity: "班组超员",
	AlertDiscrepancy: "抽查不符",
}

// Label is the alert type as the people handling alerts call it.
func (t AlertType) Label() string { return alertTypeLabels[t] }

// AlertReading is one check-in's temperature as an alert shows it: what the person handling
// the alert looks at first.
type AlertReading struct {
	Temperature Temperature
	Fever       bool // at or above the township's threshold when it was taken
}

// Alert is something about a worker that someone must look at. One condition of one worker on
// one day (and slot, for a missed check-in) is one alert, however often it is detected. The
// conditions of a whole enterprise (AlertUnapprovedWork) or shift (AlertShiftOverCapacity) are
// one alert per enterprise, shift and day, naming the worker whose check-in found them.
type Alert struct {
	ID           int64
	TownshipID   int64
	EnterpriseID int64
	WorkerID     int64
	Type         AlertType
	Date         Date
	Slot         Slot // the slot of a missed check-in; empty for the other types
	Escalated    bool // raised to the town, not only to the enterprise and its supervisor
	Detail       string
	Status       AlertStatus
	Note         string
	HandledBy    int64
	HandledAt    *time.Time
	CreatedAt    time.Time
	TakenAt      *time.Time // when it first left open: acknowledged or resolved
	ShiftID      int64      // the shift of AlertShiftOverCapacity; 0 for the other types

	// Filled by AlertStore.List, for the people who work the alerts: whose and where, and the
	// worker's readings of the alert's day (nil for a slot without a check-in).
	EnterpriseName string
	Zone           string
	WorkerName     string
	ShiftName      string // the shift's name, for AlertShiftOverCapacity
	AM, PM         *AlertReading
}

// Key identifies the condition an alert reports, by which repeats are recognised.
func (a Alert) Key() string {
	return string(a.Type) + "|" + a.Date.String() + "|" + string(a.Slot)
}

// CheckinAlerts are the alerts a check-in raises under the township's policy: a fever at or
// above the threshold; any other symptom; and a fever in two slots in a row (this one and the
// slot before it), which is escalated to the town.
func (t Township) CheckinAlerts(c Checkin, previous *Checkin) []Alert {
	base := Alert{TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, WorkerID: c.WorkerID, Date: c.Date, Status: AlertOpen}
	var out []Alert
	fever := t.Fever(c.Temperature)
	if fever {
		a := base
		a.Type, a.Detail = AlertFever, "体温 "+c.Temperature.String()+" °C"
		out = append(out, a)
	}
	others := slices.DeleteFunc(slices.Clone(c.Symptoms), func(s Symptom) bool { return s == SymptomFever })
	if len(others) > 0 {
		a := base
		a.Type, a.Detail = AlertSymptoms, symptomList(others, c.SymptomNote)
		out = append(out, a)
	}
	if fever && previous != nil && t.Fever(previous.Temperature) {
		a := base
		a.Type, a.Escalated = AlertRepeatedFever, true
		a.Detail = "连续两次发热:" + previous.Temperature.String() + " °C、" + c.Temperature.String() + " °C"
		out = append(out, a)
	}
	return out
}

// NextSlot is the slot after (d, s): the afternoon after a morning, tomorrow morning after an
// afternoon.
func NextSlot(d Date, s Slot) (Date, Slot) {
	if s == SlotAM {
		return d, SlotPM
	}
	return d.AddDays(1), SlotAM
}

// PreviousSlot is the slot before (d, s): the morning's for an afternoon, yesterday
// afternoon's for a morning.
func PreviousSlot(d Date, s Slot) (Date, Slot) {
	if s == SlotPM {
		return d, SlotAM
	}
	return d.AddDays(-1), SlotPM
}

var symptomLabels = map[Symptom]string{
	SymptomFever: "发热", SymptomDryCough: "干咳", SymptomFatigue: "乏力", SymptomSoreThroat: "咽痛",
	SymptomShortnessOfBreath: "呼吸困难", SymptomDiarrhea: "腹泻", SymptomLossOfTasteSmell: "嗅觉味觉减退",
	SymptomOther: "其他",
}

func symptomList(ss []Symptom, note string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += "、"
		}
		out += symptomLabels[s]
		if s == SymptomOther && note != "" {
			out += "(" + note + ")"
		}
	}
	return out
}

// Checkin is one daily health report of a worker: one per worker, day and slot. A repeat of the
// same slot replaces it, so retries never make two.
type Checkin struct {
	ID           int64
	TownshipID   int64
	EnterpriseID int64
	WorkerID     int64
	Date         Date
	Slot         Slot
	Temperature  Temperature
	Fever        bool // this reading was at or above the township's threshold when it was taken
	Symptoms     []Symptom
	SymptomNote  string
	Location     Location
	SubmittedBy  int64 // the staff user who reported on the worker's behalf; 0 when the worker did
	// HadFever and HadSymptoms say that some reading of the slot had them: a later normal
	// reading does not clear them, only a correction does. The figures count these.
	HadFever    bool
	HadSymptoms bool
	// Due says the worker was due to report that day (DueOn) when the slot was written; a
	// report from someone not due is an unregistered arrival, counted apart.
	Due            bool
	Late           bool   // the slot's first report came after its cut-off
	CorrectionNote string // why the latest reading was corrected; empty unless it was
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// Read by the upsert in the same statement, for what a check-in at work raises (so the
	// busiest route asks no more of the database for them): for a check-in at work its
	// enterprise's status, and for a morning's at work the worker's shift (0: none). Empty for
	// other check-ins.
	EnterpriseStatus EnterpriseStatus
	ShiftID          int64
}

// Abnormal says whether the slot counts as a fever or symptoms.
func (c *Checkin) Abnormal() bool { return c != nil && (c.HadFever || c.HadSymptoms) }

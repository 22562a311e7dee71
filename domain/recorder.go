package domain

import "context"

// Recorder hears what the services committed, for the operators' metrics (Prometheus, in the
// api package). It hears kinds and counts, never who: nothing it is told names a person. Its
// methods must not block.
type Recorder interface {
	// CheckinRecorded is told of each check-in saved, new or replacing one.
	CheckinRecorded(slot Slot, fever bool)
	// AlertsRaised is told how many new alerts of a type were raised.
	AlertsRaised(t AlertType, n int)
	// GroupSend is told of each send to a group robot: its platform, the outcome (ok, retry,
	// permanent) and how many messages it carried (several when merged).
	GroupSend(kind ChannelKind, outcome string, messages int)
}

// AlertTypes are every alert type, in the order of API.md.
var AlertTypes = []AlertType{AlertFever, AlertSymptoms, AlertMissedCheckin, AlertIsolationEnding, AlertRepeatedFever, AlertKeyAreaArrival, AlertUnregisteredArrival,
	AlertEarlyArrival, AlertUnapprovedWork, AlertShiftOverCapacity, AlertDiscrepancy}

// raised counts new alerts by type while a transaction runs; they are reported once it has
// committed, so that a rolled-back write is never counted.
type raised map[AlertType]int

// raise inserts alerts type by type, so that how many of each were new is known (the unique
// index decides which are), and adds those to r. It returns how many were new in all.
func (r raised) raise(ctx context.Context, store AlertStore, alerts []Alert) (int, error) {
	if len(alerts) == 0 {
		return 0, nil
	}
	byType := map[AlertType][]Alert{}
	for _, a := range alerts {
		byType[a.Type] = append(byType[a.Type], a)
	}
	total := 0
	for _, t := range AlertTypes {
		if len(byType[t]) == 0 {
			continue
		}
		n, err := store.Raise(ctx, byType[t])
		if err != nil {
			return total, err
		}
		r[t] += n
		total += n
	}
	return total, nil
}

// report tells rec what was raised; a nil rec hears nothing.
func (r raised) report(rec Recorder) {
	if rec == nil {
		return
	}
	for t, n := range r {
		if n > 0 {
			rec.AlertsRaised(t, n)
		}
	}
}

// recordCheckin tells rec of a saved check-in; a nil rec hears nothing.
func recordCheckin(rec Recorder, c Checkin) {
	if rec != nil {
		rec.CheckinRecorded(c.Slot, c.Fever)
	}
}

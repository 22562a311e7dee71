package domain

import (
	"context"
	"time"
)

// Reading is one reading of a slot as it was sent. The slot shows the latest; every earlier
// one stays, so that a fever replaced by a normal reading, or a reading corrected by HR, can
// still be seen.
type Reading struct {
	ID              int64
	CheckinID       int64
	Temperature     Temperature
	Fever           bool
	Symptoms        []Symptom
	SymptomNote     string
	Location        Location
	SubmittedBy     int64  // the staff user who sent it; 0: the worker
	SubmittedByName string // filled on reads
	CorrectionNote  string // not empty: a correction by SubmittedBy, and why
	At              time.Time
}

// ReadingSource says who a reading came from.
type ReadingSource string

// The sources of readings.
const (
	FromWorker     ReadingSource = "worker"     // the worker's own phone
	FromOnBehalf   ReadingSource = "on_behalf"  // HR reporting for the worker
	FromCorrection ReadingSource = "correction" // HR or a supervisor correcting, with a note
)

// Source says who the reading came from.
func (r Reading) Source() ReadingSource {
	switch {
	case r.CorrectionNote != "":
		return FromCorrection
	case r.SubmittedBy != 0:
		return FromOnBehalf
	}
	return FromWorker
}

// Source says who a check-in's latest reading came from, as Reading.Source does for each of a
// slot's readings: the worker's history shows HR's reports on their behalf (人事代报) as such.
func (c Checkin) Source() ReadingSource {
	return Reading{SubmittedBy: c.SubmittedBy, CorrectionNote: c.CorrectionNote}.Source()
}

// CorrectionInput is a corrected reading of a slot and why.
type CorrectionInput struct {
	Temperature *float64
	Symptoms    []string
	SymptomNote string
	Note        string
}

// visibleCheckin reads a check-in and hides it unless the actor may see its enterprise.
func (s *CheckinService) visibleCheckin(ctx context.Context, actor Actor, id int64) (Checkin, error) {
	if err := tenantOnly(actor); err != nil {
		return Checkin{}, err
	}
	c, err := s.checkins.GetByID(ctx, id)
	if err != nil {
		return Checkin{}, err
	}
	if actor.Is(RoleWorker) {
		if c.WorkerID != actor.WorkerID {
			return Checkin{}, NotFound("打卡记录")
		}
		return c, nil
	}
	_, err = s.scope.enterpriseOf(ctx, actor, c.EnterpriseID, "打卡记录")
	return c, err
}

// Readings returns a check-in and every reading of its slot, oldest first: to its worker, and
// to those who may see its enterprise. ErrNotFound, ErrForbidden.
func (s *CheckinService) Readings(ctx context.Context, actor Actor, checkinID int64) (Checkin, []Reading, error) {
	c, err := s.visibleCheckin(ctx, actor, checkinID)
	if err != nil {
		return Checkin{}, nil, err
	}
	rs, err := s.checkins.Readings(ctx, c.ID)
	return c, rs, err
}

// Correct replaces a slot's reading with a corrected one, which HR of the enterprise or its
// supervisor may do only with a note saying why. The slot's fever and symptoms become the
// corrected reading's (a correction is the one thing that may clear a kept fever); the earlier
// readings stay in the slot's history, and an alert raised stays until someone resolves it.
// Audited. ErrNotFound, ErrForbidden, ErrInvalid.
func (s *CheckinService) Correct(ctx context.Context, actor Actor, checkinID int64, in CorrectionInput) (Checkin, error) {
	var out Checkin
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		c, err := s.visibleCheckin(ctx, actor, checkinID)
		if err != nil {
			return err
		}
		if !actor.Is(RoleEnterpriseHR, RoleSupervisor) {
			return Forbidden("只有企业人事和驻厂监督员可以更正打卡读数")
		}
		t, err := s.places.township(ctx, s.townships, c.TownshipID)
		if err != nil {
			return err
		}
		if err := in.apply(&c, t); err != nil {
			return err
		}
		c.SubmittedBy, c.UpdatedAt = actor.UserID, s.clock.Now()
		if err := s.checkins.Correct(ctx, c); err != nil {
			return err
		}
		out = c
		return s.audit().record(ctx, actor, c.TownshipID, c.EnterpriseID, "checkin.correct", "checkin", c.ID,
			"更正 "+c.Date.String()+" "+slotLabel[c.Slot]+" 的打卡读数")
	})
	if err != nil {
		return Checkin{}, err
	}
	notify(s.changes, Change{TownshipID: out.TownshipID, EnterpriseID: out.EnterpriseID, Kind: ChangeCheckin})
	return s.checkins.GetByID(ctx, out.ID)
}

// apply checks a correction and puts it into c.
func (in CorrectionInput) apply(c *Checkin, t Township) error {
	var p Problems
	note := Clean(in.Note)
	if note == "" {
		p.Add("note", "请写明更正原因")
	}
	checkText(&p, "note", "更正原因", note, 0, 200)
	if in.Temperature == nil {
		p.Add("temperature", "请填写更正后的体温")
	} else if temp, err := ParseTemperature(*in.Temperature); err != nil {
		p = append(p, err.(*Error).Fields...)
	} else {
		c.Temperature = temp
	}
	syms, symNote, err := ParseSymptoms(in.Symptoms, in.SymptomNote)
	if err != nil {
		p = append(p, err.(*Error).Fields...)
	}
	if err := p.Err(); err != nil {
		return err
	}
	c.Symptoms, c.SymptomNote, c.CorrectionNote = syms, symNote, note
	c.Fever = t.Fever(c.Temperature)
	c.HadFever, c.HadSymptoms = c.Fever, len(c.Symptoms) > 0
	return nil
}

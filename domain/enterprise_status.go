package domain

import (
	"context"
	"errors"
	"time"
)

// StatusChange is one step of an enterprise's status history: from one status to another,
// effective on a local day, by whom and why. The history is what lets a past day be read as it
// was: the dashboard, the daily and the range reports of 10 February must say which
// enterprises had reopened on 10 February, not which have by now.
type StatusChange struct {
	ID           int64
	TownshipID   int64
	EnterpriseID int64
	From         EnterpriseStatus // empty for the first step, the registration
	To           EnterpriseStatus
	On           Date      // the local day it took effect; a reopening confirmed late is dated back
	ByID         int64     // who made it; 0 for the system, and where the migration could not tell
	ByName       string    // filled on reads
	Reason       string    // a suspension's reason, a resumption's note, what the step came from
	RecordedAt   time.Time // when it was written
}

// laterThan orders changes as StatusOn reads them: by the day they took effect, then by when
// they were recorded (two changes of one day: the later one stands at the end of the day),
// then by ID (two writes of the same instant, as a test clock makes).
func (c StatusChange) laterThan(o StatusChange) bool {
	switch {
	case c.On != o.On:
		return c.On.After(o.On)
	case !c.RecordedAt.Equal(o.RecordedAt):
		return c.RecordedAt.After(o.RecordedAt)
	}
	return c.ID > o.ID
}

// StatusOn is an enterprise's status as of the end of day d, from its changes in any order:
// the To of the last change that took effect on or before d. Before its first change an
// enterprise had not applied.
func StatusOn(changes []StatusChange, d Date) EnterpriseStatus {
	last, ok := lastChange(changes, d)
	if !ok {
		return StatusNotApplied
	}
	return last.To
}

// lastChange is the change that stands at the end of day d (a zero d: the last of all).
func lastChange(changes []StatusChange, d Date) (StatusChange, bool) {
	var last StatusChange
	found := false
	for _, c := range changes {
		if !d.IsZero() && c.On.After(d) {
			continue
		}
		if !found || c.laterThan(last) {
			last, found = c, true
		}
	}
	return last, found
}

// MaxSuspensionReason is the longest reason a suspension may give, in characters: a sentence
// or two that the enterprise's HR reads on its page, not a report.
const MaxSuspensionReason = 200

// MaxResumeNote is the longest note a resumption may carry, in characters.
const MaxResumeNote = 200

// changeStatus is the one way an enterprise's status changes. It writes the new status and
// the step of its history in one transaction (joining the caller's), so that the history
// always explains the status the enterprise has. The write is conditional on the status the
// caller read (e.Status): a change that came in between makes it the 409 that names the
// status the enterprise has now. A reopening sets the reopening day; a suspension and its end
// keep it (the enterprise did reopen that day); the other statuses come before any reopening.
func changeStatus(ctx context.Context, store EnterpriseStore, tx TxRunner, clock Clock, actor Actor,
	e Enterprise, to EnterpriseStatus, on Date, why string) (Enterprise, error) {
	reopenedOn := e.ReopenedOn
	switch to {
	case StatusReopened:
		if e.Status == StatusApproved {
			reopenedOn = on
		}
	case StatusSuspended:
	default:
		reopenedOn = Date{}
	}
	err := tx.InTx(ctx, func(ctx context.Context) error {
		if err := store.SetStatus(ctx, e.ID, e.Status, to, reopenedOn); err != nil {
			if errors.Is(err, ErrConflict) {
				if now, gerr := store.Get(ctx, e.ID); gerr == nil {
					return statusConflict(now, "")
				}
			}
			return err
		}
		return store.AddStatusChange(ctx, &StatusChange{
			TownshipID: e.TownshipID, EnterpriseID: e.ID, From: e.Status, To: to, On: on,
			ByID: actor.UserID, Reason: why, RecordedAt: clock.Now(),
		})
	})
	if err != nil {
		return Enterprise{}, err
	}
	e.Status, e.ReopenedOn = to, reopenedOn
	return e, nil
}

// statusConflict is the 409 for acting on an enterprise in the wrong status; it names the
// status the enterprise has, in words and in the field status.
func statusConflict(e Enterprise, need string) error {
	msg := "企业当前状态为“" + e.Status.Label() + "”"
	if need != "" {
		msg += "," + need
	} else {
		msg += ",请刷新后重试"
	}
	return Conflict(msg, FieldError{Field: "status", Message: string(e.Status)})
}

// Suspend stops an approved or reopened enterprise for rectification (停工整顿) from day on
// (today when zero), for a reason its HR and supervisors will read: town admins only.
// ErrForbidden, ErrNotFound, ErrInvalid (reason, date), ErrConflict (not approved or reopened).
func (s *EnterpriseService) Suspend(ctx context.Context, actor Actor, id int64, reason string, on Date) (Enterprise, error) {
	if !actor.Is(RoleTownAdmin) {
		return Enterprise{}, Forbidden("只有镇专班管理员可以责令企业停工整顿")
	}
	reason = Clean(reason)
	var p Problems
	checkText(&p, "reason", "停工整顿原因", reason, 1, MaxSuspensionReason)
	return s.moveStatus(ctx, actor, id, on, p, func(e Enterprise, _ []StatusChange) (EnterpriseStatus, string, error) {
		if e.Status != StatusApproved && e.Status != StatusReopened {
			return "", "", statusConflict(e, "已批准或已复工的企业才能停工整顿")
		}
		return StatusSuspended, reason, nil
	}, "enterprise.suspend", func(e Enterprise, on Date) string {
		return "自 " + on.String() + " 停工整顿:" + reason
	})
}

// Resume ends a suspension from day on (today when zero): the enterprise goes back to the
// status it had before it, with an optional note. Town admins only. ErrForbidden, ErrNotFound,
// ErrInvalid (note, date), ErrConflict (not suspended).
func (s *EnterpriseService) Resume(ctx context.Context, actor Actor, id int64, note string, on Date) (Enterprise, error) {
	if !actor.Is(RoleTownAdmin) {
		return Enterprise{}, Forbidden("只有镇专班管理员可以恢复企业生产")
	}
	note = Clean(note)
	var p Problems
	checkText(&p, "note", "备注", note, 0, MaxResumeNote)
	return s.moveStatus(ctx, actor, id, on, p, func(e Enterprise, history []StatusChange) (EnterpriseStatus, string, error) {
		if e.Status != StatusSuspended {
			return "", "", statusConflict(e, "停工整顿中的企业才能恢复")
		}
		// Back to where the suspension found it. A suspension the history does not show (set
		// before there was a history, which the migration could not date) found it reopened
		// if it had a reopening day, approved otherwise: only those two may be suspended.
		back := StatusApproved
		if !e.ReopenedOn.IsZero() {
			back = StatusReopened
		}
		if last, ok := lastChange(history, Date{}); ok && last.To == StatusSuspended &&
			(last.From == StatusApproved || last.From == StatusReopened) {
			back = last.From
		}
		return back, note, nil
	}, "enterprise.resume", func(e Enterprise, on Date) string {
		d := "自 " + on.String() + " 恢复为" + e.Status.Label()
		if note != "" {
			d += ":" + note
		}
		return d
	})
}

// moveStatus runs a town admin's status change of an enterprise: the checks of the input
// (problems so far, and the day: not in the future, not before the status it leaves took
// effect), the rule of the move (decide: the status to go to and why, or the 409), the change
// and its audit event, in one transaction; then the live views hear of it.
func (s *EnterpriseService) moveStatus(ctx context.Context, actor Actor, id int64, on Date, p Problems,
	decide func(e Enterprise, history []StatusChange) (EnterpriseStatus, string, error),
	action string, detail func(e Enterprise, on Date) string) (Enterprise, error) {
	e, err := s.Get(ctx, actor, id)
	if err != nil {
		return Enterprise{}, err
	}
	t, err := s.townships.Get(ctx, e.TownshipID)
	if err != nil {
		return Enterprise{}, err
	}
	today := t.Today(s.clock.Now())
	if on.IsZero() {
		on = today
	} else if on.After(today) {
		p.Add("date", "生效日期不能晚于今天("+today.String()+")")
	}
	if err := p.Err(); err != nil {
		return Enterprise{}, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		// Read again inside the transaction: the rule is decided on the status it changes.
		if e, err = s.enterprises.Get(ctx, id); err != nil {
			return err
		}
		history, err := s.enterprises.StatusHistory(ctx, id)
		if err != nil {
			return err
		}
		to, why, err := decide(e, history)
		if err != nil {
			return err
		}
		if last, ok := lastChange(history, Date{}); ok && on.Before(last.On) {
			return Invalid("date", "生效日期不能早于企业成为“"+e.Status.Label()+"”的日期("+last.On.String()+")")
		}
		if e, err = changeStatus(ctx, s.enterprises, s.tx, s.clock, actor, e, to, on, why); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, action, "enterprise", e.ID, detail(e, on))
	})
	if err != nil {
		return Enterprise{}, err
	}
	return s.changed(s.enterprises.Get(ctx, id))
}

// StatusHistory returns an enterprise's status changes, oldest first, to whoever may see the
// enterprise. ErrForbidden (platform admin), ErrNotFound.
func (s *EnterpriseService) StatusHistory(ctx context.Context, actor Actor, id int64) ([]StatusChange, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.enterprises.StatusHistory(ctx, id)
}

// statusBook is a township's status history as one request reads it, once, by enterprise:
// what the statuses of past days are read from. Today and later read the enterprise's own
// status, which every change writes with its history.
type statusBook struct {
	today   Date
	changes map[int64][]StatusChange
}

// readStatusBook reads the history a view needs for the days from one date to another, or
// nothing when none of them is before today.
func (s *figureReader) readStatusBook(ctx context.Context, v view, from, to Date) (statusBook, error) {
	b := statusBook{today: v.township.Today(s.clock.Now())}
	if !from.Before(b.today) {
		return b, nil
	}
	var err error
	b.changes, err = s.enterprises.StatusChangesUpTo(ctx, v.township.ID, to)
	return b, err
}

// status is an enterprise's status as of the end of day d.
func (b statusBook) status(e Enterprise, d Date) EnterpriseStatus {
	if !d.Before(b.today) {
		return e.Status
	}
	return StatusOn(b.changes[e.ID], d)
}

// asOf is the enterprise as it stood at the end of day d: its status then, no reopening day
// if it had not reopened by then, and the suspension of then.
func (b statusBook) asOf(e Enterprise, d Date) Enterprise {
	if !d.Before(b.today) {
		return e
	}
	e.Status = b.status(e, d)
	if e.ReopenedOn.After(d) {
		e.ReopenedOn = Date{}
	}
	e.SuspensionReason, e.SuspendedOn = "", Date{}
	if last, ok := lastChange(b.changes[e.ID], d); ok && last.To == StatusSuspended {
		e.SuspensionReason, e.SuspendedOn = last.Reason, last.On
	}
	return e
}

package domain

import "context"

// Advice is what a worker whose own report is a fever, or names symptoms, is told on the spot
// instead of "submitted" (issue 21): the township's words (Policy.FeverAdvice) and whom at the
// enterprise to tell, with the phone number to call.
type Advice struct {
	Text         string
	ContactName  string
	ContactPhone string
}

// CallsForAdvice says whether a reading is one the worker must be told what to do about: a
// fever under the township's threshold, or any symptom. It looks at this reading only: a normal
// one sent after a fever in the same slot is answered as normal (the slot still counts the
// fever, and the fever's alert stays with HR).
func (c Checkin) CallsForAdvice() bool { return c.Fever || len(c.Symptoms) > 0 }

// Advice returns what the worker is told about their own check-in c: the zero Advice for a
// normal reading, else the township's fever advice and the enterprise's contact. It is read
// only then, so the busiest route reads nothing more for a normal reading. ErrForbidden for
// anyone but the worker of c.
func (s *CheckinService) Advice(ctx context.Context, actor Actor, c Checkin) (Advice, error) {
	if !actor.Is(RoleWorker) || actor.WorkerID != c.WorkerID {
		return Advice{}, Forbidden("只有职工本人可以查看")
	}
	if !c.CallsForAdvice() {
		return Advice{}, nil
	}
	t, err := s.places.township(ctx, s.townships, c.TownshipID)
	if err != nil {
		return Advice{}, err
	}
	e, err := s.scope.enterprises.Get(ctx, c.EnterpriseID)
	if err != nil {
		return Advice{}, err
	}
	return Advice{Text: t.Policy.FeverAdvice, ContactName: e.ContactName, ContactPhone: e.ContactPhone}, nil
}

package domain

import (
	"context"
	"time"
)

// WallAlert is an open alert as a wall screen rolls it (大屏, issue 21): what, where and when,
// never whose. The screen hangs where anyone passing reads it, so it carries no worker's name
// and no detail (a temperature, a symptom's note): the enterprise and the alert's type are what
// the town acts on from across the room.
type WallAlert struct {
	ID             int64
	Type           AlertType
	Date           Date
	Slot           Slot // the slot of a missed check-in; empty for the other types
	Escalated      bool
	EnterpriseID   int64
	EnterpriseName string
	Zone           string
	CreatedAt      time.Time // when it was raised
}

// OpenAlerts returns the alerts of a view still open (not taken in hand), dated its day or
// before, newest first, one page of them, and how many there are: a town admin's and a wall
// screen's of the whole township, a supervisor's of their enterprises, narrowed by the view's
// zone. ErrForbidden (a view the service did not make), ErrInvalid (an industry filter, which
// alerts are not kept by).
func (s *DashboardService) OpenAlerts(ctx context.Context, v DashboardView, page Page) ([]WallAlert, int, error) {
	if err := v.made(); err != nil {
		return nil, 0, err
	}
	if v.filter.Industry != "" {
		return nil, 0, Invalid("industry", "预警不按行业筛选")
	}
	found, total, err := s.alerts.List(ctx, AlertFilter{TownshipID: v.filter.TownshipID, SupervisorID: v.filter.SupervisorID,
		Zone: v.filter.Zone, Status: AlertOpen, To: v.date, Page: page.Normalize()})
	if err != nil {
		return nil, 0, err
	}
	out := make([]WallAlert, 0, len(found))
	for _, a := range found {
		out = append(out, WallAlert{ID: a.ID, Type: a.Type, Date: a.Date, Slot: a.Slot, Escalated: a.Escalated,
			EnterpriseID: a.EnterpriseID, EnterpriseName: a.EnterpriseName, Zone: a.Zone, CreatedAt: a.CreatedAt})
	}
	return out, total, nil
}

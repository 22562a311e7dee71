package domain

import (
	"context"
	"strconv"
	"time"
)

// Checklist is what a supervisor checks on an on-site visit; true is a pass.
type Checklist struct {
	TemperatureCheck   bool // temperature taken at the gate
	MasksWorn          bool
	DisinfectionLog    bool // disinfection log kept
	IsolationRoomReady bool
	RosterUpToDate     bool
	CanteenStaggered   bool
}

// ChecklistItems names the items in the order the form shows them; the names are the API's.
var ChecklistItems = []string{
	"temperature_check", "masks_worn", "disinfection_log", "isolation_room_ready", "roster_up_to_date", "canteen_staggered",
}

// Items returns each item's result by name.
func (c Checklist) Items() map[string]bool {
	return map[string]bool{
		"temperature_check": c.TemperatureCheck, "masks_worn": c.MasksWorn, "disinfection_log": c.DisinfectionLog,
		"isolation_room_ready": c.IsolationRoomReady, "roster_up_to_date": c.RosterUpToDate,
		"canteen_staggered": c.CanteenStaggered,
	}
}

// Failed names the items that failed, in form order.
func (c Checklist) Failed() []string {
	items := c.Items()
	var out []string
	for _, name := range ChecklistItems {
		if !items[name] {
			out = append(out, name)
		}
	}
	return out
}

// Rectification is where the follow-up of an inspection stands.
type Rectification string

// The rectification states: nothing to rectify, open within its deadline, open past it, done.
const (
	RectificationNone    Rectification = "none"
	RectificationOpen    Rectification = "open"
	RectificationOverdue Rectification = "overdue"
	RectificationClosed  Rectification = "closed"
)

// Inspection is a supervisor's on-site visit. When an item fails, the enterprise must rectify
// it by a deadline; a later visit that finds those items passing closes it.
type Inspection struct {
	ID                    int64
	TownshipID            int64
	EnterpriseID          int64
	EnterpriseName        string // filled on reads
	InspectorID           int64
	InspectorName         string // filled on reads
	VisitedOn             Date
	Checklist             Checklist
	Findings              string
	RectificationDeadline Date // zero when nothing failed
	ClosedBy              int64
	ClosedOn              Date
	CreatedAt             time.Time
}

// Rectification says where the follow-up stands on the township's day today.
func (i Inspection) Rectification(today Date) Rectification {
	switch {
	case i.RectificationDeadline.IsZero():
		return RectificationNone
	case !i.ClosedOn.IsZero():
		return RectificationClosed
	case i.RectificationDeadline.Before(today):
		return RectificationOverdue
	}
	return RectificationOpen
}

// InspectionFilter selects inspections; zero fields do not filter.
type InspectionFilter struct {
	ID             int64
	TownshipID     int64
	EnterpriseID   int64
	SupervisorID   int64 // only enterprises assigned to this supervisor
	OpenOnly       bool  // only inspections with a rectification not yet closed
	DeadlineBefore Date  // only rectifications due before this day (overdue ones)
	Page
}

// InspectionStore keeps inspections.
type InspectionStore interface {
	// Create inserts an inspection and sets its ID.
	Create(ctx context.Context, i *Inspection) error
	// List returns matching inspections, newest visit first, and how many match in all.
	List(ctx context.Context, f InspectionFilter) ([]Inspection, int, error)
	// Close marks rectifications done by a later inspection.
	Close(ctx context.Context, ids []int64, by int64, on Date) error
}

// NewInspection is what a supervisor records after a visit.
type NewInspection struct {
	VisitedOn             Date
	Checklist             Checklist
	Findings              string
	RectificationDeadline Date
}

// InspectionService records on-site inspections and follows up their rectifications.
type InspectionService struct {
	inspections InspectionStore
	townships   TownshipStore
	audits      AuditStore
	tx          TxRunner
	clock       Clock
	scope       scopeLoader
}

// Create records a visit to an enterprise assigned to the actor. Earlier open rectifications
// whose failed items all pass now are closed by it. It returns the visit with the township's
// today, by which a rectification is judged overdue. ErrForbidden, ErrNotFound, ErrInvalid.
func (s *InspectionService) Create(ctx context.Context, actor Actor, enterpriseID int64, in NewInspection) (Inspection, Date, error) {
	in.Findings = Clean(in.Findings)
	if err := tenantOnly(actor); err != nil {
		return Inspection{}, Date{}, err
	}
	var out Inspection
	var today Date
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		e, err := s.scope.enterprise(ctx, actor, enterpriseID)
		if err != nil {
			return err
		}
		if !actor.Is(RoleSupervisor) {
			return Forbidden("只有该企业的驻厂监督员可以登记现场检查")
		}
		if today, err = s.today(ctx, e.TownshipID); err != nil {
			return err
		}
		if err := in.check(today); err != nil {
			return err
		}
		out = Inspection{
			TownshipID: e.TownshipID, EnterpriseID: e.ID, InspectorID: actor.UserID, VisitedOn: in.VisitedOn,
			Checklist: in.Checklist, Findings: in.Findings, RectificationDeadline: in.RectificationDeadline,
		}
		if err := s.inspections.Create(ctx, &out); err != nil {
			return err
		}
		if err := s.closeRectified(ctx, actor, out); err != nil {
			return err
		}
		detail := "检查通过"
		if failed := in.Checklist.Failed(); len(failed) > 0 {
			detail = "发现 " + strconv.Itoa(len(failed)) + " 项问题,限 " + in.RectificationDeadline.String() + " 前整改"
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "inspection.create", "inspection", out.ID, detail)
	})
	if err != nil {
		return Inspection{}, Date{}, err
	}
	// Read back by ID: a visit recorded late is not the enterprise's newest.
	list, _, err := s.inspections.List(ctx, InspectionFilter{ID: out.ID, Page: Page{Limit: 1}})
	if err != nil || len(list) == 0 {
		return out, today, err
	}
	return list[0], today, nil
}

// closeRectified closes the enterprise's open rectifications that the new visit finds fixed.
func (s *InspectionService) closeRectified(ctx context.Context, actor Actor, now Inspection) error {
	open, _, err := s.inspections.List(ctx, InspectionFilter{EnterpriseID: now.EnterpriseID, OpenOnly: true, Page: Page{Limit: MaxPageSize}})
	if err != nil {
		return err
	}
	passes := now.Checklist.Items()
	var ids []int64
	for _, old := range open {
		if old.ID == now.ID || old.VisitedOn.After(now.VisitedOn) {
			continue
		}
		fixed := true
		for _, item := range old.Checklist.Failed() {
			fixed = fixed && passes[item]
		}
		if fixed {
			ids = append(ids, old.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if err := s.inspections.Close(ctx, ids, now.ID, now.VisitedOn); err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.audit().record(ctx, actor, now.TownshipID, now.EnterpriseID, "inspection.close", "inspection", id, "复查已整改"); err != nil {
			return err
		}
	}
	return nil
}

func (in NewInspection) check(today Date) error {
	var p Problems
	switch {
	case in.VisitedOn.IsZero():
		p.Add("visited_on", "请填写检查日期")
	case in.VisitedOn.After(today):
		p.Add("visited_on", "检查日期不能晚于今天")
	case in.VisitedOn.Before(today.AddDays(-30)):
		p.Add("visited_on", "只能补登 30 天内的检查")
	}
	checkText(&p, "findings", "检查发现", in.Findings, 0, 2000)
	if len(in.Checklist.Failed()) > 0 {
		if in.Findings == "" && !p.Has("findings") {
			p.Add("findings", "有不合格项时请写明发现的问题")
		}
		switch {
		case in.RectificationDeadline.IsZero():
			p.Add("rectification_deadline", "有不合格项时请规定整改期限")
		case !in.VisitedOn.IsZero() && !in.RectificationDeadline.After(in.VisitedOn):
			p.Add("rectification_deadline", "整改期限应晚于检查日期")
		}
	} else if !in.RectificationDeadline.IsZero() {
		p.Add("rectification_deadline", "各项均合格时无需整改期限")
	}
	return p.Err()
}

// List returns an enterprise's inspections, newest first, to anyone who may see it, with the
// township's date by which rectifications are judged overdue.
func (s *InspectionService) List(ctx context.Context, actor Actor, enterpriseID int64, page Page) ([]Inspection, int, Date, error) {
	e, err := s.scope.enterprise(ctx, actor, enterpriseID)
	if err != nil {
		return nil, 0, Date{}, err
	}
	today, err := s.today(ctx, e.TownshipID)
	if err != nil {
		return nil, 0, Date{}, err
	}
	items, total, err := s.inspections.List(ctx, InspectionFilter{EnterpriseID: e.ID, Page: page.Normalize()})
	return items, total, today, err
}

// Open lists the open rectifications in the actor's scope (only overdue ones when asked), for
// supervisors (their enterprises) and town admins (the township). It returns the township's
// today too, by which overdue is judged.
func (s *InspectionService) Open(ctx context.Context, actor Actor, overdueOnly bool, page Page) ([]Inspection, int, Date, error) {
	f := InspectionFilter{OpenOnly: true, Page: page.Normalize()}
	switch actor.Role {
	case RoleSupervisor:
		f.TownshipID, f.SupervisorID = actor.TownshipID, actor.UserID
	case RoleTownAdmin:
		f.TownshipID = actor.TownshipID
	default:
		return nil, 0, Date{}, Forbidden("只有驻厂监督员和镇专班可以查看整改跟踪")
	}
	today, err := s.today(ctx, actor.TownshipID)
	if err != nil {
		return nil, 0, Date{}, err
	}
	if overdueOnly {
		f.DeadlineBefore = today
	}
	items, total, err := s.inspections.List(ctx, f)
	return items, total, today, err
}

// today returns a township's date, by which rectifications are judged overdue.
func (s *InspectionService) today(ctx context.Context, townshipID int64) (Date, error) {
	t, err := s.townships.Get(ctx, townshipID)
	if err != nil {
		return Date{}, err
	}
	return t.Today(s.clock.Now()), nil
}

func (s *InspectionService) audit() audit { return audit{store: s.audits, clock: s.clock} }

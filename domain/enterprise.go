package domain

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// EnterpriseStatus is where an enterprise stands on its way back to work.
type EnterpriseStatus string

// The statuses of DESIGN.md: not_applied → applied → approved → reopened, and suspended.
const (
	StatusNotApplied EnterpriseStatus = "not_applied"
	StatusApplied    EnterpriseStatus = "applied"
	StatusApproved   EnterpriseStatus = "approved"
	StatusReopened   EnterpriseStatus = "reopened"
	StatusSuspended  EnterpriseStatus = "suspended"
)

// Valid reports whether s is a known status.
func (s EnterpriseStatus) Valid() bool {
	switch s {
	case StatusNotApplied, StatusApplied, StatusApproved, StatusReopened, StatusSuspended:
		return true
	}
	return false
}

// Enterprise is a company of a township that wants to, or did, reopen.
type Enterprise struct {
	ID           int64
	TownshipID   int64
	Code         string // short code its workers sign in with
	Name         string
	CreditCode   CreditCode
	Industry     string
	ZoneID       int64
	Zone         string // zone name, filled on reads
	Address      string
	ContactName  string
	ContactPhone string
	Headcount    int
	Status       EnterpriseStatus
	ReopenedOn   Date      // zero until it reopens
	Supervisors  []UserRef // filled on reads
	// SuspensionReason and SuspendedOn say why and since when a suspended enterprise is
	// stopped, from its status history; filled on reads, empty unless it is suspended.
	SuspensionReason string
	SuspendedOn      Date
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// UserRef names a user briefly, for display beside another record.
type UserRef struct {
	ID       int64
	Username string
	Name     string
}

// SupervisedBy reports whether user id is one of the enterprise's supervisors.
func (e Enterprise) SupervisedBy(id int64) bool {
	for _, s := range e.Supervisors {
		if s.ID == id {
			return true
		}
	}
	return false
}

// EnterpriseFilter selects enterprises; zero fields do not filter.
type EnterpriseFilter struct {
	TownshipID   int64
	SupervisorID int64
	ID           int64
	Zone         string // zone name
	Status       EnterpriseStatus
	Industry     string
	Query        string // part of the name, credit code or login code
	Page
}

// EnterpriseStore keeps enterprises and their supervisors.
type EnterpriseStore interface {
	// Create inserts e and sets its ID. ErrConflict if code or credit code is taken.
	Create(ctx context.Context, e *Enterprise) error
	// Get returns one enterprise with zone name and supervisors. ErrNotFound.
	Get(ctx context.Context, id int64) (Enterprise, error)
	// GetByCode returns the enterprise whose workers sign in with code. ErrNotFound.
	GetByCode(ctx context.Context, code string) (Enterprise, error)
	// List returns the enterprises that match f, by ID, and how many match in all.
	List(ctx context.Context, f EnterpriseFilter) ([]Enterprise, int, error)
	// Update saves every field but ID, township, code, status and reopening day: the status
	// changes only with its history, through SetStatus and AddStatusChange. ErrNotFound,
	// ErrConflict.
	Update(ctx context.Context, e Enterprise) error
	// SetStatus moves an enterprise from status from to status to, with its reopening day
	// (zero for none). ErrNotFound; ErrConflict when its status is no longer from.
	SetStatus(ctx context.Context, id int64, from, to EnterpriseStatus, reopenedOn Date) error
	// AddStatusChange records a step of an enterprise's status history and sets its ID.
	AddStatusChange(ctx context.Context, c *StatusChange) error
	// StatusHistory returns an enterprise's status changes in the order StatusOn reads them
	// (by day, then by when they were recorded), with the names of who made them; none for an
	// enterprise that does not exist.
	StatusHistory(ctx context.Context, enterpriseID int64) ([]StatusChange, error)
	// StatusChangesUpTo returns, by enterprise, the status changes of a township's enterprises
	// that took effect on or before d, in StatusHistory's order (names not filled): what
	// StatusOn needs for any day up to d, in one read.
	StatusChangesUpTo(ctx context.Context, townshipID int64, d Date) (map[int64][]StatusChange, error)
	// SetSupervisors makes userIDs the enterprise's supervisors. ErrNotFound.
	SetSupervisors(ctx context.Context, enterpriseID int64, userIDs []int64) error
	// CreditCodeTaken reports whether another enterprise of the township has that code.
	CreditCodeTaken(ctx context.Context, townshipID int64, code CreditCode, exceptID int64) (bool, error)
	// CodeTaken reports whether any enterprise signs in with that login code.
	CodeTaken(ctx context.Context, code string) (bool, error)
}

// EnterpriseInput holds the editable fields of an enterprise; on update, only set ones change.
type EnterpriseInput struct {
	Name         *string
	CreditCode   *string
	Industry     *string
	Zone         *string // zone name
	Address      *string
	ContactName  *string
	ContactPhone *string
	Headcount    *int
}

// hrEditable are the fields an enterprise's own HR may change: how to reach it and its size.
// Identity and zone are the township's to set.
var hrEditable = map[string]bool{"address": true, "contact_name": true, "contact_phone": true, "headcount": true}

// EnterpriseService registers enterprises and keeps them, each visible only in its scope.
type EnterpriseService struct {
	enterprises EnterpriseStore
	townships   TownshipStore
	users       UserStore
	audits      AuditStore
	tx          TxRunner
	clock       Clock
	changes     Notifier
	scope       scopeLoader
}

func (s *EnterpriseService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// Create registers an enterprise in the town admin's township with status not_applied and a
// fresh login code. ErrForbidden, ErrInvalid, ErrConflict (credit code already registered).
func (s *EnterpriseService) Create(ctx context.Context, actor Actor, in EnterpriseInput) (Enterprise, error) {
	if !actor.Is(RoleTownAdmin) {
		return Enterprise{}, Forbidden("只有镇专班管理员可以登记企业")
	}
	e := Enterprise{TownshipID: actor.TownshipID, Status: StatusNotApplied}
	for _, f := range []**string{&in.Name, &in.CreditCode, &in.Industry, &in.Zone, &in.Address, &in.ContactName, &in.ContactPhone} {
		if *f == nil {
			*f = new(string)
		}
	}
	if in.Headcount == nil {
		in.Headcount = new(int)
	}
	if err := s.apply(ctx, &e, in); err != nil {
		return Enterprise{}, err
	}
	var err error
	if e.Code, err = s.newCode(ctx); err != nil {
		return Enterprise{}, err
	}
	t, err := s.townships.Get(ctx, e.TownshipID)
	if err != nil {
		return Enterprise{}, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.enterprises.Create(ctx, &e); err != nil {
			return conflictField(err, "credit_code", "该统一社会信用代码的企业已登记")
		}
		// The history starts with the registration, so that it explains every status from
		// the first: an enterprise had not applied since the day it was registered.
		if err := s.enterprises.AddStatusChange(ctx, &StatusChange{TownshipID: e.TownshipID, EnterpriseID: e.ID,
			To: StatusNotApplied, On: t.Today(s.clock.Now()), ByID: actor.UserID, Reason: "登记企业", RecordedAt: s.clock.Now()}); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "enterprise.create", "enterprise", e.ID, "登记 "+e.Name)
	})
	if err != nil {
		return Enterprise{}, err
	}
	return s.changed(s.enterprises.Get(ctx, e.ID))
}

// Get returns an enterprise in the actor's scope. ErrForbidden (platform admin), ErrNotFound.
func (s *EnterpriseService) Get(ctx context.Context, actor Actor, id int64) (Enterprise, error) {
	return s.scope.enterprise(ctx, actor, id)
}

// CanSeeEnterprise is the one scope rule for enterprises: town admins see their township's,
// supervisors those assigned to them, HR their own. Workers see none: a worker sees only
// themself (their record through /me, their check-ins), never the enterprise's record, its
// plans, roster or contacts. Platform admins see none either (Actor.InTenant); services refuse
// them with tenantOnly before they read the enterprise, and this rule stays closed behind it.
func CanSeeEnterprise(a Actor, e Enterprise) bool {
	switch a.Role {
	case RoleTownAdmin:
		return a.TownshipID == e.TownshipID
	case RoleSupervisor:
		return a.TownshipID == e.TownshipID && e.SupervisedBy(a.UserID)
	case RoleEnterpriseHR:
		return a.EnterpriseID == e.ID
	}
	return false
}

// List returns the enterprises in the actor's scope that match f. ErrForbidden (platform admin,
// worker).
func (s *EnterpriseService) List(ctx context.Context, actor Actor, f EnterpriseFilter) ([]Enterprise, int, error) {
	if err := tenantOnly(actor); err != nil {
		return nil, 0, err
	}
	switch actor.Role {
	case RoleTownAdmin:
		f.TownshipID = actor.TownshipID
	case RoleSupervisor:
		f.TownshipID, f.SupervisorID = actor.TownshipID, actor.UserID
	case RoleEnterpriseHR:
		f.TownshipID, f.ID = actor.TownshipID, actor.EnterpriseID
	default:
		return nil, 0, Forbidden("无权查看企业列表")
	}
	f.Query = Clean(f.Query)
	f.Page = f.Page.Normalize()
	return s.enterprises.List(ctx, f)
}

// Update changes an enterprise: town admins any field, its HR only the contact fields and
// headcount. ErrNotFound, ErrForbidden, ErrInvalid, ErrConflict.
func (s *EnterpriseService) Update(ctx context.Context, actor Actor, id int64, in EnterpriseInput) (Enterprise, error) {
	e, err := s.Get(ctx, actor, id)
	if err != nil {
		return Enterprise{}, err
	}
	if !actor.Is(RoleTownAdmin, RoleEnterpriseHR) {
		return Enterprise{}, Forbidden("无权修改企业信息")
	}
	if actor.Is(RoleEnterpriseHR) {
		var denied []FieldError
		for name, set := range in.fieldsSet() {
			if set && !hrEditable[name] {
				denied = append(denied, FieldError{Field: name, Message: "企业账号不能修改此项,请联系镇专班"})
			}
		}
		if len(denied) > 0 {
			return Enterprise{}, Forbidden("企业账号只能修改地址、联系人、联系电话和人数", denied...)
		}
	}
	before := e
	if err := s.apply(ctx, &e, in); err != nil {
		return Enterprise{}, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.enterprises.Update(ctx, e); err != nil {
			return conflictField(err, "credit_code", "该统一社会信用代码的企业已登记")
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "enterprise.update", "enterprise", e.ID, enterpriseChange(before, e))
	})
	if err != nil {
		return Enterprise{}, err
	}
	return s.changed(s.enterprises.Get(ctx, id))
}

// SetSupervisors assigns the township's supervisors to an enterprise, replacing the previous
// assignment. ErrNotFound, ErrForbidden, ErrInvalid (not a supervisor of this township).
func (s *EnterpriseService) SetSupervisors(ctx context.Context, actor Actor, id int64, userIDs []int64) (Enterprise, error) {
	if !actor.Is(RoleTownAdmin) {
		return Enterprise{}, Forbidden("只有镇专班管理员可以指派驻厂监督员")
	}
	e, err := s.Get(ctx, actor, id)
	if err != nil {
		return Enterprise{}, err
	}
	seen := map[int64]bool{}
	var ids []int64
	var names []string
	var p Problems
	for i, uid := range userIDs {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		u, err := s.users.Get(ctx, uid)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Enterprise{}, err
		}
		if err != nil || u.TownshipID != actor.TownshipID || u.Role != RoleSupervisor || !u.Active {
			p.Add("user_ids["+strconv.Itoa(i)+"]", "不是本镇在用的驻厂监督员账号")
			continue
		}
		ids = append(ids, uid)
		names = append(names, u.Username)
	}
	if err := p.Err(); err != nil {
		return Enterprise{}, err
	}
	detail := "取消全部驻厂监督员"
	if len(names) > 0 {
		detail = "指派驻厂监督员 " + strings.Join(names, "、")
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.enterprises.SetSupervisors(ctx, id, ids); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, e.TownshipID, id, "enterprise.supervisors", "enterprise", id, detail)
	})
	if err != nil {
		return Enterprise{}, err
	}
	return s.changed(s.enterprises.Get(ctx, id))
}

// enterpriseChange names the fields an update changed; their values may be personal (the
// contact's phone) and are not kept.
func enterpriseChange(old, new Enterprise) string {
	return sentences(fields(
		labelIf(old.Name != new.Name, "名称"), labelIf(old.CreditCode != new.CreditCode, "统一社会信用代码"),
		labelIf(old.Industry != new.Industry, "行业"), labelIf(old.ZoneID != new.ZoneID, "责任区"),
		labelIf(old.Address != new.Address, "地址"), labelIf(old.ContactName != new.ContactName, "联系人"),
		labelIf(old.ContactPhone != new.ContactPhone, "联系电话"), labelIf(old.Headcount != new.Headcount, "职工人数"),
	))
}

// changed tells live views that an enterprise changed, and passes it on.
func (s *EnterpriseService) changed(e Enterprise, err error) (Enterprise, error) {
	if err == nil {
		notify(s.changes, Change{TownshipID: e.TownshipID, EnterpriseID: e.ID, Kind: ChangeEnterprise})
	}
	return e, err
}

// apply validates the set fields of in and copies them onto e.
func (s *EnterpriseService) apply(ctx context.Context, e *Enterprise, in EnterpriseInput) error {
	var p Problems
	if in.Name != nil {
		e.Name = Clean(*in.Name)
		checkText(&p, "name", "企业名称", e.Name, 2, 80)
	}
	if in.CreditCode != nil {
		code, err := ParseCreditCode(*in.CreditCode)
		if err != nil {
			p = append(p, err.(*Error).Fields...)
		}
		e.CreditCode = code
	}
	if in.Industry != nil {
		e.Industry = Clean(*in.Industry)
		checkText(&p, "industry", "行业", e.Industry, 1, 30)
	}
	if in.Address != nil {
		e.Address = Clean(*in.Address)
		checkText(&p, "address", "地址", e.Address, 0, 120)
	}
	if in.ContactName != nil {
		e.ContactName = Clean(*in.ContactName)
		checkText(&p, "contact_name", "联系人", e.ContactName, 1, 32)
	}
	if in.ContactPhone != nil {
		e.ContactPhone = checkContactPhone(&p, *in.ContactPhone)
	}
	if in.Headcount != nil {
		e.Headcount = *in.Headcount
		if e.Headcount < 0 || e.Headcount > 200_000 {
			p.Add("headcount", "职工人数应在 0 到 200,000 之间")
		}
	}
	if in.Zone != nil {
		if err := s.applyZone(ctx, &p, e, Clean(*in.Zone)); err != nil {
			return err
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	if in.CreditCode != nil {
		taken, err := s.enterprises.CreditCodeTaken(ctx, e.TownshipID, e.CreditCode, e.ID)
		if err != nil {
			return err
		}
		if taken {
			return Conflict("该统一社会信用代码的企业已登记",
				FieldError{Field: "credit_code", Message: "本镇已登记了这个统一社会信用代码的企业"})
		}
	}
	return nil
}

func (s *EnterpriseService) applyZone(ctx context.Context, p *Problems, e *Enterprise, name string) error {
	if name == "" {
		p.Add("zone", "请选择责任区")
		return nil
	}
	t, err := s.townships.Get(ctx, e.TownshipID)
	if err != nil {
		return err
	}
	z, ok := t.ZoneNamed(name)
	if !ok {
		p.Add("zone", "本镇没有名为“"+name+"”的责任区")
		return nil
	}
	e.ZoneID, e.Zone = z.ID, z.Name
	return nil
}

// checkContactPhone accepts a mobile number or a landline with area code (0543-1234567), since
// many small plants give their office phone.
func checkContactPhone(p *Problems, s string) string {
	s = Clean(s)
	if m, ok := ParseMobile(s); ok {
		return m
	}
	if landlineRe.MatchString(s) {
		return s
	}
	if s == "" {
		p.Add("contact_phone", "请填写联系电话")
	} else {
		p.Add("contact_phone", "联系电话应为 11 位手机号或带区号的座机号(如 0543-4321234)")
	}
	return s
}

var landlineRe = regexp.MustCompile(`^0[0-9]{2,3}-?[0-9]{7,8}$`)

func (in EnterpriseInput) fieldsSet() map[string]bool {
	return map[string]bool{
		"name": in.Name != nil, "credit_code": in.CreditCode != nil, "industry": in.Industry != nil,
		"zone": in.Zone != nil, "address": in.Address != nil, "contact_name": in.ContactName != nil,
		"contact_phone": in.ContactPhone != nil, "headcount": in.Headcount != nil,
	}
}

// codeDigits is the alphabet of login codes: digits only, so that a worker on a cheap phone
// gets the numeric keypad.
const codeDigits = "0123456789"

// CodeLength is the length of an enterprise's login code.
const CodeLength = 6

// newCode draws a random login code that no enterprise has yet. Codes are unique across all
// townships, because a worker signs in with the code alone and no township.
func (s *EnterpriseService) newCode(ctx context.Context) (string, error) {
	for range 20 {
		b := make([]byte, CodeLength)
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeDigits))))
			if err != nil {
				return "", err
			}
			b[i] = codeDigits[n.Int64()]
		}
		taken, err := s.enterprises.CodeTaken(ctx, string(b))
		if err != nil || !taken {
			return string(b), err
		}
	}
	return "", Conflict("无法生成企业码,请重试")
}

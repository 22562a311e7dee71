package domain

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// PlanService runs the reopening workflow: HR drafts and submits a plan, the enterprise's
// supervisor approves or rejects it, and confirms the day the enterprise actually reopened.
type PlanService struct {
	plans       PlanStore
	batches     BatchStore
	enterprises EnterpriseStore
	townships   TownshipStore
	audits      AuditStore
	tx          TxRunner
	clock       Clock
	changes     Notifier
	scope       scopeLoader
}

func (s *PlanService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// Create starts a new draft version for the actor's enterprise. An approved or reopened
// enterprise may start one too: an amendment (修改方案), reviewed like the first version while
// the enterprise keeps its status. ErrForbidden (not its HR), ErrNotFound, ErrInvalid,
// ErrConflict (a draft or submitted plan exists, or the enterprise is suspended).
func (s *PlanService) Create(ctx context.Context, actor Actor, enterpriseID int64, c PlanContent) (Plan, error) {
	if err := tenantOnly(actor); err != nil {
		return Plan{}, err
	}
	c = c.cleaned()
	var id int64
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		e, err := s.hrEnterprise(ctx, actor, enterpriseID)
		if err != nil {
			return err
		}
		if err := c.CheckDraft().Err(); err != nil {
			return err
		}
		p, err := s.newVersion(ctx, actor, e, c, "")
		id = p.ID
		return err
	})
	if err != nil {
		return Plan{}, err
	}
	return s.plans.Get(ctx, id)
}

// Copy starts a new draft version as a copy of the enterprise's latest version, so that HR
// amends an approved plan, or revises a rejected one, without typing it all again. Only the
// latest version may be copied. ErrForbidden (not its HR), ErrNotFound, ErrConflict (not the
// latest version, a draft or submitted version exists, the enterprise is suspended).
func (s *PlanService) Copy(ctx context.Context, actor Actor, id int64) (Plan, error) {
	if err := tenantOnly(actor); err != nil {
		return Plan{}, err
	}
	var out int64
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		from, err := s.hrPlan(ctx, actor, id)
		if err != nil {
			return err
		}
		e, err := s.enterprises.Get(ctx, from.EnterpriseID)
		if err != nil {
			return err
		}
		latest, err := s.plans.LatestVersion(ctx, e.ID)
		if err != nil {
			return err
		}
		if from.Version != latest {
			return Conflict("只能复制最新的第 "+strconv.Itoa(latest)+" 版方案", FieldError{Field: "version", Message: strconv.Itoa(latest)})
		}
		content := from.PlanContent
		content.Batches = slices.Clone(content.Batches)
		content.Pledge = false // the pledge is made again for every version HR submits
		p, err := s.newVersion(ctx, actor, e, content, ",复制自第 "+strconv.Itoa(from.Version)+" 版")
		out = p.ID
		return err
	})
	if err != nil {
		return Plan{}, err
	}
	return s.plans.Get(ctx, out)
}

// newVersion writes the enterprise's next draft version, unless it is suspended or has a
// draft or submitted version already.
func (s *PlanService) newVersion(ctx context.Context, actor Actor, e Enterprise, c PlanContent, note string) (Plan, error) {
	// A suspended enterprise had its plan approved: it resumes, it does not apply again
	// (a new plan's submission would make it applied and lose the suspension).
	if e.Status == StatusSuspended {
		return Plan{}, statusConflict(e, "停工整顿期间不能提交新的复工方案,整改后由镇专班恢复")
	}
	open, _, err := s.plans.List(ctx, PlanFilter{EnterpriseID: e.ID, Statuses: []PlanStatus{PlanDraft, PlanSubmitted}, Page: Page{Limit: 1}})
	if err != nil {
		return Plan{}, err
	}
	if len(open) > 0 {
		return Plan{}, Conflict("已有"+open[0].Status.Label()+"的方案(第 "+strconv.Itoa(open[0].Version)+" 版),请在其上修改",
			FieldError{Field: "status", Message: string(open[0].Status)})
	}
	v, err := s.plans.LatestVersion(ctx, e.ID)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{TownshipID: e.TownshipID, EnterpriseID: e.ID, Version: v + 1, Status: PlanDraft, PlanContent: c, CreatedBy: actor.UserID}
	if err := s.plans.Create(ctx, &p); err != nil {
		return Plan{}, conflictField(err, "status", "已有未完成的方案")
	}
	what := "第 " + strconv.Itoa(p.Version) + " 版草稿" + note
	if e.Status == StatusApproved || e.Status == StatusReopened {
		what += "(修改已批准的方案)"
	}
	return p, s.audit().record(ctx, actor, e.TownshipID, e.ID, "plan.create", "plan", p.ID, what)
}

// Get returns a plan the actor may see. ErrNotFound otherwise.
func (s *PlanService) Get(ctx context.Context, actor Actor, id int64) (Plan, error) {
	p, _, err := s.visible(ctx, actor, id)
	return p, err
}

// ListForEnterprise returns every version of an enterprise's plan, newest first.
func (s *PlanService) ListForEnterprise(ctx context.Context, actor Actor, enterpriseID int64, page Page) ([]Plan, int, error) {
	e, err := s.scope.enterprise(ctx, actor, enterpriseID)
	if err != nil {
		return nil, 0, err
	}
	return s.plans.List(ctx, PlanFilter{EnterpriseID: e.ID, Page: page.Normalize()})
}

// Queue lists the plans in the actor's scope with the given statuses: a supervisor's are the
// enterprises assigned to them, a town admin's the township's. ErrForbidden for other roles.
func (s *PlanService) Queue(ctx context.Context, actor Actor, statuses []PlanStatus, page Page) ([]Plan, int, error) {
	f := PlanFilter{Statuses: statuses, Page: page.Normalize()}
	switch actor.Role {
	case RoleSupervisor:
		f.TownshipID, f.SupervisorID = actor.TownshipID, actor.UserID
	case RoleTownAdmin:
		f.TownshipID = actor.TownshipID
	default:
		return nil, 0, Forbidden("只有驻厂监督员和镇专班可以查看审核队列")
	}
	return s.plans.List(ctx, f)
}

// Update replaces the content of a draft. ErrForbidden, ErrNotFound, ErrInvalid, ErrConflict
// (no longer a draft).
func (s *PlanService) Update(ctx context.Context, actor Actor, id int64, c PlanContent) (Plan, error) {
	c = c.cleaned()
	p, err := s.hrPlan(ctx, actor, id)
	if err != nil {
		return Plan{}, err
	}
	if err := wrongState(p, "修改", PlanDraft); err != nil {
		return Plan{}, err
	}
	if err := c.CheckDraft().Err(); err != nil {
		return Plan{}, err
	}
	p.PlanContent = c
	if err := s.plans.UpdateContent(ctx, p); err != nil {
		return Plan{}, s.stateConflict(ctx, err, id, "修改")
	}
	return s.plans.Get(ctx, id)
}

// Submit sends a complete draft for review; the enterprise becomes applied. An amendment of an
// approved plan leaves the enterprise approved or reopened, and is checked against the version
// in force (CheckAmendment). ErrForbidden, ErrNotFound, ErrInvalid (every failing rule named),
// ErrConflict (not a draft, the enterprise suspended).
func (s *PlanService) Submit(ctx context.Context, actor Actor, id int64) (Plan, error) {
	if err := tenantOnly(actor); err != nil {
		return Plan{}, err
	}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := s.hrPlan(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := wrongState(p, "提交", PlanDraft); err != nil {
			return err
		}
		t, err := s.townships.Get(ctx, p.TownshipID)
		if err != nil {
			return err
		}
		e, err := s.enterprises.Get(ctx, p.EnterpriseID)
		if err != nil {
			return err
		}
		if e.Status == StatusSuspended {
			return statusConflict(e, "停工整顿期间不能提交复工方案,整改后由镇专班恢复")
		}
		amending := e.Status == StatusApproved || e.Status == StatusReopened
		if err := s.checkSubmit(ctx, p, t.Today(s.clock.Now()), amending); err != nil {
			return err
		}
		if err := s.plans.SetStatus(ctx, id, PlanDraft, PlanSubmitted, s.clock.Now()); err != nil {
			return s.stateConflict(ctx, err, id, "提交")
		}
		what := "提交第 " + strconv.Itoa(p.Version) + " 版"
		if amending {
			what += "(修改已批准的方案,企业状态不变)"
		} else if err := s.setEnterpriseStatus(ctx, actor, t, p.EnterpriseID, StatusApplied, "提交第 "+strconv.Itoa(p.Version)+" 版复工方案"); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, p.TownshipID, p.EnterpriseID, "plan.submit", "plan", id, what)
	})
	if err != nil {
		return Plan{}, err
	}
	return s.changed(s.plans.Get(ctx, id))
}

// checkSubmit runs the submission rules on p: an amendment's against the version in force.
func (s *PlanService) checkSubmit(ctx context.Context, p Plan, today Date, amending bool) error {
	inForce, err := s.inForce(ctx, p.EnterpriseID)
	if err != nil {
		return err
	}
	if !amending || inForce == nil {
		return p.CheckSubmit(today).Err()
	}
	return p.CheckAmendment(today, inForce.PlanContent).Err()
}

// inForce is an enterprise's approved version in force, the newest approved one; nil when
// none was approved.
func (s *PlanService) inForce(ctx context.Context, enterpriseID int64) (*Plan, error) {
	approved, _, err := s.plans.List(ctx, PlanFilter{EnterpriseID: enterpriseID, Statuses: []PlanStatus{PlanApproved}, Page: Page{Limit: 1}})
	if err != nil || len(approved) == 0 {
		return nil, err
	}
	return &approved[0], nil
}

// Approve approves a submitted plan; the enterprise becomes approved. Only a supervisor
// assigned to the enterprise may. ErrForbidden, ErrNotFound, ErrConflict.
func (s *PlanService) Approve(ctx context.Context, actor Actor, id int64, comment string) (Plan, error) {
	return s.decide(ctx, actor, id, PlanApproved, Clean(comment))
}

// Reject returns a submitted plan to HR with a comment saying what to change; HR revises it as
// the next version. ErrForbidden, ErrNotFound, ErrInvalid (no comment), ErrConflict.
func (s *PlanService) Reject(ctx context.Context, actor Actor, id int64, comment string) (Plan, error) {
	comment = Clean(comment)
	if comment == "" {
		return Plan{}, Invalid("comment", "退回时请写明需要修改的内容")
	}
	return s.decide(ctx, actor, id, PlanRejected, comment)
}

func (s *PlanService) decide(ctx context.Context, actor Actor, id int64, decision PlanStatus, comment string) (Plan, error) {
	if err := tenantOnly(actor); err != nil {
		return Plan{}, err
	}
	var p Problems
	checkText(&p, "comment", "审核意见", comment, 0, 1000)
	if err := p.Err(); err != nil {
		return Plan{}, err
	}
	verb := map[PlanStatus]string{PlanApproved: "批准", PlanRejected: "退回"}[decision]
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		plan, e, err := s.visible(ctx, actor, id)
		if err != nil {
			return err
		}
		if !actor.Is(RoleSupervisor) || !e.SupervisedBy(actor.UserID) {
			return Forbidden("只有该企业的驻厂监督员可以审核方案")
		}
		if err := wrongState(plan, verb, PlanSubmitted); err != nil {
			return err
		}
		now := s.clock.Now()
		if err := s.plans.SetStatus(ctx, id, PlanSubmitted, decision, now); err != nil {
			return s.stateConflict(ctx, err, id, verb)
		}
		if err := s.plans.AddReview(ctx, id, Review{ReviewerID: actor.UserID, Decision: decision, Comment: comment, At: now}); err != nil {
			return err
		}
		// A rejection leaves the enterprise applied (DESIGN.md: HR revises the plan as the next
		// version), so it is no step of the status history; the plan keeps the review. A
		// rejected amendment leaves the version in force, and its batches, as they were.
		what := verb + "第 " + strconv.Itoa(plan.Version) + " 版:" + comment
		if decision == PlanApproved {
			changes, err := s.putInForce(ctx, actor, e, plan)
			if err != nil {
				return err
			}
			what += changes
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "plan."+string(decision), "plan", id, what)
	})
	if err != nil {
		return Plan{}, err
	}
	return s.changed(s.plans.Get(ctx, id))
}

// putInForce makes an approved plan the enterprise's: an applied enterprise becomes approved
// (an approved, reopened or suspended one, whose amendment this is, keeps its status), and
// the plan's batches become its return batches. It says for the audit what the batches became.
func (s *PlanService) putInForce(ctx context.Context, actor Actor, e Enterprise, plan Plan) (string, error) {
	if e.Status != StatusApproved && e.Status != StatusReopened && e.Status != StatusSuspended {
		t, err := s.townships.Get(ctx, e.TownshipID)
		if err != nil {
			return "", err
		}
		if err := s.setEnterpriseStatus(ctx, actor, t, e.ID, StatusApproved, "批准第 "+strconv.Itoa(plan.Version)+" 版复工方案"); err != nil {
			return "", err
		}
	}
	before, err := s.batches.ForEnterprise(ctx, e.ID)
	if err != nil {
		return "", err
	}
	after := plan.ReturnBatches()
	if err := s.batches.Replace(ctx, e.ID, after); err != nil {
		return "", err
	}
	return batchChanges(before, after), nil
}

// batchChanges says how an enterprise's return batches changed when a plan replaced them
// (BatchStore.Replace keeps batches by number): how many were added, removed or changed, and
// how many workers the removed ones leave without a batch. Empty for a first approval.
func batchChanges(before, after []ReturnBatch) string {
	if len(before) == 0 {
		return ""
	}
	added, removed, changed, orphaned := max(len(after)-len(before), 0), 0, 0, 0
	for i, b := range before {
		if i >= len(after) {
			removed++
			orphaned += b.Assigned
			continue
		}
		a := after[i]
		if a.Date != b.Date || a.Planned != b.Planned || !slices.Equal(a.Departments, b.Departments) {
			changed++
		}
	}
	return fmt.Sprintf(";返岗批次 %d 批→%d 批:新增 %d 批,取消 %d 批,变更 %d 批,%d 名员工因批次取消不再属于任何批次",
		len(before), len(after), added, removed, changed, orphaned)
}

// MaxReopenReason is the longest reason a supervisor may give for confirming a reopening the
// plan does not cover yet, in characters.
const MaxReopenReason = 200

// ConfirmReopening records the day an approved enterprise actually reopened; it becomes
// reopened. Only its supervisor may, for a day between the approval and today. The reopening
// gate holds the day against the enterprise's return batches: before the first batch, or with
// more people on duty than the batches up to that day bring back, the supervisor must give a
// reason, which the status history and the audit keep. ErrForbidden, ErrNotFound, ErrInvalid
// (date, reason), ErrConflict (not approved).
func (s *PlanService) ConfirmReopening(ctx context.Context, actor Actor, enterpriseID int64, on Date, reason string) (Enterprise, error) {
	if err := tenantOnly(actor); err != nil {
		return Enterprise{}, err
	}
	reason = Clean(reason)
	var p Problems
	checkText(&p, "reason", "提前复工理由", reason, 0, MaxReopenReason)
	if err := p.Err(); err != nil {
		return Enterprise{}, err
	}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		e, err := s.scope.enterprise(ctx, actor, enterpriseID)
		if err != nil {
			return err
		}
		if !actor.Is(RoleSupervisor) {
			return Forbidden("只有该企业的驻厂监督员可以确认复工")
		}
		if e.Status != StatusApproved {
			return Conflict("企业当前状态为“"+e.Status.Label()+"”,复工方案获批后才能确认复工",
				FieldError{Field: "status", Message: string(e.Status)})
		}
		if err := s.checkReopenDate(ctx, e, on); err != nil {
			return err
		}
		breaches, err := s.reopeningGate(ctx, e, on)
		if err != nil {
			return err
		}
		if len(breaches) > 0 && reason == "" {
			return Invalid("reason", strings.Join(breaches, ";")+"。请填写理由")
		}
		why, what := "确认复工", "确认于 "+on.String()+" 复工"
		if reason != "" {
			note := strings.Join(append(breaches, "理由:"+reason), ";")
			why, what = why+":"+note, what+":"+note
		}
		if _, err := changeStatus(ctx, s.enterprises, s.tx, s.clock, actor, e, StatusReopened, on, why); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "enterprise.reopen", "enterprise", e.ID, what)
	})
	if err != nil {
		return Enterprise{}, err
	}
	e, err := s.enterprises.Get(ctx, enterpriseID)
	if err == nil {
		notify(s.changes, Change{TownshipID: e.TownshipID, EnterpriseID: e.ID, Kind: ChangeEnterprise})
	}
	return e, err
}

// reopeningGate says which rules of the reopening gate a reopening on day on breaks: a day
// before the first return batch, more people on duty by that day than the batches dated up to
// it plan for. An enterprise without batches (its plan was approved before there were any)
// has no gate.
func (s *PlanService) reopeningGate(ctx context.Context, e Enterprise, on Date) ([]string, error) {
	batches, err := s.batches.ForEnterprise(ctx, e.ID)
	if err != nil || len(batches) == 0 {
		return nil, err
	}
	var breaches []string
	first, planned := batches[0].Date, 0
	for _, b := range batches {
		if b.Date.Before(first) {
			first = b.Date
		}
		if !b.Date.After(on) {
			planned += b.Planned
		}
	}
	if on.Before(first) {
		breaches = append(breaches, "确认复工日期早于首批返岗日期 "+first.String())
	}
	onDuty, err := s.plans.OnDuty(ctx, e.ID, on)
	if err != nil {
		return nil, err
	}
	if onDuty > planned {
		breaches = append(breaches, fmt.Sprintf("在岗 %d 人,多于方案截至 %s 计划返岗的 %d 人", onDuty, on, planned))
	}
	return breaches, nil
}

// changed tells live views that a plan's enterprise changed status, and passes p on.
func (s *PlanService) changed(p Plan, err error) (Plan, error) {
	if err == nil {
		notify(s.changes, Change{TownshipID: p.TownshipID, EnterpriseID: p.EnterpriseID, Kind: ChangeEnterprise})
	}
	return p, err
}

func (s *PlanService) checkReopenDate(ctx context.Context, e Enterprise, on Date) error {
	if on.IsZero() {
		return Invalid("date", "请填写实际复工日期")
	}
	t, err := s.townships.Get(ctx, e.TownshipID)
	if err != nil {
		return err
	}
	if today := t.Today(s.clock.Now()); on.After(today) {
		return Invalid("date", "实际复工日期不能晚于今天("+today.String()+")")
	}
	// The day the enterprise was first approved: an amendment approved later does not move it.
	approved, _, err := s.plans.List(ctx, PlanFilter{EnterpriseID: e.ID, Statuses: []PlanStatus{PlanApproved}, Page: Page{Limit: MaxPageSize}})
	if err != nil {
		return err
	}
	if len(approved) > 0 {
		for _, r := range approved[len(approved)-1].Reviews {
			if day := t.Today(r.At); r.Decision == PlanApproved && on.Before(day) {
				return Invalid("date", "实际复工日期不能早于方案批准日期("+day.String()+")")
			}
		}
	}
	return nil
}

// visible loads a plan and its enterprise, and hides both unless the actor may see them.
func (s *PlanService) visible(ctx context.Context, actor Actor, id int64) (Plan, Enterprise, error) {
	// (a closure, not the method value s.plans.Get, which a nil store would fail on before the
	// actor is refused)
	get := func(ctx context.Context, id int64) (Plan, error) { return s.plans.Get(ctx, id) }
	return recordOf(ctx, s.scope, actor, id, "复工方案", get, func(p Plan) int64 { return p.EnterpriseID })
}

// hrPlan loads a plan that the actor, as its enterprise's HR, may write.
func (s *PlanService) hrPlan(ctx context.Context, actor Actor, id int64) (Plan, error) {
	p, _, err := s.visible(ctx, actor, id)
	if err != nil {
		return Plan{}, err
	}
	if !actor.Is(RoleEnterpriseHR) {
		return Plan{}, Forbidden("复工方案由企业填写")
	}
	return p, nil
}

func (s *PlanService) hrEnterprise(ctx context.Context, actor Actor, id int64) (Enterprise, error) {
	e, err := s.scope.enterprise(ctx, actor, id)
	if err != nil {
		return Enterprise{}, err
	}
	if !actor.Is(RoleEnterpriseHR) {
		return Enterprise{}, Forbidden("复工方案由企业填写")
	}
	return e, nil
}

// setEnterpriseStatus moves the enterprise along with its plan, effective today in its
// township. A step to the status it has already (a resubmission after a rejection) is no
// change and leaves the history alone.
func (s *PlanService) setEnterpriseStatus(ctx context.Context, actor Actor, t Township, id int64, status EnterpriseStatus, why string) error {
	e, err := s.enterprises.Get(ctx, id)
	if err != nil || e.Status == status {
		return err
	}
	_, err = changeStatus(ctx, s.enterprises, s.tx, s.clock, actor, e, status, t.Today(s.clock.Now()), why)
	return err
}

// stateConflict turns a lost race (the plan moved between reading and writing) into the same
// 409 a wrong state gets, naming the state the plan is in now.
func (s *PlanService) stateConflict(ctx context.Context, err error, id int64, verb string) error {
	if !errors.Is(err, ErrConflict) {
		return err
	}
	p, gerr := s.plans.Get(ctx, id)
	if gerr != nil {
		return err
	}
	if werr := wrongState(p, verb, ""); werr != nil {
		return werr
	}
	return err
}

// wrongState is the 409 for acting on a plan in the wrong state; it names the current one.
func wrongState(p Plan, verb string, want PlanStatus) error {
	if p.Status == want {
		return nil
	}
	return Conflict("方案当前状态为“"+p.Status.Label()+"”,不能"+verb,
		FieldError{Field: "status", Message: string(p.Status)})
}

// cleaned trims every text of a plan and normalises the lead's phone.
func (c PlanContent) cleaned() PlanContent {
	for _, f := range []*string{&c.LeadName, &c.IsolationRoom, &c.Canteen, &c.Dormitory, &c.Disinfection, &c.EmergencyPlan} {
		*f = Clean(*f)
	}
	c.LeadPhone = Clean(c.LeadPhone)
	c.Batches = slices.Clone(c.Batches) // the departments are cleaned below, not the caller's
	for i := range c.Batches {
		ds := slices.Clone(c.Batches[i].Departments)
		for j := range ds {
			ds[j] = Clean(ds[j])
		}
		c.Batches[i].Departments = ds
	}
	if m, ok := ParseMobile(c.LeadPhone); ok {
		c.LeadPhone = m
	}
	// Litres are kept to one decimal, as the database's NUMERIC(10,1) keeps them, so that a plan
	// passes or fails the same on every engine.
	c.Supplies.DisinfectantLiters = math.Round(c.Supplies.DisinfectantLiters*10) / 10
	return c
}

// Label is the enterprise status as the people using Fugong call it.
func (s EnterpriseStatus) Label() string {
	return map[EnterpriseStatus]string{
		StatusNotApplied: "未申请", StatusApplied: "已申请", StatusApproved: "已批准",
		StatusReopened: "已复工", StatusSuspended: "已停工",
	}[s]
}

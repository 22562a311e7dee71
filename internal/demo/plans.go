package demo

import (
	"context"
	"fmt"

	"fugong/domain"
)

// story is what happened to one demo enterprise's reopening, in the three weeks before today.
type story int

const (
	notApplied  story = iota
	drafting          // HR is still filling in the plan
	rejected          // the supervisor returned it; HR has not revised it yet
	submitted         // waiting for the supervisor
	resubmitted       // returned once, revised, and waiting again
	approved          // approved, not yet reopened
	reopened          // approved and reopened
	inspected         // reopened, and a visit found everything in order
	overdue           // reopened, and a visit found a problem that is past its deadline
	rectified         // reopened, a visit found a problem, a later visit found it fixed
)

// stories gives each demo enterprise, by index, its story. hr1's enterprise (0) has not applied,
// so a newcomer can walk the whole workflow; supervisor1 (every fifth from 0) has one of each.
var stories = []story{
	notApplied, drafting, rejected, reopened, reopened, submitted, reopened, approved, reopened, notApplied,
	resubmitted, reopened, submitted, reopened, approved, approved, reopened, drafting, reopened, notApplied,
	inspected, reopened, submitted, reopened, notApplied, overdue, approved, reopened, rejected, reopened,
	rectified, submitted, reopened, notApplied, reopened, notApplied,
}

// Comments supervisors wrote when they returned plans.
var rejections = []string{
	"隔离观察室设在车间内,不符合要求,请另设独立房间并配备消毒用品。",
	"应急预案未明确发热职工的转运流程和联系人,请补充后重新提交。",
	"食堂就餐安排未体现错峰和分餐,请细化各班组就餐时段。",
}

// playHistory walks every enterprise through its story, each step on its own day.
func (s *seeder) playHistory(ctx context.Context) error {
	for i, st := range stories {
		if err := s.play(ctx, i, st); err != nil {
			return fmt.Errorf("demo history of %s: %w", s.ents[i].Name, err)
		}
	}
	return nil
}

func (s *seeder) play(ctx context.Context, i int, st story) error {
	if st == notApplied {
		return nil
	}
	hr, sup := s.hr[i], s.supervisors[i%len(s.supervisors)]
	e := s.ents[i]
	// Older stories started earlier: a reopened plant applied about two weeks ago.
	start := map[story]int{drafting: -2, rejected: -6, submitted: -2, resubmitted: -5, approved: -3}[st]
	if start == 0 {
		start = -18 + i%5
	}
	if st == drafting {
		s.day(start, 10, 15)
		draft := s.content(e, s.day(start+3, 0, 0))
		draft.EmergencyPlan, draft.Pledge, draft.Batches = "", false, nil // still being written
		s.day(start, 10, 15)
		_, err := s.svc.Plans.Create(ctx, hr, e.ID, draft)
		return err
	}
	p, err := s.submit(ctx, hr, e, start)
	if err != nil {
		return err
	}
	switch st {
	case submitted:
		return nil
	case rejected, resubmitted:
		s.day(start+1, 15, 40)
		if _, err := s.svc.Plans.Reject(ctx, sup, p.ID, rejections[i%len(rejections)]); err != nil {
			return err
		}
		if st == rejected {
			return nil
		}
		_, err := s.submit(ctx, hr, e, start+3)
		return err
	}
	s.day(start+1, 16, 5)
	if _, err := s.svc.Plans.Approve(ctx, sup, p.ID, "方案可行,同意按计划复工,请严格落实每日测温和台账登记。"); err != nil {
		return err
	}
	if st == approved {
		return nil
	}
	// Plants reopen on their first batch's day; one reopened two days early, with a reason.
	reopenedOn, reason := s.day(start+3, 17, 30), ""
	if i == earlyIndex {
		reopenedOn, reason = s.day(start+1, 17, 30), EarlyReason
	}
	if _, err := s.svc.Plans.ConfirmReopening(ctx, sup, e.ID, reopenedOn, reason); err != nil {
		return err
	}
	if err := s.inspect(ctx, sup, e, st, start+5); err != nil {
		return err
	}
	if i == amendedIndex {
		return s.amend(ctx, hr, sup, p, start+9)
	}
	if i == suspendedIndex {
		return s.suspendAndResume(ctx, e)
	}
	return nil
}

// earlyIndex is the enterprise whose supervisor confirmed its reopening two days before its
// first return batch, for the reason below, which its status history shows: supervisor1's
// overdue one.
const earlyIndex = 25

// EarlyReason is why the supervisor confirmed that reopening early.
const EarlyReason = "外贸订单交期紧,首批 20 名本地职工已提前到岗并完成健康登记,经镇专班同意提前两天复工"

// amendedIndex is the reopened enterprise whose HR amended its approved plan (修改方案): the
// second version, which adds a batch, was approved while it stayed reopened. supervisor1's
// rectified one.
const amendedIndex = 30

// amend has HR copy the plan in force on day d, add a batch of a tenth more workers two days
// later, and submit it; the supervisor approves it the next morning.
func (s *seeder) amend(ctx context.Context, hr, sup domain.Actor, p domain.Plan, d int) error {
	s.day(d, 9, 10)
	v2, err := s.svc.Plans.Copy(ctx, hr, p.ID)
	if err != nil {
		return err
	}
	c := v2.PlanContent
	more := max(c.ExpectedWorkers/10, 3)
	c.ExpectedWorkers += more
	c.Batches = append(c.Batches, domain.Batch{Date: s.day(d+2, 0, 0), Workers: more, Departments: []string{"包装车间", "仓储物流"}})
	c.Pledge = true
	s.day(d, 10, 40)
	if _, err := s.svc.Plans.Update(ctx, hr, v2.ID, c); err != nil {
		return err
	}
	if _, err := s.svc.Plans.Submit(ctx, hr, v2.ID); err != nil {
		return err
	}
	s.day(d+1, 8, 50)
	_, err = s.svc.Plans.Approve(ctx, sup, v2.ID, "新增订单需要增加包装和仓储人员,同意增加第 "+fmt.Sprint(len(c.Batches))+" 批返岗。")
	return err
}

// suspendedIndex is the enterprise the town stopped for rectification (停工整顿) about ten days
// ago and let resume four days ago: supervisor1's inspected one, so that supervisor1 and its
// HR find the suspension in its status history, and past days of the dashboard count it
// suspended.
const suspendedIndex = 20

// suspendAndResume plays the suspension of one reopened enterprise and its end.
func (s *seeder) suspendAndResume(ctx context.Context, e domain.Enterprise) error {
	s.day(-10, 9, 40)
	if _, err := s.svc.Enterprises.Suspend(ctx, s.town, e.ID, "食堂未落实分餐,就餐人员扎堆,停工整顿", domain.Date{}); err != nil {
		return err
	}
	s.day(-4, 15, 10)
	_, err := s.svc.Enterprises.Resume(ctx, s.town, e.ID, "已整改:食堂分三个时段就餐、一人一桌,复查合格", domain.Date{})
	return err
}

// submit has HR draft a complete plan on day start and submit it the same afternoon.
func (s *seeder) submit(ctx context.Context, hr domain.Actor, e domain.Enterprise, start int) (domain.Plan, error) {
	planned := s.day(start+3, 0, 0)
	s.day(start, 9, 20+s.rng.IntN(30))
	p, err := s.svc.Plans.Create(ctx, hr, e.ID, s.content(e, planned))
	if err != nil {
		return domain.Plan{}, err
	}
	s.day(start, 14, s.rng.IntN(60))
	return s.svc.Plans.Submit(ctx, hr, p.ID)
}

// inspect records the visits of an inspected, overdue or rectified story from day on.
func (s *seeder) inspect(ctx context.Context, sup domain.Actor, e domain.Enterprise, st story, day int) error {
	all := domain.Checklist{TemperatureCheck: true, MasksWorn: true, DisinfectionLog: true,
		IsolationRoomReady: true, RosterUpToDate: true, CanteenStaggered: true}
	visit := func(d int, c domain.Checklist, findings string, deadline int) error {
		in := domain.NewInspection{VisitedOn: s.day(d, 10, 30), Checklist: c, Findings: findings}
		if deadline != 0 {
			in.RectificationDeadline = s.day(d+deadline, 0, 0)
			s.day(d, 10, 30)
		}
		_, _, err := s.svc.Inspections.Create(ctx, sup, e.ID, in)
		return err
	}
	switch st {
	case inspected:
		return visit(day, all, "入口测温、登记和车间消毒均到位。", 0)
	case overdue:
		c := all
		c.DisinfectionLog = false
		return visit(day, c, "车间消毒记录缺少近三天的登记,消毒液配比未记录。", 2)
	case rectified:
		c := all
		c.MasksWorn = false
		if err := visit(day, c, "包装车间有 3 名职工未佩戴口罩。", 2); err != nil {
			return err
		}
		return visit(day+3, all, "复查:职工均规范佩戴口罩,已整改。", 0)
	}
	return nil
}

// content writes a complete, realistic plan for an enterprise reopening on planned: most of
// its workers back in two or three staggered batches, supplies for one to two weeks.
func (s *seeder) content(e domain.Enterprise, planned domain.Date) domain.PlanContent {
	expected := e.Headcount * (60 + s.rng.IntN(30)) / 100
	if expected < 10 {
		expected = e.Headcount
	}
	// Management, quality and maintenance come back first to get the lines ready, then
	// production, then packing and logistics.
	batches := []domain.Batch{{Date: planned, Workers: expected / 2, Departments: []string{"行政后勤", "设备维修", "质检部", "生产一车间"}}}
	last := []string{"生产二车间", "包装车间", "仓储物流"}
	if expected >= 200 {
		batches = append(batches, domain.Batch{Date: planned.AddDays(3), Workers: expected / 4, Departments: []string{"生产二车间"}})
		last = last[1:]
	}
	rest := expected
	for _, b := range batches {
		rest -= b.Workers
	}
	batches = append(batches, domain.Batch{Date: planned.AddDays(6), Workers: rest, Departments: last})
	days := 7 + s.rng.IntN(8)
	return domain.PlanContent{
		PlannedReopenDate: planned, ExpectedWorkers: expected,
		LeadName: e.ContactName, LeadPhone: e.ContactPhone,
		Supplies: domain.Supplies{
			Masks:              expected * 2 * days,
			Thermometers:       expected/100 + 2 + s.rng.IntN(3),
			DisinfectantLiters: float64(expected*days) * 0.05 * 1.5,
			Gloves:             expected * (days - 2),
			Goggles:            4 + s.rng.IntN(10),
		},
		IsolationRoom: isolationRooms[s.rng.IntN(len(isolationRooms))],
		Batches:       batches,
		ShiftSize:     min(expected, 15+s.rng.IntN(16)),
		Canteen:       "分三个时段错峰就餐,每桌一人同向而坐,餐具一人一套、每餐消毒。",
		Dormitory:     "每间不超过 4 人,每日通风两次,外来人员不得进入宿舍区。",
		Disinfection:  "车间、食堂、宿舍每日上下午各消毒一次,门把手、电梯按钮每两小时擦拭,专人登记。",
		EmergencyPlan: "职工出现发热(≥37.3℃)或咳嗽等症状,立即引导至隔离观察室,报告驻厂监督员和镇卫生院," +
			"由 120 负压救护车转运至邹平市人民医院发热门诊;同班组人员暂停作业并居家观察,对相关区域终末消毒。",
		Pledge: true,
	}
}

var isolationRooms = []string{
	"厂区东北角独立平房 2 间,配备体温计、消毒液和一次性用品",
	"办公楼一楼西侧 3 间,独立通风,专用卫生间",
	"门卫室北侧临时观察室 1 间,距车间 50 米以上",
}

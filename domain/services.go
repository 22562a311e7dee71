package domain

import (
	"context"
	"time"
)

// Stores are the stores every service is built on; repo provides them for a database.
type Stores struct {
	Townships     TownshipStore
	Users         UserStore
	Enterprises   EnterpriseStore
	RefreshTokens RefreshTokenStore
	LoginAttempts LoginAttemptStore
	Plans         PlanStore
	Inspections   InspectionStore
	Audit         AuditStore
	Workers       WorkerStore
	Checkins      CheckinStore
	Alerts        AlertStore
	Stats         StatsStore
	Retention     RetentionStore
	Notices       NoticeStore
	Batches       BatchStore
	Shifts        ShiftStore
	Returns       ReturnStore
	Passes        PassStore
	SpotChecks    SpotCheckStore
	Channels      ChannelStore
	Outbox        OutboxStore
	Tx            TxRunner
}

// Options tune the services; zero values take the defaults of DESIGN.md.
type Options struct {
	Passwords    PasswordHasher
	Clock        Clock
	RefreshTTL   time.Duration // default 30 days
	RefreshGrace time.Duration // a spent refresh token still refreshes this long; default 20 s
	MaxFailures  int           // failed sign-ins allowed per username and address; default 5
	// MaxAddressFailures are the failed sign-ins allowed per address, whatever the usernames;
	// default 20, room for an office behind one address whose people mistype now and then.
	MaxAddressFailures int
	FailureWindow      time.Duration // default one minute
	// Changes hears of the services' changes, for live views, and tells of every change, made
	// here or in another process; with it the townships are kept in memory (placeCache),
	// since it says when to read one again. nil for none.
	Changes      ChangeFeed
	Recorder     Recorder      // hears of check-ins and alerts for the metrics; nil for none
	Imports      *ImportSlots  // the server's places for roster imports; nil: two (ImportSlots)
	ImportBudget time.Duration // how long one roster import may take; default one minute
	// Robots reach the group robots (package notify, given by internal/app); nil: channels
	// cannot be saved or sent to.
	Robots Robots
	// Links say where people open Fugong, for the links in the groups' messages.
	Links Links
}

// Services are all of Fugong's domain services, wired to one set of stores.
type Services struct {
	Auth        *AuthService
	Townships   *TownshipService
	Users       *UserService
	Enterprises *EnterpriseService
	Plans       *PlanService
	Inspections *InspectionService
	Workers     *WorkerService
	Checkins    *CheckinService
	Dashboard   *DashboardService
	Reports     *ReportService
	Stats       *StatsService
	Audit       *AuditService
	Retention   *RetentionService
	Notices     *NoticeService
	Stagger     *StaggerService
	Returns     *ReturnService
	Gate        *GateService
	Channels    *ChannelService
	Messenger   *Messenger
}

// NewServices wires the services to st.
func NewServices(st Stores, o Options) Services {
	if o.RefreshTTL == 0 {
		o.RefreshTTL = 30 * 24 * time.Hour
	}
	if o.MaxFailures == 0 {
		o.MaxFailures = 5
	}
	if o.FailureWindow == 0 {
		o.FailureWindow = time.Minute
	}
	if o.RefreshGrace == 0 {
		o.RefreshGrace = 20 * time.Second
	}
	if o.MaxAddressFailures == 0 {
		o.MaxAddressFailures = 20
	}
	if o.Passwords.Gate == nil {
		o.Passwords.Gate = NewPasswordGate(0, 0) // one gate for every service's checks
	}
	if o.Imports == nil {
		o.Imports = &ImportSlots{}
	}
	if o.ImportBudget == 0 {
		o.ImportBudget = time.Minute
	}
	// Townships are kept in memory where a change feed tells when to read them again.
	var places *placeCache
	if o.Changes != nil {
		places = newPlaceCache(o.Changes)
	}
	scope := scopeLoader{enterprises: st.Enterprises}
	figures := &figureReader{stats: st.Stats, enterprises: st.Enterprises, townships: st.Townships, places: places, clock: o.Clock,
		returns: st.Returns}
	users := &UserService{
		users: st.Users, enterprises: st.Enterprises, townships: st.Townships, passwords: o.Passwords,
		sessions: st.RefreshTokens, audits: st.Audit, tx: st.Tx, clock: o.Clock,
		attempts: st.LoginAttempts, maxFailures: o.MaxFailures, failureWindow: o.FailureWindow, notices: st.Notices,
	}
	workers := &WorkerService{
		workers: st.Workers, shifts: st.Shifts, batches: st.Batches, enterprises: st.Enterprises, townships: st.Townships, audits: st.Audit, alerts: st.Alerts,
		stats: st.Stats, tx: st.Tx, clock: o.Clock, changes: o.Changes, recorder: o.Recorder,
		imports: o.Imports, importBudget: o.ImportBudget, places: places, scope: scope,
	}
	gate := &GateService{
		passes: st.Passes, spots: st.SpotChecks, alerts: st.Alerts, workers: st.Workers,
		enterprises: st.Enterprises, townships: st.Townships, places: places, audits: st.Audit, tx: st.Tx,
		clock: o.Clock, changes: o.Changes, scope: scope,
	}
	checkins := &CheckinService{
		checkins: st.Checkins, alerts: st.Alerts, workers: st.Workers, townships: st.Townships, audits: st.Audit,
		tx: st.Tx, clock: o.Clock, changes: o.Changes, recorder: o.Recorder, places: places, scope: scope,
		shifts: st.Shifts, found: newFoundToday(), crowds: newCrowdCache(o.Changes),
	}
	dashboard := &DashboardService{figures: figures, alerts: st.Alerts}
	if o.Robots == nil {
		o.Robots = noRobots{}
	}
	channels := &ChannelService{channels: st.Channels, outbox: st.Outbox, enterprises: st.Enterprises, townships: st.Townships,
		robots: o.Robots, audits: st.Audit, clock: o.Clock}
	messenger := &Messenger{outbox: st.Outbox, channels: st.Channels, townships: st.Townships, enterprises: st.Enterprises,
		alerts: st.Alerts, workers: st.Workers, checkins: checkins, dashboard: dashboard, robots: o.Robots, clock: o.Clock,
		links: o.Links, recorder: o.Recorder}
	return Services{
		Auth: &AuthService{
			users: st.Users, workers: st.Workers, enterprises: st.Enterprises, tokens: st.RefreshTokens,
			attempts: st.LoginAttempts, passwords: o.Passwords, audits: st.Audit, tx: st.Tx, clock: o.Clock,
			refreshTTL: o.RefreshTTL, refreshGrace: o.RefreshGrace, maxFailures: o.MaxFailures,
			maxAddressFailures: o.MaxAddressFailures, failureWindow: o.FailureWindow,
		},
		Townships: &TownshipService{
			townships: st.Townships, users: users, rosters: workers, audits: st.Audit, tx: st.Tx, clock: o.Clock,
			changes: o.Changes,
		},
		Users: users,
		Enterprises: &EnterpriseService{
			enterprises: st.Enterprises, townships: st.Townships, users: st.Users, audits: st.Audit, tx: st.Tx,
			clock: o.Clock, changes: o.Changes, scope: scope,
		},
		Plans: &PlanService{
			plans: st.Plans, batches: st.Batches, enterprises: st.Enterprises, townships: st.Townships, audits: st.Audit, tx: st.Tx,
			clock: o.Clock, changes: o.Changes, scope: scope,
		},
		Inspections: &InspectionService{
			inspections: st.Inspections, townships: st.Townships, audits: st.Audit, tx: st.Tx, clock: o.Clock,
			scope: scope,
		},
		Workers:   workers,
		Checkins:  checkins,
		Dashboard: dashboard,
		Reports: &ReportService{
			figures: figures, workers: st.Workers, alerts: st.Alerts, plans: st.Plans, audits: st.Audit, clock: o.Clock,
			gate: gate,
		},
		Stats:     &StatsService{stats: st.Stats, townships: st.Townships, clock: o.Clock},
		Audit:     &AuditService{audits: st.Audit, townships: st.Townships, clock: o.Clock},
		Retention: &RetentionService{townships: st.Townships, store: st.Retention, audits: st.Audit, tx: st.Tx, clock: o.Clock},
		Notices:   &NoticeService{notices: st.Notices, tx: st.Tx, clock: o.Clock},
		Stagger: &StaggerService{
			batches: st.Batches, shifts: st.Shifts, plans: st.Plans, townships: st.Townships, audits: st.Audit, tx: st.Tx,
			clock: o.Clock, changes: o.Changes, scope: scope,
		},
		Returns:   &ReturnService{returns: st.Returns, townships: st.Townships, clock: o.Clock, scope: scope},
		Gate:      gate,
		Channels:  channels,
		Messenger: messenger,
	}
}

// noRobots stands where no Robots were given (the tools that load data, some tests): a
// channel cannot be saved and nothing is sent, each saying why.
type noRobots struct{}

func (noRobots) Check(Channel) error {
	return Invalid("kind", "这个程序没有接通群机器人（未配置 Robots）")
}

func (noRobots) Send(context.Context, Channel, RobotMessage) RobotAnswer {
	return RobotAnswer{Outcome: "permanent", Message: "这个程序没有接通群机器人（未配置 Robots）"}
}

func (noRobots) Cost(Channel, RobotMessage) int { return 1 }

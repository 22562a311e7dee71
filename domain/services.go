package domain

import "time"

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
	ImportSlots  int           // roster imports running at once on this server; default 2
	ImportBudget time.Duration // how long one roster import may take; default one minute
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
	if o.ImportSlots == 0 {
		o.ImportSlots = 2
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
	figures := &figureReader{stats: st.Stats, enterprises: st.Enterprises, townships: st.Townships, places: places, clock: o.Clock}
	users := &UserService{
		Users: st.Users, Enterprises: st.Enterprises, Townships: st.Townships, Passwords: o.Passwords,
		Sessions: st.RefreshTokens, Audit: st.Audit, Tx: st.Tx, Clock: o.Clock,
		Attempts: st.LoginAttempts, MaxFailures: o.MaxFailures, FailureWindow: o.FailureWindow, Notices: st.Notices,
	}
	workers := &WorkerService{
		Workers: st.Workers, Enterprises: st.Enterprises, Townships: st.Townships, Audit: st.Audit, Alerts: st.Alerts,
		Stats: st.Stats, Tx: st.Tx, Clock: o.Clock, Changes: o.Changes, Recorder: o.Recorder,
		Imports: &ImportSlots{Max: o.ImportSlots}, ImportBudget: o.ImportBudget, places: places, scope: scope}
	return Services{
		Auth: &AuthService{
			Users: st.Users, Workers: st.Workers, Enterprises: st.Enterprises, Tokens: st.RefreshTokens, Attempts: st.LoginAttempts, Passwords: o.Passwords,
			Audit: st.Audit, Tx: st.Tx, Clock: o.Clock, RefreshTTL: o.RefreshTTL, RefreshGrace: o.RefreshGrace,
			MaxFailures: o.MaxFailures, MaxAddressFailures: o.MaxAddressFailures, FailureWindow: o.FailureWindow,
		},
		Townships: &TownshipService{
			Townships: st.Townships, Users: users, Rosters: workers, Audit: st.Audit, Tx: st.Tx, Clock: o.Clock, Changes: o.Changes,
		},
		Users: users,
		Enterprises: &EnterpriseService{
			Enterprises: st.Enterprises, Townships: st.Townships, Users: st.Users, Audit: st.Audit, Tx: st.Tx, Clock: o.Clock,
			Changes: o.Changes, scope: scope},
		Plans: &PlanService{
			Plans: st.Plans, Enterprises: st.Enterprises, Townships: st.Townships, Audit: st.Audit,
			Tx: st.Tx, Clock: o.Clock, Changes: o.Changes, scope: scope},
		Inspections: &InspectionService{
			Inspections: st.Inspections, Enterprises: st.Enterprises, Townships: st.Townships,
			Audit: st.Audit, Tx: st.Tx, Clock: o.Clock, scope: scope},
		Workers: workers,
		Checkins: &CheckinService{
			Checkins: st.Checkins, Alerts: st.Alerts, Workers: st.Workers, Enterprises: st.Enterprises, Townships: st.Townships,
			Audit: st.Audit, Tx: st.Tx, Clock: o.Clock, Changes: o.Changes, Recorder: o.Recorder, places: places, scope: scope},
		Dashboard: &DashboardService{figures: figures},
		Reports: &ReportService{figures: figures, workers: st.Workers, alerts: st.Alerts, plans: st.Plans, audit: st.Audit,
			clock: o.Clock},
		Stats:     &StatsService{stats: st.Stats, townships: st.Townships, clock: o.Clock},
		Audit:     &AuditService{Audit: st.Audit, Townships: st.Townships, Clock: o.Clock},
		Retention: &RetentionService{Townships: st.Townships, Store: st.Retention, Audit: st.Audit, Tx: st.Tx, Clock: o.Clock},
		Notices:   &NoticeService{Notices: st.Notices, Tx: st.Tx, Clock: o.Clock},
	}
}

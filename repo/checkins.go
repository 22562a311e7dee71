package repo

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fugong/domain"
)

// CheckinStore keeps check-ins, one per worker, day and slot. NewCheckinStore makes one that
// commits check-ins in groups on PostgreSQL; a CheckinStore{DB: db} commits each on its own.
type CheckinStore struct {
	DB     *DB
	groups *checkinGroups // nil: none
}

// CheckinOptions tune a CheckinStore; zero values take the defaults.
type CheckinOptions struct {
	// Lanes is how many groups of check-ins commit at once on PostgreSQL (checkin_group.go);
	// 0 is DefaultCheckinLanes. SQLite writes one at a time anyway and groups nothing.
	Lanes int
	// Observe, when set, is told of each group once it committed (or failed as a whole): how
	// many check-ins it held, and how long its transaction took from sending to the commit's
	// answer. For the metrics: a group's size says how far behind its lane is.
	Observe func(size int, took time.Duration)
}

// NewCheckinStore returns the store of db's check-ins. Its group commit stops when db closes.
func NewCheckinStore(db *DB, o CheckinOptions) *CheckinStore {
	s := &CheckinStore{DB: db}
	if db.Dialect != Postgres {
		return s
	}
	_, dsn, err := ParseURL(db.URL)
	if err != nil { // not a URL Open took: a DB made otherwise, which groups nothing
		return s
	}
	dsn = withSessionDefaults(dsn)
	if o.Lanes <= 0 {
		o.Lanes = DefaultCheckinLanes()
	}
	connect := func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, dsn) }
	s.groups = newCheckinGroups(connect, o.Lanes, s.upsertOne)
	s.groups.observe = o.Observe
	db.onClose(s.groups.close)
	return s
}

// grouped returns the group committer for a check-in written with ctx: none in a transaction,
// which the check-in must join, nor without one.
func (s *CheckinStore) grouped(ctx context.Context) *checkinGroups {
	if inTx(ctx) {
		return nil
	}
	return s.groups
}

var _ domain.CheckinStore = (*CheckinStore)(nil)

type checkinRow struct {
	ID             int64
	TownshipID     int64
	EnterpriseID   int64
	WorkerID       int64
	Date           sql.NullTime
	Slot           string
	Temperature    int
	Fever          bool
	HadFever       bool
	Symptoms       string
	HadSymptoms    bool
	SymptomNote    string
	Location       string
	SubmittedBy    sql.NullInt64
	Due            bool
	Late           bool
	CorrectionNote string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (checkinRow) TableName() string { return "checkins" }

func (r checkinRow) toDomain() domain.Checkin {
	c := domain.Checkin{
		ID: r.ID, TownshipID: r.TownshipID, EnterpriseID: r.EnterpriseID, WorkerID: r.WorkerID,
		Date: dateOf(r.Date), Slot: domain.Slot(r.Slot), Temperature: domain.Temperature(r.Temperature), Fever: r.Fever,
		HadFever: r.HadFever, HadSymptoms: r.HadSymptoms, Due: r.Due, Late: r.Late, CorrectionNote: r.CorrectionNote,
		SymptomNote: r.SymptomNote, Location: domain.Location(r.Location), SubmittedBy: r.SubmittedBy.Int64,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Symptoms: []domain.Symptom{},
	}
	for _, s := range strings.Split(r.Symptoms, ",") {
		if s != "" {
			c.Symptoms = append(c.Symptoms, domain.Symptom(s))
		}
	}
	return c
}

// upsertCheckin inserts or replaces a check-in, the row made from the worker's own: none when
// they are not on that roster any more, or, for their own report ($14 not NULL), their session
// has ended since (token_generation moved on): the contract of domain.CheckinStore.UpsertOwn.
// The same read of the worker says whether they are due that day (the rule due of repo/stats,
// with the day $1). A replaced reading keeps the slot's fever and symptoms (had_fever,
// had_symptoms) and whether its first report was late; it clears a correction's note. Written
// with $n for PostgreSQL; SQLite's, with its own rule, gets ?n (upsertCheckinSQLite).
//
// After it come what a check-in at work raises needs (domain.CheckinService.atWork), read in
// the same statement so that the busiest route asks nothing more for it: for a check-in at
// work the enterprise's status, and for a morning's at work the worker's shift (NULL
// otherwise). RETURNING sees only the row written, so each is a lookup by primary key, made
// only when it can matter. (Whether the shift can be over capacity is not asked here: counting
// its workers in this statement cost a third of the benchmark's throughput, BENCHMARKS.md.)
//
// The column before them says whether the row was inserted. On PostgreSQL that is whether the
// row's id is the one this statement drew from the sequence: the insert draws one for the row
// it proposes, ON CONFLICT or not, and a replaced row keeps its older id (a sequence never
// gives a value twice). Comparing its creation and update times, as SQLite does (which keeps
// them to the nanosecond), failed there now and then: two retries of one report stamped in the
// same microsecond, PostgreSQL's resolution, both read as new (201 twice). xmax = 0, which
// served before, cannot be read from a partitioned table (migration 00023).
var upsertCheckin = upsertCheckinWith(postgresStats, "id = currval('checkins_id_seq')")

var upsertCheckinSQLite = regexp.MustCompile(`\$(\d+)`).ReplaceAllString(upsertCheckinWith(sqliteStats, "created_at = updated_at"), "?$1")

func upsertCheckinWith(r *statsRules, inserted string) string {
	return `INSERT INTO checkins (township_id, enterprise_id, worker_id, date, slot, temperature,
	fever, had_fever, symptoms, had_symptoms, symptom_note, location, submitted_by, late, due, correction_note,
	created_at, updated_at)
SELECT w.township_id, w.enterprise_id, w.id, $1, $2, $3, $4, $4, $5, $5 <> '', $6,
	CASE WHEN $7 <> '' THEN $7 WHEN w.status = 'isolating' THEN 'isolation' ELSE 'work' END, $8, $13,
	` + strings.ReplaceAll(r.rule("due"), "@d", "$1") + `, '', $9, $9
FROM workers w WHERE w.id = $10 AND w.enterprise_id = $11 AND w.township_id = $12 AND w.status <> 'left'
	AND w.token_generation = COALESCE($14, w.token_generation)
ON CONFLICT (worker_id, date, slot) DO UPDATE SET temperature = excluded.temperature, fever = excluded.fever,
	had_fever = checkins.had_fever OR excluded.had_fever, symptoms = excluded.symptoms,
	had_symptoms = checkins.had_symptoms OR excluded.had_symptoms, symptom_note = excluded.symptom_note,
	location = excluded.location, submitted_by = excluded.submitted_by, due = excluded.due, correction_note = '',
	updated_at = excluded.updated_at
RETURNING id, location, due, created_at, updated_at, ` + inserted + `,
	CASE WHEN location = 'work' THEN (SELECT e.status FROM enterprises e WHERE e.id = checkins.enterprise_id) END,
	CASE WHEN location = 'work' AND slot = 'am' THEN (SELECT sw.shift_id FROM workers sw WHERE sw.id = checkins.worker_id) END`
}

// Upsert inserts or replaces a check-in with one INSERT … ON CONFLICT DO UPDATE, which both
// engines run atomically, so concurrent retries of one report leave one row; it says whether
// the row is new. On PostgreSQL, outside a
// transaction, it commits with the check-ins sent at the same moment (checkin_group.go).
func (s *CheckinStore) Upsert(ctx context.Context, c *domain.Checkin) (bool, error) {
	return s.upsert(ctx, c, sql.NullInt64{})
}

// UpsertOwn is Upsert that writes only while the worker's token generation is gen: the same
// statement, with the generation its WHERE compares.
func (s *CheckinStore) UpsertOwn(ctx context.Context, c *domain.Checkin, gen int64) (bool, error) {
	return s.upsert(ctx, c, sql.NullInt64{Int64: gen, Valid: true})
}

// upsert runs upsertCheckin for c, comparing the worker's token generation with gen unless
// it is NULL.
func (s *CheckinStore) upsert(ctx context.Context, c *domain.Checkin, gen sql.NullInt64) (bool, error) {
	args := newUpsertArgs(c, gen)
	if g := s.grouped(ctx); g != nil {
		return g.upsert(ctx, c.EnterpriseID, c.WorkerID, args).into(c)
	}
	u, err := s.upsertOne(ctx, args)
	return upsertDone{u, err}.into(c)
}

// newUpsertArgs are the values upsertCheckin takes for c and the token generation gen,
// stamped now.
func newUpsertArgs(c *domain.Checkin, gen sql.NullInt64) upsertArgs {
	row := newCheckinRow(*c)
	return upsertArgs{c.Date.Time(), row.Slot, row.Temperature, row.Fever, row.Symptoms, row.SymptomNote,
		row.Location, row.SubmittedBy, time.Now().UTC(), row.WorkerID, row.EnterpriseID, row.TownshipID, c.Late, gen}
}

// into completes c with what its upsert returned and says whether it is new. No row: the
// worker is not on the roster (ErrNotFound).
func (d upsertDone) into(c *domain.Checkin) (bool, error) {
	if d.err != nil {
		return false, translate(d.err, "checkin")
	}
	u := d.row
	if u.id == 0 {
		return false, domain.NotFound("职工")
	}
	c.ID, c.Location, c.Due, c.CreatedAt, c.UpdatedAt = u.id, domain.Location(u.location), u.due, u.createdAt, u.updatedAt
	c.EnterpriseStatus, c.ShiftID = domain.EnterpriseStatus(u.enterpriseStatus.String), u.shiftID.Int64
	return u.inserted, nil
}

// upsertOne runs upsertCheckin on its own, in the transaction in ctx if there is one. The
// statement goes to the connection under GORM: on the busiest route, GORM's statement
// building and the SQL it renders for its logger on every Scan were a sixth of the server's
// CPU (BENCHMARKS.md).
func (s *CheckinStore) upsertOne(ctx context.Context, args upsertArgs) (upserted, error) {
	q := upsertCheckin
	if s.DB.Dialect == SQLite {
		q = upsertCheckinSQLite
	}
	var u upserted
	err := s.DB.exclusive(ctx, func() error {
		db := s.DB.conn(ctx)
		err := db.Statement.ConnPool.QueryRowContext(ctx, q, args[:]...).Scan(u.dest()...)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return translateDriver(db, err)
	})
	return u, err
}

// InsertMany adds check-ins with multi-row INSERTs of 500, in the caller's transaction.
func (s *CheckinStore) InsertMany(ctx context.Context, cs []domain.Checkin) error {
	rows := make([]checkinRow, 0, len(cs))
	for _, c := range cs {
		rows = append(rows, newCheckinRow(c))
	}
	return translate(s.DB.conn(ctx).CreateInBatches(rows, 500).Error, "checkin")
}

func newCheckinRow(c domain.Checkin) checkinRow {
	syms := make([]string, 0, len(c.Symptoms))
	for _, sym := range c.Symptoms {
		syms = append(syms, string(sym))
	}
	return checkinRow{
		TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, WorkerID: c.WorkerID, Date: nullDate(c.Date),
		Slot: string(c.Slot), Temperature: int(c.Temperature), Fever: c.Fever, Symptoms: strings.Join(syms, ","),
		HadFever: c.Fever || c.HadFever, HadSymptoms: len(c.Symptoms) > 0 || c.HadSymptoms, Due: c.Due, Late: c.Late,
		SymptomNote: c.SymptomNote, Location: string(c.Location), SubmittedBy: nullID(c.SubmittedBy),
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

// Get returns one check-in.
func (s *CheckinStore) Get(ctx context.Context, workerID int64, d domain.Date, slot domain.Slot) (domain.Checkin, error) {
	var r checkinRow
	err := s.DB.conn(ctx).Where("worker_id = ? AND date = ? AND slot = ?", workerID, d.Time(), string(slot)).Take(&r).Error
	if err != nil {
		return domain.Checkin{}, translate(err, "打卡记录")
	}
	return r.toDomain(), nil
}

// Around reads the slots before and after a day's slot with one query.
func (s *CheckinStore) Around(ctx context.Context, workerID int64, d domain.Date, slot domain.Slot) (*domain.Checkin, *domain.Checkin, error) {
	pd, ps := domain.PreviousSlot(d, slot)
	nd, ns := domain.NextSlot(d, slot)
	var rows []checkinRow
	err := s.DB.conn(ctx).Where("worker_id = ? AND ((date = ? AND slot = ?) OR (date = ? AND slot = ?))",
		workerID, pd.Time(), string(ps), nd.Time(), string(ns)).Find(&rows).Error
	if err != nil {
		return nil, nil, err
	}
	var prev, next *domain.Checkin
	for _, r := range rows {
		c := r.toDomain()
		if c.Date == pd && c.Slot == ps {
			prev = &c
		} else {
			next = &c
		}
	}
	return prev, next, nil
}

// List returns matching check-ins, newest first.
func (s *CheckinStore) List(ctx context.Context, f domain.CheckinFilter) ([]domain.Checkin, int, error) {
	q := s.DB.conn(ctx).Model(&checkinRow{})
	if f.WorkerID != 0 {
		q = q.Where("worker_id = ?", f.WorkerID)
	}
	if f.EnterpriseID != 0 {
		q = q.Where("enterprise_id = ?", f.EnterpriseID)
	}
	if !f.Date.IsZero() {
		q = q.Where("date = ?", f.Date.Time())
	}
	rows, total, err := page[checkinRow](q, "date DESC, slot DESC, id DESC", f.Page)
	return convert(rows, checkinRow.toDomain), total, err
}

// CheckedIn returns who has a check-in for a day and slot, by worker.
func (s *CheckinStore) CheckedIn(ctx context.Context, townshipID, enterpriseID int64, d domain.Date, slot domain.Slot) (map[int64]domain.Checkin, error) {
	q := s.DB.conn(ctx).Where("township_id = ? AND date = ? AND slot = ?", townshipID, d.Time(), string(slot))
	if enterpriseID != 0 {
		q = q.Where("enterprise_id = ?", enterpriseID)
	} else {
		// By the township's enterprises, so that the (enterprise_id, date) index finds the rows:
		// no index leads with township_id, and on a province's database township_id alone read
		// every check-in of the day to keep one township's (the province benchmark, issue 22).
		q = q.Where("enterprise_id IN (SELECT id FROM enterprises WHERE township_id = ?)", townshipID)
	}
	var rows []checkinRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]domain.Checkin, len(rows))
	for _, r := range rows {
		out[r.WorkerID] = r.toDomain()
	}
	return out, nil
}

// AlertStore keeps alerts, one per worker, day, type and slot.
type AlertStore struct{ DB *DB }

var _ domain.AlertStore = (*AlertStore)(nil)

type alertRow struct {
	ID           int64
	TownshipID   int64
	EnterpriseID int64
	WorkerID     int64
	Type         string
	Date         sql.NullTime
	Slot         string
	Escalated    bool
	Detail       string
	Status       string
	Note         string
	HandledBy    sql.NullInt64
	HandledAt    *time.Time
	CreatedAt    time.Time
	TakenAt      *time.Time
	ShiftID      sql.NullInt64
}

func (alertRow) TableName() string { return "alerts" }

func (r alertRow) toDomain() domain.Alert {
	return domain.Alert{
		ID: r.ID, TownshipID: r.TownshipID, EnterpriseID: r.EnterpriseID, WorkerID: r.WorkerID,
		Type: domain.AlertType(r.Type), Date: dateOf(r.Date), Slot: domain.Slot(r.Slot), Escalated: r.Escalated,
		Detail: r.Detail, Status: domain.AlertStatus(r.Status), Note: r.Note, HandledBy: r.HandledBy.Int64,
		HandledAt: r.HandledAt, CreatedAt: r.CreatedAt, TakenAt: r.TakenAt, ShiftID: r.ShiftID.Int64,
	}
}

// Raise inserts the alerts whose condition has none yet; the unique indexes decide, so that
// two processes detecting the same condition at once still raise it once. There are two: one
// condition per worker, day, type and slot, and one per enterprise, day, type and shift for
// the enterprise-wide types (alerts_enterprise_condition, migration 00017). ON CONFLICT with
// no target honours both on both engines; naming one would let the other fail the insert.
func (s *AlertStore) Raise(ctx context.Context, alerts []domain.Alert) (int, error) {
	if len(alerts) == 0 {
		return 0, nil
	}
	rows := make([]alertRow, 0, len(alerts))
	for _, a := range alerts {
		rows = append(rows, alertRow{
			TownshipID: a.TownshipID, EnterpriseID: a.EnterpriseID, WorkerID: a.WorkerID, Type: string(a.Type),
			Date: nullDate(a.Date), Slot: string(a.Slot), Escalated: a.Escalated, Detail: a.Detail,
			Status: string(domain.AlertOpen), CreatedAt: time.Now().UTC(), ShiftID: nullID(a.ShiftID),
		})
	}
	res := s.DB.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows)
	return int(res.RowsAffected), translate(res.Error, "alert")
}

// Get returns one alert.
func (s *AlertStore) Get(ctx context.Context, id int64) (domain.Alert, error) {
	var r alertRow
	if err := s.DB.conn(ctx).First(&r, id).Error; err != nil {
		return domain.Alert{}, translate(err, "预警")
	}
	return r.toDomain(), nil
}

// alertView is an alert as its list shows it: with its enterprise's name and zone, its
// worker's name, its shift's name (a density alert's) and the worker's two readings of its
// day (NULL where there is no check-in).
type alertView struct {
	Row            alertRow `gorm:"embedded"`
	EnterpriseName sql.NullString
	ZoneName       sql.NullString
	WorkerName     sql.NullString
	ShiftName      sql.NullString
	AMTemperature  sql.NullInt64 `gorm:"column:am_temperature"`
	AMFever        sql.NullBool  `gorm:"column:am_fever"`
	PMTemperature  sql.NullInt64 `gorm:"column:pm_temperature"`
	PMFever        sql.NullBool  `gorm:"column:pm_fever"`
}

func (v alertView) toDomain() domain.Alert {
	a := v.Row.toDomain()
	a.EnterpriseName, a.Zone, a.WorkerName = v.EnterpriseName.String, v.ZoneName.String, v.WorkerName.String
	a.ShiftName = v.ShiftName.String
	reading := func(t sql.NullInt64, fever sql.NullBool) *domain.AlertReading {
		if !t.Valid {
			return nil
		}
		return &domain.AlertReading{Temperature: domain.Temperature(t.Int64), Fever: fever.Bool}
	}
	a.AM, a.PM = reading(v.AMTemperature, v.AMFever), reading(v.PMTemperature, v.PMFever)
	return a
}

// List returns matching alerts, newest first, with the names and readings in the same query:
// the check-ins' unique index (worker, date, slot) finds each reading. The filters are served
// by the alerts' indexes by township or enterprise, with status and date (migration 00005).
func (s *AlertStore) List(ctx context.Context, f domain.AlertFilter) ([]domain.Alert, int, error) {
	q := s.DB.conn(ctx).Table("alerts a").
		Select(`a.*, e.name AS enterprise_name, z.name AS zone_name, w.name AS worker_name, sh.name AS shift_name,
			am.temperature AS am_temperature, am.fever AS am_fever, pm.temperature AS pm_temperature, pm.fever AS pm_fever`).
		Joins("JOIN enterprises e ON e.id = a.enterprise_id").
		Joins("LEFT JOIN zones z ON z.id = e.zone_id").
		Joins("LEFT JOIN workers w ON w.id = a.worker_id").
		Joins("LEFT JOIN shifts sh ON sh.id = a.shift_id").
		Joins("LEFT JOIN checkins am ON am.worker_id = a.worker_id AND am.date = a.date AND am.slot = 'am'").
		Joins("LEFT JOIN checkins pm ON pm.worker_id = a.worker_id AND pm.date = a.date AND pm.slot = 'pm'")
	for col, v := range map[string]int64{"a.id": f.ID, "a.township_id": f.TownshipID, "a.enterprise_id": f.EnterpriseID, "a.worker_id": f.WorkerID} {
		if v != 0 {
			q = q.Where(col+" = ?", v)
		}
	}
	if len(f.IDs) > 0 {
		q = q.Where("a.id IN ?", f.IDs)
	}
	if f.SupervisorID != 0 {
		q = q.Where("a.enterprise_id IN (SELECT enterprise_id FROM enterprise_supervisors WHERE user_id = ?)", f.SupervisorID)
	}
	if f.Zone != "" {
		q = q.Where("z.name = ?", f.Zone)
	}
	if f.Status != "" {
		q = q.Where("a.status = ?", string(f.Status))
	}
	if f.Type != "" {
		q = q.Where("a.type = ?", string(f.Type))
	}
	if !f.Date.IsZero() {
		q = q.Where("a.date = ?", f.Date.Time())
	}
	if !f.From.IsZero() {
		q = q.Where("a.date >= ?", f.From.Time())
	}
	if !f.To.IsZero() {
		q = q.Where("a.date <= ?", f.To.Time())
	}
	rows, total, err := page[alertView](q, "a.date DESC, a.id DESC", f.Page)
	return convert(rows, alertView.toDomain), total, err
}

// OfDay returns a township's alerts of a day by ID, in one query, with what the daily
// report's people sheets show of them: worker, type, slot and status (no details or handling
// notes). A busy township has a hundred thousand alerts a day after the missed-check-in sweep;
// they are scanned by hand, as GORM's reflection was most of the cost (BENCHMARKS.md).
func (s *AlertStore) OfDay(ctx context.Context, townshipID int64, d domain.Date, fn func(domain.Alert)) error {
	rows, err := s.DB.conn(ctx).Raw(`SELECT id, enterprise_id, worker_id, type, slot, status FROM alerts
		WHERE township_id = ? AND date = ? ORDER BY id`, townshipID, d.Time()).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var typ, slot, status sql.RawBytes // valid until the next row: read into the known words
	for rows.Next() {
		a := domain.Alert{TownshipID: townshipID, Date: d}
		if err := rows.Scan(&a.ID, &a.EnterpriseID, &a.WorkerID, &typ, &slot, &status); err != nil {
			return err
		}
		a.Type, a.Slot, a.Status = intern(typ, alertTypes), intern(slot, slotWords), intern(status, alertStatuses)
		fn(a)
	}
	return rows.Err()
}

// The words of the enum columns a report reads by the hundred thousand, for intern.
var (
	alertTypes = []domain.AlertType{domain.AlertFever, domain.AlertSymptoms, domain.AlertMissedCheckin,
		domain.AlertIsolationEnding, domain.AlertRepeatedFever, domain.AlertKeyAreaArrival, domain.AlertUnregisteredArrival,
		domain.AlertEarlyArrival, domain.AlertUnapprovedWork, domain.AlertShiftOverCapacity}
	alertStatuses  = []domain.AlertStatus{domain.AlertOpen, domain.AlertAcknowledged, domain.AlertResolved}
	slotWords      = []domain.Slot{domain.SlotAM, domain.SlotPM}
	riskLevels     = []domain.RiskLevel{domain.RiskHigh, domain.RiskMedium, domain.RiskLow}
	workerStatuses = []domain.WorkerStatus{domain.WorkerExpected, domain.WorkerIsolating, domain.WorkerOnDuty,
		domain.WorkerLeft, domain.WorkerInHospital}
)

// intern is the word of known that b spells, without allocating a string for it, or b as a
// new string when it is none of them.
func intern[S ~string](b []byte, known []S) S {
	for _, k := range known {
		if string(b) == string(k) {
			return k
		}
	}
	return S(b)
}

// Handle moves an alert along its lifecycle with one conditional UPDATE.
func (s *AlertStore) Handle(ctx context.Context, id int64, from []domain.AlertStatus, to domain.AlertStatus, by int64, note string, at time.Time) error {
	res := s.DB.conn(ctx).Model(&alertRow{}).Where("id = ? AND status IN ?", id, from).
		Updates(map[string]any{"status": string(to), "note": note, "handled_by": by, "handled_at": at.UTC(),
			// when it left open, for the alerts open at the end of a past day (domain.openAlerts)
			"taken_at": gorm.Expr("COALESCE(taken_at, ?)", at.UTC())})
	if res.Error != nil {
		return translate(res.Error, "预警")
	}
	if res.RowsAffected == 0 {
		return domain.ErrConflict
	}
	return nil
}

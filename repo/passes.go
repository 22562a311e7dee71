package repo

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fugong/domain"
)

// PassStore reads what the return-to-work passes depend on, four reads for any number of
// workers (the workers, two days of check-ins, unresolved alerts, revocations), and keeps
// revocations.
type PassStore struct{ DB *DB }

var _ domain.PassStore = (*PassStore)(nil)

type passWorkerRow struct {
	ID             int64
	TownshipID     int64
	EnterpriseID   int64
	EnterpriseName string
	Zone           sql.NullString
	Name           string
	Phone          string
	Department     string
	ShiftID        sql.NullInt64
	ShiftName      sql.NullString
	Status         string
	RiskLevel      string
	ArrivedOn      sql.NullTime
	IsolationStart sql.NullTime
	IsolationUntil sql.NullTime
	CreatedAt      time.Time
}

// narrow applies the filter's workers, enterprises and phone to a query of a table aliased
// alias; an empty list does not filter.
func narrow(q *gorm.DB, alias string, f domain.PassFactsFilter) *gorm.DB {
	if len(f.WorkerIDs) > 0 {
		col := alias + ".worker_id"
		if alias == "w" {
			col = "w.id"
		}
		q = q.Where(col+" IN ?", f.WorkerIDs)
	}
	if len(f.EnterpriseIDs) > 0 {
		q = q.Where(alias+".enterprise_id IN ?", f.EnterpriseIDs)
	}
	return q
}

// Facts reads the pass facts of day d of the township's workers who have not left: the
// workers first, then what else a pass reads (passExtras), narrowed to the workers found when
// they are few (a scan, a roster page).
func (s *PassStore) Facts(ctx context.Context, townshipID int64, d domain.Date, f domain.PassFactsFilter) ([]domain.PassFacts, error) {
	// Each worker goes straight into its facts. A township's roster is tens of thousands, and
	// its facts hundreds of bytes each: the slice is made its size at once when the read is
	// that big (a count first, a few milliseconds), since copying it as it grew, or from
	// blocks, was a quarter of the read (BENCHMARKS.md, daily.xlsx).
	var facts []domain.PassFacts
	if len(f.WorkerIDs) == 0 && f.Phone == "" {
		var n int64
		if err := s.workers(ctx, townshipID, f).Count(&n).Error; err != nil {
			return nil, translate(err, "职工")
		}
		facts = make([]domain.PassFacts, 0, n+n/64) // room too for a few added meanwhile
	}
	err := s.eachWorker(ctx, townshipID, f, func(w domain.Worker, zone string) error {
		facts = append(facts, domain.PassFacts{Worker: w, Zone: zone})
		return nil
	})
	if err != nil || len(facts) == 0 {
		return []domain.PassFacts{}, err
	}
	g := f
	if len(facts) <= 500 {
		g = domain.PassFactsFilter{WorkerIDs: make([]int64, len(facts))}
		for i := range facts {
			g.WorkerIDs[i] = facts[i].Worker.ID
		}
	}
	x, err := s.extras(ctx, townshipID, d, g)
	if err != nil {
		return nil, err
	}
	for i := range facts {
		x.fill(&facts[i])
	}
	return facts, nil
}

// EachColorFacts calls fn with the facts of a pass's colour of day d of each of the
// township's workers who have not left that f selects (domain.PassStore), holding none: what
// else a pass reads is read first, and the workers stream by, each with only the columns the
// colour reads, their enterprise's name and zone from a map of the township's enterprises. For
// a township, reading every worker's whole row, joined to their enterprise, zone and shift,
// into one slice was the longest read of the daily report (BENCHMARKS.md, daily.xlsx). A filter
// by workers or phone, which selects a few, is Facts.
func (s *PassStore) EachColorFacts(ctx context.Context, townshipID int64, d domain.Date, f domain.PassFactsFilter,
	fn func(*domain.PassFacts) error) error {
	if len(f.WorkerIDs) > 0 || f.Phone != "" {
		facts, err := s.Facts(ctx, townshipID, d, f)
		for i := 0; err == nil && i < len(facts); i++ {
			err = fn(&facts[i])
		}
		return err
	}
	places, err := s.places(ctx, townshipID)
	if err != nil {
		return err
	}
	x, err := s.extras(ctx, townshipID, d, f)
	if err != nil {
		return err
	}
	q := s.workers(ctx, townshipID, f).Select("w.id, w.enterprise_id, w.status, w.risk_level, w.arrived_on")
	var pf domain.PassFacts
	var id, enterpriseID int64
	var status, risk string
	var arrived sql.NullTime
	err = s.DB.eachRow(ctx, q, func(scan func(...any) error) error {
		if err := scan(&id, &enterpriseID, &status, &risk, &arrived); err != nil {
			return err
		}
		p := places[enterpriseID]
		pf = domain.PassFacts{Worker: domain.Worker{ID: id, TownshipID: townshipID, EnterpriseID: enterpriseID,
			EnterpriseName: p.name, Status: domain.WorkerStatus(status), RiskLevel: domain.RiskLevel(risk),
			ArrivedOn: dateOf(arrived)}, Zone: p.zone}
		x.fill(&pf)
		return fn(&pf)
	})
	return translate(err, "职工")
}

// place is an enterprise's name and zone.
type place struct{ name, zone string }

// places reads the township's enterprises' names and zones, by ID.
func (s *PassStore) places(ctx context.Context, townshipID int64) (map[int64]place, error) {
	var rows []struct {
		ID   int64
		Name string
		Zone sql.NullString
	}
	err := s.DB.conn(ctx).Table("enterprises e").Select("e.id, e.name, z.name AS zone").
		Joins("LEFT JOIN zones z ON z.id = e.zone_id").Where("e.township_id = ?", townshipID).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "企业")
	}
	out := make(map[int64]place, len(rows))
	for _, r := range rows {
		out[r.ID] = place{name: r.Name, zone: r.Zone.String}
	}
	return out, nil
}

// workers is the query of the township's workers (who have not left) that f narrows to.
func (s *PassStore) workers(ctx context.Context, townshipID int64, f domain.PassFactsFilter) *gorm.DB {
	q := narrow(s.DB.conn(ctx).Table("workers w").Where("w.township_id = ? AND w.status <> 'left'", townshipID), "w", f)
	if f.Phone != "" {
		q = q.Where("w.phone = ?", f.Phone)
	}
	return q
}

// eachWorker reads the workers f selects, by ID, each with their enterprise's zone.
func (s *PassStore) eachWorker(ctx context.Context, townshipID int64, f domain.PassFactsFilter,
	fn func(w domain.Worker, zone string) error) error {
	q := s.workers(ctx, townshipID, f).Select(`w.id, w.township_id, w.enterprise_id, e.name AS enterprise_name, z.name AS zone,
		w.name, w.phone, w.department, w.shift_id, sh.name AS shift_name, w.status, w.risk_level, w.arrived_on,
		w.isolation_start, w.isolation_until, w.created_at`).
		Joins("JOIN enterprises e ON e.id = w.enterprise_id").
		Joins("LEFT JOIN zones z ON z.id = e.zone_id").
		Joins("LEFT JOIN shifts sh ON sh.id = w.shift_id")
	var r passWorkerRow
	dest := []any{&r.ID, &r.TownshipID, &r.EnterpriseID, &r.EnterpriseName, &r.Zone, &r.Name, &r.Phone, &r.Department,
		&r.ShiftID, &r.ShiftName, &r.Status, &r.RiskLevel, &r.ArrivedOn, &r.IsolationStart, &r.IsolationUntil, &r.CreatedAt}
	err := s.DB.eachRow(ctx, q.Order("w.id"), func(scan func(...any) error) error {
		if err := scan(dest...); err != nil {
			return err
		}
		return fn(r.toDomain(), r.Zone.String)
	})
	return translate(err, "职工")
}

func (r passWorkerRow) toDomain() domain.Worker {
	return domain.Worker{
		ID: r.ID, TownshipID: r.TownshipID, EnterpriseID: r.EnterpriseID, EnterpriseName: r.EnterpriseName, Name: r.Name,
		Phone: r.Phone, Department: r.Department, ShiftID: r.ShiftID.Int64, ShiftGroup: r.ShiftName.String,
		Status: domain.WorkerStatus(r.Status), RiskLevel: domain.RiskLevel(r.RiskLevel), ArrivedOn: dateOf(r.ArrivedOn),
		IsolationStart: dateOf(r.IsolationStart), IsolationUntil: dateOf(r.IsolationUntil), CreatedAt: r.CreatedAt,
	}
}

// passExtras are what a pass reads beside its worker's row, by worker: their check-ins of the
// day and the day before, the types of their alerts not resolved, their revocation.
type passExtras struct {
	reports    map[int64][]domain.Checkin
	unresolved map[int64][]domain.AlertType
	revoked    map[int64]*domain.Revocation
}

// fill puts a worker's extras into their facts.
func (x passExtras) fill(pf *domain.PassFacts) {
	id := pf.Worker.ID
	pf.Reports, pf.Unresolved, pf.Revoked = x.reports[id], x.unresolved[id], x.revoked[id]
}

// extras reads the passes' extras of the workers f selects.
func (s *PassStore) extras(ctx context.Context, townshipID int64, d domain.Date, f domain.PassFactsFilter) (passExtras, error) {
	var x passExtras
	var err error
	if x.reports, err = s.reports(ctx, townshipID, d, f); err != nil {
		return x, err
	}
	if x.unresolved, err = s.unresolved(ctx, townshipID, f); err != nil {
		return x, err
	}
	x.revoked, err = s.revocations(ctx, townshipID, f)
	return x, err
}

// passReportRow is what a pass and the gate read of a check-in: no symptoms list, notes or
// bookkeeping, which were most of the time of reading a township's two days.
type passReportRow struct {
	WorkerID    int64
	Date        sql.NullTime
	Slot        string
	Temperature int
	HadFever    bool
	HadSymptoms bool
	Location    string
	UpdatedAt   time.Time
}

// reports reads the check-ins of d and the day before, by worker.
func (s *PassStore) reports(ctx context.Context, townshipID int64, d domain.Date, f domain.PassFactsFilter) (map[int64][]domain.Checkin, error) {
	// By enterprise and date, the index check-ins have (checkins_enterprise_date); by
	// township alone it was a scan of every check-in kept.
	q := s.DB.conn(ctx).Table("checkins c").
		Select("c.worker_id, c.date, c.slot, c.temperature, c.had_fever, c.had_symptoms, c.location, c.updated_at").
		Where("c.enterprise_id IN (SELECT id FROM enterprises WHERE township_id = ?) AND c.date >= ? AND c.date <= ?",
			townshipID, d.AddDays(-1).Time(), d.Time())
	out := map[int64][]domain.Checkin{}
	var slab reportSlab
	var r passReportRow
	dest := []any{&r.WorkerID, &r.Date, &r.Slot, &r.Temperature, &r.HadFever, &r.HadSymptoms, &r.Location, &r.UpdatedAt}
	err := s.DB.eachRow(ctx, narrow(q, "c", f), func(scan func(...any) error) error {
		if err := scan(dest...); err != nil {
			return err
		}
		reports, ok := out[r.WorkerID]
		if !ok {
			reports = slab.take()
		}
		out[r.WorkerID] = append(reports, domain.Checkin{WorkerID: r.WorkerID, Date: dateOf(r.Date),
			Slot: domain.Slot(r.Slot), Temperature: domain.Temperature(r.Temperature), HadFever: r.HadFever,
			HadSymptoms: r.HadSymptoms, Location: domain.Location(r.Location), UpdatedAt: r.UpdatedAt})
		return nil
	})
	return out, translate(err, "打卡记录")
}

// reportSlab hands out the room for a worker's check-ins of two days: two of them at first,
// cut from one big block rather than each worker's own small slices (which grew one, two,
// four: most of the allocations of reading a township's check-ins).
type reportSlab struct{ free []domain.Checkin }

// slabReports is how many check-ins a block of reportSlab holds.
const slabReports = 2048

func (s *reportSlab) take() []domain.Checkin {
	if len(s.free) < 2 {
		s.free = make([]domain.Checkin, slabReports)
	}
	out := s.free[:0:2]
	s.free = s.free[2:]
	return out
}

// unresolved reads the types of the alerts not resolved that a pass depends on, by worker.
func (s *PassStore) unresolved(ctx context.Context, townshipID int64, f domain.PassFactsFilter) (map[int64][]domain.AlertType, error) {
	var rows []struct {
		WorkerID int64
		Type     string
	}
	q := s.DB.conn(ctx).Table("alerts a").Select("DISTINCT a.worker_id, a.type").
		Where("a.township_id = ? AND a.status <> 'resolved' AND a.type IN ?", townshipID,
			[]string{string(domain.AlertRepeatedFever), string(domain.AlertDiscrepancy)})
	if err := narrow(q, "a", f).Scan(&rows).Error; err != nil {
		return nil, translate(err, "预警")
	}
	out := make(map[int64][]domain.AlertType, len(rows))
	for _, r := range rows {
		out[r.WorkerID] = append(out[r.WorkerID], domain.AlertType(r.Type))
	}
	return out, nil
}

type revocationRow struct {
	WorkerID     int64
	TownshipID   int64
	EnterpriseID int64
	Reason       string
	RevokedBy    int64
	RevokedAt    time.Time
}

func (revocationRow) TableName() string { return "pass_revocations" }

// revocations reads the revoked passes, with who revoked them, by worker.
func (s *PassStore) revocations(ctx context.Context, townshipID int64, f domain.PassFactsFilter) (map[int64]*domain.Revocation, error) {
	var rows []struct {
		Row         revocationRow `gorm:"embedded"` // named: GORM skips an embedded unexported type
		RevokerName sql.NullString
	}
	q := s.DB.conn(ctx).Table("pass_revocations r").Select("r.*, u.name AS revoker_name").
		Joins("LEFT JOIN users u ON u.id = r.revoked_by").Where("r.township_id = ?", townshipID)
	if err := narrow(q, "r", f).Scan(&rows).Error; err != nil {
		return nil, translate(err, "复工码")
	}
	out := make(map[int64]*domain.Revocation, len(rows))
	for _, r := range rows {
		v := r.Row
		out[v.WorkerID] = &domain.Revocation{WorkerID: v.WorkerID, TownshipID: v.TownshipID, EnterpriseID: v.EnterpriseID,
			Reason: v.Reason, RevokedBy: v.RevokedBy, RevokedByName: r.RevokerName.String, RevokedAt: v.RevokedAt}
	}
	return out, nil
}

// Revoke keeps a revocation, replacing the worker's earlier one.
func (s *PassStore) Revoke(ctx context.Context, r domain.Revocation) error {
	row := revocationRow{WorkerID: r.WorkerID, TownshipID: r.TownshipID, EnterpriseID: r.EnterpriseID, Reason: r.Reason,
		RevokedBy: r.RevokedBy, RevokedAt: r.RevokedAt.UTC()}
	err := s.DB.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "worker_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"reason", "revoked_by", "revoked_at"}),
	}).Create(&row).Error
	return translate(err, "复工码")
}

// Restore removes a worker's revocation and says whether there was one.
func (s *PassStore) Restore(ctx context.Context, workerID int64) (bool, error) {
	res := s.DB.conn(ctx).Where("worker_id = ?", workerID).Delete(&revocationRow{})
	return res.RowsAffected > 0, translate(res.Error, "复工码")
}

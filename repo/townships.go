package repo

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"gorm.io/gorm"

	"fugong/domain"
)

// TownshipStore keeps townships, their zones and key areas.
type TownshipStore struct{ DB *DB }

var _ domain.TownshipStore = (*TownshipStore)(nil)

type townshipRow struct {
	ID               int64
	Name             string
	Code             string
	Population       int
	Timezone         string
	FeverThreshold   float64
	IsolationDays    int
	CheckinCutoffAM  string `gorm:"column:checkin_cutoff_am"`
	CheckinCutoffPM  string `gorm:"column:checkin_cutoff_pm"`
	IsolationLevels  string // comma-separated risk levels
	RetentionDays    int
	PassRules        string // the rules that differ from the defaults (domain.PassRules.String)
	SpotCheckPercent int
	RemindMinutes    int
	SummaryAt        string
	FeverAdvice      string
	PurgedBefore     sql.NullTime
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (townshipRow) TableName() string { return "townships" }

func newTownshipRow(t domain.Township) townshipRow {
	return townshipRow{
		ID: t.ID, Name: t.Name, Code: t.Code, Population: t.Population, Timezone: t.Timezone,
		FeverThreshold: t.Policy.FeverThreshold, IsolationDays: t.Policy.IsolationDays,
		CheckinCutoffAM: t.Policy.CutoffAM, CheckinCutoffPM: t.Policy.CutoffPM,
		IsolationLevels: joinLevels(t.Policy.IsolationLevels), RetentionDays: t.Policy.RetentionDays,
		PassRules: t.Policy.PassRules.String(), SpotCheckPercent: t.Policy.SpotCheckPercent,
		RemindMinutes: t.Policy.RemindMinutes, SummaryAt: t.Policy.SummaryAt, FeverAdvice: t.Policy.FeverAdvice,
		PurgedBefore: nullDate(t.PurgedBefore), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

func joinLevels(ls []domain.RiskLevel) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		parts = append(parts, string(l))
	}
	return strings.Join(parts, ",")
}

func splitLevels(s string) []domain.RiskLevel {
	var out []domain.RiskLevel
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, domain.RiskLevel(p))
		}
	}
	return out
}

func (r townshipRow) toDomain() domain.Township {
	return domain.Township{
		ID: r.ID, Name: r.Name, Code: r.Code, Population: r.Population, Timezone: r.Timezone,
		Policy: domain.Policy{
			FeverThreshold: r.FeverThreshold, IsolationDays: r.IsolationDays,
			CutoffAM: r.CheckinCutoffAM, CutoffPM: r.CheckinCutoffPM, IsolationLevels: splitLevels(r.IsolationLevels),
			RetentionDays: r.RetentionDays, PassRules: domain.ParsePassRules(r.PassRules), SpotCheckPercent: r.SpotCheckPercent,
			RemindMinutes: r.RemindMinutes, SummaryAt: r.SummaryAt, FeverAdvice: r.FeverAdvice,
		},
		PurgedBefore: dateOf(r.PurgedBefore), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

type zoneRow struct {
	ID         int64
	TownshipID int64
	Name       string
	Position   int
}

func (zoneRow) TableName() string { return "zones" }

type keyAreaRow struct {
	TownshipID int64
	RegionCode string
	RiskLevel  string
}

func (keyAreaRow) TableName() string { return "key_areas" }

// Create inserts a township with its zones and key areas, in the caller's transaction if any.
func (s *TownshipStore) Create(ctx context.Context, t *domain.Township) error {
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		row := newTownshipRow(*t)
		if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
			return translate(err, "township")
		}
		t.ID = row.ID
		for i, z := range t.Zones {
			if err := s.insertZone(ctx, t.ID, z.Name, i); err != nil {
				return err
			}
		}
		return s.saveKeyAreas(ctx, t.ID, t.KeyAreas)
	})
}

// Get returns a township with its zones (and how many enterprises each has) and key areas.
func (s *TownshipStore) Get(ctx context.Context, id int64) (domain.Township, error) {
	var row townshipRow
	if err := s.DB.conn(ctx).First(&row, id).Error; err != nil {
		return domain.Township{}, translate(err, "乡镇")
	}
	out := []domain.Township{row.toDomain()}
	if err := s.fill(ctx, out); err != nil {
		return domain.Township{}, err
	}
	return out[0], nil
}

// List returns a page of townships by ID, with their zones and key areas.
func (s *TownshipStore) List(ctx context.Context, page domain.Page) ([]domain.Township, int, error) {
	db := s.DB.conn(ctx)
	var total int64
	if err := db.Model(&townshipRow{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []townshipRow
	if err := db.Order("id").Limit(page.Limit).Offset(page.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]domain.Township, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toDomain())
	}
	if err := s.fill(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, int(total), nil
}

// fill loads the zones and key areas of ts with one query each.
func (s *TownshipStore) fill(ctx context.Context, ts []domain.Township) error {
	if len(ts) == 0 {
		return nil
	}
	db := s.DB.conn(ctx)
	idx := make(map[int64]int, len(ts))
	ids := make([]int64, 0, len(ts))
	for i := range ts {
		idx[ts[i].ID] = i
		ids = append(ids, ts[i].ID)
		ts[i].Zones, ts[i].KeyAreas = []domain.Zone{}, []domain.KeyArea{}
	}
	var zones []struct {
		ID, TownshipID int64
		Name           string
		Enterprises    int
	}
	// The zone's township in the count too: the index is (township_id, zone_id), and by
	// zone_id alone each count read the whole index (2 s for a province's 10,000 zones).
	err := db.Table("zones z").
		Select("z.id, z.township_id, z.name, (SELECT COUNT(*) FROM enterprises e WHERE e.township_id = z.township_id AND e.zone_id = z.id) AS enterprises").
		Where("z.township_id IN ?", ids).Order("z.position, z.id").Scan(&zones).Error
	if err != nil {
		return err
	}
	for _, z := range zones {
		t := &ts[idx[z.TownshipID]]
		t.Zones = append(t.Zones, domain.Zone{ID: z.ID, Name: z.Name, Enterprises: z.Enterprises})
	}
	var areas []keyAreaRow
	if err := db.Where("township_id IN ?", ids).Order("region_code").Find(&areas).Error; err != nil {
		return err
	}
	for _, a := range areas {
		t := &ts[idx[a.TownshipID]]
		t.KeyAreas = append(t.KeyAreas, domain.KeyArea{RegionCode: a.RegionCode, RiskLevel: domain.RiskLevel(a.RiskLevel)})
	}
	return nil
}

// Update saves a township's fields and policy and replaces its key areas and zones.
func (s *TownshipStore) Update(ctx context.Context, t domain.Township) error {
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		row := newTownshipRow(t)
		res := db.Model(&townshipRow{ID: t.ID}).Select("name", "population", "timezone",
			"fever_threshold", "isolation_days", "checkin_cutoff_am", "checkin_cutoff_pm", "isolation_levels", "retention_days", "pass_rules", "spot_check_percent",
			"remind_minutes", "summary_at", "fever_advice", "updated_at").
			Updates(&row)
		if res.Error != nil {
			return translate(res.Error, "乡镇")
		}
		if res.RowsAffected == 0 {
			return domain.NotFound("乡镇")
		}
		if err := db.Where("township_id = ?", t.ID).Delete(&keyAreaRow{}).Error; err != nil {
			return err
		}
		if err := s.saveKeyAreas(ctx, t.ID, t.KeyAreas); err != nil {
			return err
		}
		return s.replaceZones(ctx, t.ID, t.Zones)
	})
}

// replaceZones deletes the zones not in want (failing with ErrConflict while enterprises still
// use one), renames and reorders the kept ones, and inserts the new ones.
func (s *TownshipStore) replaceZones(ctx context.Context, townshipID int64, want []domain.Zone) error {
	db := s.DB.conn(ctx)
	keep := []int64{0}
	for _, z := range want {
		if z.ID != 0 {
			keep = append(keep, z.ID)
		}
	}
	if err := db.Where("township_id = ? AND id NOT IN ?", townshipID, keep).Delete(&zoneRow{}).Error; err != nil {
		return translate(err, "zone")
	}
	// Move kept zones out of the way first, so that a rename onto a name another kept zone
	// gives up does not trip the unique (township_id, name) index half-way.
	if err := db.Model(&zoneRow{}).Where("township_id = ?", townshipID).
		Update("name", gorm.Expr("'~' || CAST(id AS TEXT)")).Error; err != nil {
		return err
	}
	for i, z := range want {
		if z.ID == 0 {
			continue
		}
		if err := db.Model(&zoneRow{ID: z.ID}).Updates(map[string]any{"name": z.Name, "position": i}).Error; err != nil {
			return translate(err, "zone")
		}
	}
	for i, z := range want {
		if z.ID == 0 {
			if err := s.insertZone(ctx, townshipID, z.Name, i); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *TownshipStore) insertZone(ctx context.Context, townshipID int64, name string, pos int) error {
	row := zoneRow{TownshipID: townshipID, Name: name, Position: pos}
	return translate(s.DB.conn(ctx).Create(&row).Error, "zone")
}

func (s *TownshipStore) saveKeyAreas(ctx context.Context, townshipID int64, areas []domain.KeyArea) error {
	if len(areas) == 0 {
		return nil
	}
	rows := make([]keyAreaRow, 0, len(areas))
	for _, a := range areas {
		rows = append(rows, keyAreaRow{TownshipID: townshipID, RegionCode: a.RegionCode, RiskLevel: string(a.RiskLevel)})
	}
	return translate(s.DB.conn(ctx).Create(&rows).Error, "key area")
}

package repo

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"fugong/domain"
)

// GetByID returns one check-in.
func (s *CheckinStore) GetByID(ctx context.Context, id int64) (domain.Checkin, error) {
	var r checkinRow
	if err := s.DB.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.Checkin{}, translate(err, "打卡记录")
	}
	return r.toDomain(), nil
}

// readingRow is a row of checkin_readings with the name of the staff user who sent it.
type readingRow struct {
	ID             int64
	CheckinID      int64
	Temperature    int
	Fever          bool
	Symptoms       string
	SymptomNote    string
	Location       string
	SubmittedBy    sql.NullInt64
	SubmitterName  sql.NullString
	CorrectionNote string
	At             time.Time
}

func (r readingRow) toDomain() domain.Reading {
	out := domain.Reading{ID: r.ID, CheckinID: r.CheckinID, Temperature: domain.Temperature(r.Temperature), Fever: r.Fever,
		SymptomNote: r.SymptomNote, Location: domain.Location(r.Location), SubmittedBy: r.SubmittedBy.Int64,
		SubmittedByName: r.SubmitterName.String, CorrectionNote: r.CorrectionNote, At: r.At, Symptoms: []domain.Symptom{}}
	for _, s := range strings.Split(r.Symptoms, ",") {
		if s != "" {
			out.Symptoms = append(out.Symptoms, domain.Symptom(s))
		}
	}
	return out
}

// Readings returns a slot's readings, oldest first.
func (s *CheckinStore) Readings(ctx context.Context, checkinID int64) ([]domain.Reading, error) {
	var rows []readingRow
	err := s.DB.conn(ctx).Raw(`SELECT r.id, r.checkin_id, r.temperature, r.fever, r.symptoms, r.symptom_note, r.location,
			r.submitted_by, COALESCE(NULLIF(u.name, ''), u.username) AS submitter_name, r.correction_note, r.at
		FROM checkin_readings r LEFT JOIN users u ON u.id = r.submitted_by
		WHERE r.checkin_id = ? ORDER BY r.id`, checkinID).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	return convert(rows, readingRow.toDomain), nil
}

// Correct writes a corrected reading over the slot's with one UPDATE; the statistics and the
// reading's history follow by the triggers, as for any reading.
func (s *CheckinStore) Correct(ctx context.Context, c domain.Checkin) error {
	row := newCheckinRow(c)
	res := s.DB.conn(ctx).Exec(`UPDATE checkins SET temperature = ?, fever = ?, had_fever = ?, symptoms = ?,
			had_symptoms = ?, symptom_note = ?, correction_note = ?, submitted_by = ?, updated_at = ?
		WHERE id = ?`, row.Temperature, c.Fever, c.HadFever, row.Symptoms, c.HadSymptoms, row.SymptomNote,
		c.CorrectionNote, nullID(c.SubmittedBy), c.UpdatedAt.UTC(), c.ID)
	if res.Error != nil {
		return translate(res.Error, "打卡记录")
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("打卡记录")
	}
	return nil
}

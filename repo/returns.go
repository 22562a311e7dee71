package repo

import (
	"context"
	"database/sql"

	"fugong/domain"
)

// ReturnStore reads the batches and the workers' arrival columns that the plan-against-actual
// figures count (domain.ReturnOn), one query each for a whole township.
type ReturnStore struct{ DB *DB }

var _ domain.ReturnStore = (*ReturnStore)(nil)

// returnScope narrows a table's rows, by its township_id and enterprise_id columns, to the
// filter's enterprises.
func returnScope(f domain.ReturnFilter, args map[string]any) string {
	args["t"] = f.TownshipID
	where := "township_id = @t" + scope(f.StatsFilter, "enterprise_id", args)
	if f.EnterpriseID != 0 {
		where += " AND enterprise_id = @e"
		args["e"] = f.EnterpriseID
	}
	return where
}

// Batches returns the filter's enterprises' batches by enterprise and number.
func (s *ReturnStore) Batches(ctx context.Context, f domain.ReturnFilter) ([]domain.ReturnBatch, error) {
	args := map[string]any{}
	var rows []batchRead
	err := s.DB.conn(ctx).Raw(`SELECT * FROM return_batches WHERE `+returnScope(f, args)+
		` ORDER BY enterprise_id, number`, args).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "返岗批次")
	}
	return convert(rows, batchRead.toDomain), nil
}

type returnWorkerRow struct {
	EnterpriseID int64
	BatchID      sql.NullInt64
	ArrivedOn    sql.NullTime
	Status       string
	LeftOn       sql.NullTime
}

// Workers returns the filter's enterprises' workers but those who left on or before since, by
// enterprise.
func (s *ReturnStore) Workers(ctx context.Context, f domain.ReturnFilter, since domain.Date) ([]domain.ReturnWorker, error) {
	args := map[string]any{"since": since.Time()}
	var rows []returnWorkerRow
	err := s.DB.conn(ctx).Raw(`SELECT enterprise_id, batch_id, arrived_on, status, left_on FROM workers WHERE `+
		returnScope(f, args)+` AND (status <> 'left' OR left_on > @since) ORDER BY enterprise_id, id`, args).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "职工")
	}
	return convert(rows, func(r returnWorkerRow) domain.ReturnWorker {
		return domain.ReturnWorker{EnterpriseID: r.EnterpriseID, BatchID: r.BatchID.Int64, ArrivedOn: dateOf(r.ArrivedOn),
			Status: domain.WorkerStatus(r.Status), LeftOn: dateOf(r.LeftOn)}
	}), nil
}

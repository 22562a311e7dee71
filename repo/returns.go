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

// Workers returns the filter's enterprises' workers but those who left on or before since, by
// enterprise, grouped by what the figures read of them: a township's 50,000 people are a few
// hundred groups (a worker's batch, arrival, status and leaving), where reading them one by
// one sorted 50,000 rows on disk for the daily report (BENCHMARKS.md, daily.xlsx).
func (s *ReturnStore) Workers(ctx context.Context, f domain.ReturnFilter, since domain.Date) ([]domain.ReturnWorker, error) {
	args := map[string]any{"since": since.Time()}
	q := s.DB.conn(ctx).Raw(`SELECT enterprise_id, batch_id, arrived_on, status, left_on, COUNT(*) FROM workers WHERE `+
		returnScope(f, args)+` AND (status <> 'left' OR left_on > @since)
		GROUP BY enterprise_id, batch_id, arrived_on, status, left_on
		ORDER BY enterprise_id, batch_id, arrived_on, status, left_on`, args)
	var out rowBlocks[domain.ReturnWorker]
	var batch sql.NullInt64
	var arrived, left sql.NullTime
	var status string
	err := s.DB.eachRow(ctx, q, func(scan func(...any) error) error {
		w := out.next()
		if err := scan(&w.EnterpriseID, &batch, &arrived, &status, &left, &w.People); err != nil {
			return err
		}
		w.BatchID, w.ArrivedOn, w.Status, w.LeftOn = batch.Int64, dateOf(arrived), domain.WorkerStatus(status), dateOf(left)
		return nil
	})
	if err != nil {
		return nil, translate(err, "职工")
	}
	return out.all(), nil
}

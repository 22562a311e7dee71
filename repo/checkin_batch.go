package repo

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"

	"fugong/domain"
)

// checkinBatcher writes concurrent check-ins together (group commit). Each phone's report is
// one statement (Upsert); under a morning burst many wait for the database at once, and each
// statement pays its own round trip, plan, trigger call and commit. The batcher's writers
// take what is waiting, up to maxBatch reports, and write them with one multi-row upsert in
// its own transaction; every caller gets its answer only after that commit, as before. When
// nothing waits, a report goes alone at once: no delay is added to gather more.
type checkinBatcher struct {
	db    *DB
	queue chan *batchedCheckin
	once  sync.Once
}

// maxBatch and batchWriters bound a statement's size and how many run at once.
const (
	maxBatch     = 64
	batchWriters = 4
)

type batchedCheckin struct {
	ctx  context.Context
	row  checkinRow
	at   time.Time
	done chan batchResult
}

type batchResult struct {
	id                   int64
	location             string
	createdAt, updatedAt time.Time
	found                bool
	err                  error
}

type batchKey struct {
	worker int64
	date   string
	slot   string
}

func (b *batchedCheckin) key() batchKey {
	return batchKey{b.row.WorkerID, b.row.Date.Time.Format(time.DateOnly), b.row.Slot}
}

// upsert queues a check-in and waits for its batch's commit.
func (b *checkinBatcher) upsert(ctx context.Context, row checkinRow, at time.Time) (batchResult, error) {
	b.once.Do(func() {
		b.queue = make(chan *batchedCheckin, 4096)
		for range batchWriters {
			go b.write()
		}
	})
	req := &batchedCheckin{ctx: ctx, row: row, at: at, done: make(chan batchResult, 1)}
	select {
	case b.queue <- req:
	case <-ctx.Done():
		return batchResult{}, ctx.Err()
	}
	select {
	case r := <-req.done:
		return r, r.err
	case <-ctx.Done():
		// The batch may still commit it: the caller is gone, as when a phone gives up.
		return batchResult{}, ctx.Err()
	}
}

// write is one writer: it takes the first waiting report and whatever else waits, and writes
// them. Two reports of the same slot cannot be in one statement (an upsert may not touch a
// row twice): the later one goes in the next batch.
func (b *checkinBatcher) write() {
	var later []*batchedCheckin
	for {
		var batch []*batchedCheckin
		if len(later) > 0 {
			batch, later = later[:1], later[1:]
		} else {
			batch = []*batchedCheckin{<-b.queue}
		}
		keys := map[batchKey]bool{batch[0].key(): true}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-b.queue:
				if keys[r.key()] {
					later = append(later, r)
					continue
				}
				keys[r.key()] = true
				batch = append(batch, r)
			default:
				break gather
			}
		}
		b.flush(batch)
	}
}

// flush writes one batch with one statement and answers every report in it.
func (b *checkinBatcher) flush(batch []*batchedCheckin) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- batchResult{err: err} // given up before it was written: not written
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	results, err := b.exec(live)
	for _, r := range live {
		res := results[r.key()]
		res.err = err
		r.done <- res
	}
}

// exec runs the multi-row upsert. Like Upsert, each row is made from its worker's own, so a
// report of someone not on that roster (or who left) comes back without a row.
func (b *checkinBatcher) exec(batch []*batchedCheckin) (map[batchKey]batchResult, error) {
	var values strings.Builder
	args := make([]any, 0, 12*len(batch))
	for i, r := range batch {
		if i > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(?::bigint, ?::bigint, ?::bigint, ?::date, ?, ?::smallint, ?::boolean, ?, ?, ?, ?::bigint, ?::timestamptz)")
		row := r.row
		args = append(args, row.WorkerID, row.EnterpriseID, row.TownshipID, row.Date.Time, row.Slot, row.Temperature,
			row.Fever, row.Symptoms, row.SymptomNote, row.Location, row.SubmittedBy, r.at)
	}
	q := `INSERT INTO checkins (township_id, enterprise_id, worker_id, date, slot, temperature, fever, symptoms,
			symptom_note, location, submitted_by, created_at, updated_at)
		SELECT w.township_id, w.enterprise_id, w.id, v.date, v.slot, v.temperature, v.fever, v.symptoms, v.symptom_note,
			CASE WHEN v.location <> '' THEN v.location WHEN w.status = 'isolating' THEN 'isolation' ELSE 'work' END,
			v.submitted_by, v.at, v.at
		FROM (VALUES ` + values.String() + `) AS v (worker_id, enterprise_id, township_id, date, slot, temperature, fever,
			symptoms, symptom_note, location, submitted_by, at)
		JOIN workers w ON w.id = v.worker_id AND w.enterprise_id = v.enterprise_id AND w.township_id = v.township_id
			AND w.status <> 'left'
		ON CONFLICT (worker_id, date, slot) DO UPDATE SET temperature = excluded.temperature, fever = excluded.fever,
			symptoms = excluded.symptoms, symptom_note = excluded.symptom_note, location = excluded.location,
			submitted_by = excluded.submitted_by, updated_at = excluded.updated_at
		RETURNING worker_id, date, slot, id, location, created_at, updated_at`
	var rows []struct {
		WorkerID             int64
		Date                 sql.NullTime
		Slot                 string
		ID                   int64
		Location             string
		CreatedAt, UpdatedAt time.Time
	}
	// Its own context: the batch is everyone's, and one caller leaving must not undo the others.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.db.conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "checkin")
	}
	out := make(map[batchKey]batchResult, len(rows))
	for _, r := range rows {
		out[batchKey{r.WorkerID, r.Date.Time.Format(time.DateOnly), r.Slot}] = batchResult{
			id: r.ID, location: r.Location, createdAt: r.CreatedAt, updatedAt: r.UpdatedAt, found: true}
	}
	return out, nil
}

// upsertBatched is Upsert through the batcher: on PostgreSQL, outside a transaction.
func (s *CheckinStore) upsertBatched(ctx context.Context, c *domain.Checkin) (bool, error) {
	row := newCheckinRow(*c)
	res, err := s.batch.upsert(ctx, row, time.Now().UTC())
	if err != nil {
		return false, err
	}
	if !res.found {
		return false, domain.NotFound("职工")
	}
	c.ID, c.Location, c.CreatedAt, c.UpdatedAt = res.id, domain.Location(res.location), res.createdAt, res.updatedAt
	return res.createdAt.Equal(res.updatedAt), nil
}

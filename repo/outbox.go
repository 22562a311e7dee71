package repo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fugong/domain"
)

// OutboxStore keeps the outbox (migration 00020): events, and the messages made of them.
// Several processes may dispatch at once; what one works on it holds by a lease
// (claimed_until), which the others skip and which frees itself if the process dies.
type OutboxStore struct{ DB *DB }

var _ domain.OutboxStore = (*OutboxStore)(nil)

type eventRow struct {
	ID           int64
	TownshipID   int64
	Kind         string
	AlertID      sql.NullInt64
	Day          sql.NullTime
	Slot         string
	Key          string
	CreatedAt    time.Time
	ClaimedUntil sql.NullTime
	DoneAt       sql.NullTime
}

func (eventRow) TableName() string { return "outbox_events" }

func (r eventRow) toDomain() domain.Event {
	return domain.Event{
		ID: r.ID, TownshipID: r.TownshipID, Kind: domain.EventKind(r.Kind), AlertID: r.AlertID.Int64,
		Day: dateOf(r.Day), Slot: domain.Slot(r.Slot), Key: r.Key, CreatedAt: r.CreatedAt,
	}
}

type messageRow struct {
	ID            int64
	TownshipID    int64
	ChannelID     int64
	EventID       sql.NullInt64
	Type          string
	Key           string
	EnterpriseID  sql.NullInt64
	Title         string
	Markdown      string
	MentionPhones string // comma-separated
	Status        string
	Attempts      int
	NextAt        time.Time
	GiveUpAt      time.Time
	ClaimedUntil  sql.NullTime
	MergedInto    sql.NullInt64
	LastStatus    int
	LastCode      int
	LastError     string
	CreatedAt     time.Time
	SentAt        sql.NullTime
}

func (messageRow) TableName() string { return "messages" }

// messageView is a message with its channel's name and platform.
type messageView struct {
	Row         messageRow `gorm:"embedded"`
	ChannelName sql.NullString
	ChannelKind sql.NullString
}

func (v messageView) toDomain() domain.Message {
	r := v.Row
	return domain.Message{
		ID: r.ID, TownshipID: r.TownshipID, ChannelID: r.ChannelID, EventID: r.EventID.Int64,
		Type: domain.MessageType(r.Type), Key: r.Key, EnterpriseID: r.EnterpriseID.Int64, Title: r.Title,
		Markdown: r.Markdown, MentionPhones: splitList(r.MentionPhones), Status: domain.MessageStatus(r.Status),
		Attempts: r.Attempts, NextAt: r.NextAt, GiveUpAt: r.GiveUpAt, MergedInto: r.MergedInto.Int64,
		LastStatus: r.LastStatus, LastCode: r.LastCode, LastError: r.LastError, CreatedAt: r.CreatedAt,
		SentAt: r.SentAt.Time, ChannelName: v.ChannelName.String, ChannelKind: domain.ChannelKind(v.ChannelKind.String),
	}
}

// splitList reads a comma list back; none is an empty list, not nil.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// AddEvent writes a scheduled event unless its key is taken, which is how two processes
// scheduling the same reminder write it once.
func (s *OutboxStore) AddEvent(ctx context.Context, e domain.Event) (bool, error) {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	row := eventRow{TownshipID: e.TownshipID, Kind: string(e.Kind), AlertID: nullID(e.AlertID), Day: nullDate(e.Day),
		Slot: string(e.Slot), Key: e.Key, CreatedAt: e.CreatedAt.UTC()}
	var res *gorm.DB
	err := s.DB.exclusive(ctx, func() error {
		res = s.DB.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&row)
		return res.Error
	})
	if err != nil {
		return false, translate(err, "outbox event")
	}
	return res.RowsAffected == 1, nil
}

// claim runs the UPDATE of a claim, whose subquery picks the rows, and returns the IDs it
// took. On PostgreSQL FOR UPDATE SKIP LOCKED lets processes claiming at once take disjoint
// rows without waiting for each other; a row another claim committed meanwhile is read again
// after its lock and no longer matches. SQLite runs one write at a time, so the subquery
// there needs no lock.
func (s *OutboxStore) claim(ctx context.Context, table, pick string, args map[string]any) ([]int64, error) {
	if s.DB.Dialect == Postgres {
		pick += " FOR UPDATE SKIP LOCKED"
	}
	var ids []int64
	err := s.DB.exclusive(ctx, func() error {
		return s.DB.conn(ctx).Raw(`UPDATE `+table+` SET claimed_until = @lease WHERE id IN (`+pick+`) RETURNING id`, args).
			Scan(&ids).Error
	})
	slices.Sort(ids)
	return ids, err
}

// ClaimEvents takes up to n events not yet fanned out, oldest first, until now+lease.
func (s *OutboxStore) ClaimEvents(ctx context.Context, n int, now time.Time, lease time.Duration) ([]domain.Event, error) {
	now = now.UTC()
	ids, err := s.claim(ctx, "outbox_events", `SELECT id FROM outbox_events
		WHERE done_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now) ORDER BY id LIMIT @n`,
		map[string]any{"now": now, "lease": now.Add(lease), "n": n})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var rows []eventRow
	if err := s.DB.conn(ctx).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return convert(rows, eventRow.toDomain), nil
}

// FanOut writes the event's messages, each unless its channel has one of that key, and marks
// the event done (a second fan-out keeps the first's time), in one transaction: the caller's
// if ctx has one. A message without NextAt is due now.
func (s *OutboxStore) FanOut(ctx context.Context, eventID int64, msgs []domain.Message, now time.Time) error {
	now = now.UTC()
	rows := make([]messageRow, 0, len(msgs))
	for _, m := range msgs {
		if m.GiveUpAt.IsZero() {
			return fmt.Errorf("fan out event %d: message %q to channel %d has no give-up time", eventID, m.Key, m.ChannelID)
		}
		if m.NextAt.IsZero() {
			m.NextAt = now
		}
		rows = append(rows, messageRow{
			TownshipID: m.TownshipID, ChannelID: m.ChannelID, EventID: nullID(eventID), Type: string(m.Type), Key: m.Key,
			EnterpriseID: nullID(m.EnterpriseID), Title: m.Title, Markdown: m.Markdown,
			MentionPhones: strings.Join(m.MentionPhones, ","), Status: string(domain.MessagePending),
			NextAt: m.NextAt.UTC(), GiveUpAt: m.GiveUpAt.UTC(), CreatedAt: now,
		})
	}
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		if len(rows) > 0 {
			err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "channel_id"}, {Name: "key"}}, DoNothing: true}).
				Create(&rows).Error
			if err != nil {
				return fmt.Errorf("fan out event %d: %w", eventID, translate(err, "message"))
			}
		}
		res := db.Exec(`UPDATE outbox_events SET done_at = COALESCE(done_at, ?), claimed_until = NULL WHERE id = ?`, now, eventID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("fan out event %d: %w", eventID, domain.ErrNotFound)
		}
		return nil
	})
}

// ClaimMessages takes up to n pending messages due by now, the longest due first, until
// now+lease.
func (s *OutboxStore) ClaimMessages(ctx context.Context, n int, now time.Time, lease time.Duration) ([]domain.Message, error) {
	now = now.UTC()
	ids, err := s.claim(ctx, "messages", `SELECT id FROM messages
		WHERE status = 'pending' AND next_at <= @now AND (claimed_until IS NULL OR claimed_until < @now)
		ORDER BY next_at, id LIMIT @n`,
		map[string]any{"now": now, "lease": now.Add(lease), "n": n})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var views []messageView
	if err := s.query(ctx).Where("m.id IN ?", ids).Order("m.next_at, m.id").Find(&views).Error; err != nil {
		return nil, err
	}
	return convert(views, messageView.toDomain), nil
}

// query reads messages with their channel's name and platform.
func (s *OutboxStore) query(ctx context.Context) *gorm.DB {
	return s.DB.conn(ctx).Table("messages m").
		Select("m.*, c.name AS channel_name, c.kind AS channel_kind").
		Joins("LEFT JOIN channels c ON c.id = m.channel_id")
}

// The outcomes of a send (domain.SendRecord.Outcome).
const (
	outcomeOK        = "ok"
	outcomeRetry     = "retry"
	outcomePermanent = "permanent"
)

// Record writes the outcome of one send, in one transaction, and releases the claim of every
// message it carried. Only pending messages change: a message is claimed pending, and one
// that is not any more was settled by another hand (a lease that ran out and a second send).
// ok: the first message is sent, counting the attempt, the others went out merged into it;
// retry: each is pending again from NextAt with the attempt counted, or failed when its
// give-up time comes by then; permanent: each has failed, the attempt counted.
func (s *OutboxStore) Record(ctx context.Context, r domain.SendRecord) error {
	if len(r.IDs) == 0 {
		return nil
	}
	at, next := r.At.UTC(), r.NextAt.UTC()
	last := map[string]any{"st": r.StatusCode, "code": r.Code, "msg": r.Message, "at": at, "next": next}
	const answer = `last_status = @st, last_code = @code, last_error = @msg, claimed_until = NULL`
	var steps []struct {
		sql string
		ids []int64
	}
	add := func(sql string, ids []int64) {
		steps = append(steps, struct {
			sql string
			ids []int64
		}{sql, ids})
	}
	switch r.Outcome {
	case outcomeOK:
		last["first"] = r.IDs[0]
		add(`UPDATE messages SET status = 'sent', sent_at = @at, attempts = attempts + 1, `+answer, r.IDs[:1])
		add(`UPDATE messages SET status = 'merged', merged_into = @first, sent_at = @at, claimed_until = NULL`, r.IDs[1:])
	case outcomeRetry:
		add(`UPDATE messages SET status = CASE WHEN give_up_at <= @next THEN 'failed' ELSE 'pending' END,
			next_at = @next, attempts = attempts + 1, `+answer, r.IDs)
	case outcomePermanent:
		add(`UPDATE messages SET status = 'failed', attempts = attempts + 1, `+answer, r.IDs)
	default:
		return fmt.Errorf("record send: unknown outcome %q", r.Outcome)
	}
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		for _, st := range steps {
			if len(st.ids) == 0 {
				continue
			}
			last["ids"] = st.ids
			if err := s.DB.conn(ctx).Exec(st.sql+` WHERE id IN @ids AND status = 'pending'`, last).Error; err != nil {
				return fmt.Errorf("record send: %w", err)
			}
		}
		return nil
	})
}

// Delay moves pending messages to next and releases them, counting no attempt.
func (s *OutboxStore) Delay(ctx context.Context, ids []int64, next time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return s.DB.exclusive(ctx, func() error {
		return s.DB.conn(ctx).Exec(`UPDATE messages SET next_at = ?, claimed_until = NULL
			WHERE id IN ? AND status = 'pending'`, next.UTC(), ids).Error
	})
}

// Retry puts the township's failed message back in the queue, due now, to be given up at
// giveUpAt; its attempts so far stay counted. One UPDATE that only a failed message matches
// decides, so that two retries at once requeue it once; it is ErrNotFound if the township has
// no such message and ErrConflict if it has not failed.
func (s *OutboxStore) Retry(ctx context.Context, townshipID, id int64, now, giveUpAt time.Time) (domain.Message, error) {
	var res *gorm.DB
	err := s.DB.exclusive(ctx, func() error {
		res = s.DB.conn(ctx).Exec(`UPDATE messages SET status = 'pending', next_at = ?, give_up_at = ?, claimed_until = NULL
			WHERE id = ? AND township_id = ? AND status = 'failed'`, now.UTC(), giveUpAt.UTC(), id, townshipID)
		return res.Error
	})
	if err != nil {
		return domain.Message{}, err
	}
	m, err := s.Get(ctx, townshipID, id)
	if err != nil {
		return domain.Message{}, err
	}
	if res.RowsAffected == 0 {
		return domain.Message{}, domain.Conflict("只有发送失败的消息可以重新发送")
	}
	return m, nil
}

// List returns the messages f selects, newest first, with how many there are.
func (s *OutboxStore) List(ctx context.Context, f domain.MessageFilter) ([]domain.Message, int, error) {
	q := s.query(ctx)
	if f.TownshipID != 0 {
		q = q.Where("m.township_id = ?", f.TownshipID)
	}
	if f.ChannelIDs != nil {
		if len(f.ChannelIDs) == 0 {
			return []domain.Message{}, 0, nil // the caller sees no channel
		}
		q = q.Where("m.channel_id IN ?", f.ChannelIDs)
	}
	if f.Status != "" {
		q = q.Where("m.status = ?", string(f.Status))
	}
	if f.Type != "" {
		q = q.Where("m.type = ?", string(f.Type))
	}
	if !f.Since.IsZero() {
		q = q.Where("m.created_at >= ?", f.Since.UTC())
	}
	rows, total, err := page[messageView](q, "m.created_at DESC, m.id DESC", f.Page)
	return convert(rows, messageView.toDomain), total, err
}

// Get returns the township's message; another township's is not found.
func (s *OutboxStore) Get(ctx context.Context, townshipID, id int64) (domain.Message, error) {
	var v messageView
	err := s.query(ctx).Where("m.id = ? AND m.township_id = ?", id, townshipID).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Message{}, domain.NotFound("消息")
	}
	if err != nil {
		return domain.Message{}, err
	}
	return v.toDomain(), nil
}

package repo

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"fugong/domain"
	"fugong/pii"
)

// ChannelStore keeps the group robots (migration 00020). A robot's address and secret let
// anyone post to its group, so they are sealed at rest as the workers' ID numbers are.
type ChannelStore struct {
	DB  *DB
	Box *pii.Box
}

var _ domain.ChannelStore = (*ChannelStore)(nil)

// channelPurpose is the associated data of a sealed target: it cannot be passed off as
// another column's.
const channelPurpose = "channel"

// channelTarget is what target_sealed holds, sealed.
type channelTarget struct {
	URL    string `json:"url"`
	Key    string `json:"key"`
	Secret string `json:"secret"`
}

type channelRow struct {
	ID           int64
	TownshipID   int64
	Scope        string
	ZoneID       sql.NullInt64
	EnterpriseID sql.NullInt64
	UserID       sql.NullInt64
	Name         string
	Kind         string
	TargetSealed string
	Hint         string
	Muted        string // comma-separated message types
	QuietFrom    string
	QuietTo      string
	Enabled      bool
	CreatedBy    sql.NullInt64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (channelRow) TableName() string { return "channels" }

// channelView is a channel with the names the lists show.
type channelView struct {
	Row            channelRow `gorm:"embedded"`
	ZoneName       sql.NullString
	EnterpriseName sql.NullString
	UserName       sql.NullString
}

func (s *ChannelStore) seal(c domain.Channel) (string, error) {
	b, err := json.Marshal(channelTarget{URL: c.URL, Key: c.Key, Secret: c.Secret})
	if err != nil {
		return "", err
	}
	return s.Box.Seal(string(b), channelPurpose), nil
}

func (s *ChannelStore) open(id int64, sealed string) (channelTarget, error) {
	plain, err := s.Box.Open(sealed, channelPurpose)
	if err != nil {
		return channelTarget{}, fmt.Errorf("channel %d: %w", id, err)
	}
	var t channelTarget
	if err := json.Unmarshal([]byte(plain), &t); err != nil {
		return channelTarget{}, fmt.Errorf("channel %d: %w", id, err)
	}
	return t, nil
}

func newChannelRow(c domain.Channel, sealed string) channelRow {
	return channelRow{
		ID: c.ID, TownshipID: c.TownshipID, Scope: string(c.Scope), ZoneID: nullID(c.ZoneID),
		EnterpriseID: nullID(c.EnterpriseID), UserID: nullID(c.UserID), Name: c.Name, Kind: string(c.Kind),
		TargetSealed: sealed, Hint: c.Hint, Muted: joinTypes(c.Muted), QuietFrom: c.QuietFrom, QuietTo: c.QuietTo,
		Enabled: c.Enabled, CreatedBy: nullID(c.CreatedBy), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func (s *ChannelStore) toDomain(v channelView) (domain.Channel, error) {
	r := v.Row
	t, err := s.open(r.ID, r.TargetSealed)
	if err != nil {
		return domain.Channel{}, err
	}
	return domain.Channel{
		ID: r.ID, TownshipID: r.TownshipID, Scope: domain.ChannelScope(r.Scope), ZoneID: r.ZoneID.Int64,
		EnterpriseID: r.EnterpriseID.Int64, UserID: r.UserID.Int64, Name: r.Name, Kind: domain.ChannelKind(r.Kind),
		URL: t.URL, Key: t.Key, Secret: t.Secret, Hint: r.Hint, Muted: splitTypes(r.Muted),
		QuietFrom: r.QuietFrom, QuietTo: r.QuietTo, Enabled: r.Enabled, CreatedBy: r.CreatedBy.Int64,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		ZoneName: v.ZoneName.String, EnterpriseName: v.EnterpriseName.String, UserName: v.UserName.String,
	}, nil
}

func joinTypes(ts []domain.MessageType) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, string(t))
	}
	return strings.Join(parts, ",")
}

// splitTypes reads a comma list back; none is an empty list, not nil, so that a page shows [].
func splitTypes(s string) []domain.MessageType {
	out := []domain.MessageType{}
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, domain.MessageType(p))
		}
	}
	return out
}

// stamp is the time now as both engines keep it (PostgreSQL to the microsecond), so that what
// a write returns is what a read gives.
func stamp() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Create inserts a channel with its target sealed.
func (s *ChannelStore) Create(ctx context.Context, c *domain.Channel) error {
	sealed, err := s.seal(*c)
	if err != nil {
		return err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = stamp()
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	row := newChannelRow(*c, sealed)
	row.ID = 0
	err = s.DB.exclusive(ctx, func() error { return s.DB.conn(ctx).Create(&row).Error })
	if err != nil {
		return translate(err, "群机器人")
	}
	c.ID, c.CreatedAt, c.UpdatedAt = row.ID, row.CreatedAt, row.UpdatedAt
	return nil
}

// Update writes every field of the township's channel c.ID. The target's rule, for a form
// that never shows what it stored: a URL or Key given replaces the stored URL and Key both
// (a robot moved to another address, or from an address to a bare key, leaves nothing of
// the old one behind), and with them the Hint, which describes them; neither given keeps
// URL, Key and Hint. The Secret is separate: an empty one keeps the stored secret even when
// the address changes (a WeCom key changes, its group's signing secret does not), a new one
// replaces it. c comes back with the target as stored.
func (s *ChannelStore) Update(ctx context.Context, c *domain.Channel) error {
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		var stored channelRow
		err := db.Where("id = ? AND township_id = ?", c.ID, c.TownshipID).First(&stored).Error
		if err != nil {
			return translate(err, "群机器人")
		}
		old, err := s.open(stored.ID, stored.TargetSealed)
		if err != nil {
			return err
		}
		if c.URL == "" && c.Key == "" {
			c.URL, c.Key, c.Hint = old.URL, old.Key, stored.Hint
		}
		if c.Secret == "" {
			c.Secret = old.Secret
		}
		sealed, err := s.seal(*c)
		if err != nil {
			return err
		}
		c.UpdatedAt = stamp()
		row := newChannelRow(*c, sealed)
		err = db.Model(&channelRow{ID: c.ID}).Select("scope", "zone_id", "enterprise_id", "user_id", "name", "kind",
			"target_sealed", "hint", "muted", "quiet_from", "quiet_to", "enabled", "updated_at").Updates(&row).Error
		if err != nil {
			return translate(err, "群机器人")
		}
		c.CreatedAt, c.CreatedBy = stored.CreatedAt, stored.CreatedBy.Int64
		return nil
	})
}

// Delete removes the township's channel, and its messages with it (ON DELETE CASCADE).
func (s *ChannelStore) Delete(ctx context.Context, townshipID, id int64) error {
	var res *gorm.DB
	err := s.DB.exclusive(ctx, func() error {
		res = s.DB.conn(ctx).Where("id = ? AND township_id = ?", id, townshipID).Delete(&channelRow{})
		return res.Error
	})
	if err != nil {
		return translate(err, "群机器人")
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("群机器人")
	}
	return nil
}

// Get returns the township's channel, its target opened; another township's is not found.
func (s *ChannelStore) Get(ctx context.Context, townshipID, id int64) (domain.Channel, error) {
	var views []channelView
	if err := s.query(ctx).Where("c.id = ? AND c.township_id = ?", id, townshipID).Find(&views).Error; err != nil {
		return domain.Channel{}, err
	}
	if len(views) == 0 {
		return domain.Channel{}, domain.NotFound("群机器人")
	}
	return s.toDomain(views[0])
}

// query reads channels with the names of their owners.
func (s *ChannelStore) query(ctx context.Context) *gorm.DB {
	return s.DB.conn(ctx).Table("channels c").
		Select("c.*, z.name AS zone_name, e.name AS enterprise_name, u.name AS user_name").
		Joins("LEFT JOIN zones z ON z.id = c.zone_id").
		Joins("LEFT JOIN enterprises e ON e.id = c.enterprise_id").
		Joins("LEFT JOIN users u ON u.id = c.user_id")
}

// List returns the channels f selects, by scope in the form's order and then by ID, their
// targets opened. A township has a few dozen channels: there is no paging.
func (s *ChannelStore) List(ctx context.Context, f domain.ChannelFilter) ([]domain.Channel, error) {
	q := s.query(ctx)
	for col, v := range map[string]int64{"c.township_id": f.TownshipID, "c.enterprise_id": f.EnterpriseID, "c.user_id": f.UserID} {
		if v != 0 {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.Scope != "" {
		q = q.Where("c.scope = ?", string(f.Scope))
	}
	if len(f.ZoneIDs) > 0 {
		q = q.Where("c.zone_id IN ?", f.ZoneIDs)
	}
	if f.SupervisorOf != 0 {
		q = q.Where("c.scope = 'supervisor' AND c.user_id IN (SELECT user_id FROM enterprise_supervisors WHERE enterprise_id = ?)",
			f.SupervisorOf)
	}
	if f.EnabledOnly {
		q = q.Where("c.enabled")
	}
	var views []channelView
	order := "CASE c.scope WHEN 'township' THEN 0 WHEN 'zone' THEN 1 WHEN 'enterprise' THEN 2 ELSE 3 END, c.id"
	if err := q.Order(order).Find(&views).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Channel, 0, len(views))
	for _, v := range views {
		c, err := s.toDomain(v)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Take reserves n requests of the robot's rate, limit in any 60 seconds, as the platforms count
// them (a sliding minute: a fixed window let a burst at the end of one window and another at
// the start of the next put 36 requests in one minute, and the robot refused them); if it
// cannot, it says when enough of the last minute's requests will have left it. A request of
// more than limit goes alone. Every process takes from the same log (robot_requests), one at a
// time per robot: the channel's row is locked on PostgreSQL, and SQLite writes one at a time.
func (s *ChannelStore) Take(ctx context.Context, id int64, n, limit int, now time.Time) (bool, time.Time, error) {
	now = now.UTC()
	var ok bool
	var until time.Time
	err := s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		lock := "SELECT id FROM channels WHERE id = ?"
		if s.DB.Dialect == Postgres {
			lock += " FOR UPDATE"
		}
		var ids []int64
		if err := db.Raw(lock, id).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return domain.NotFound("群机器人")
		}
		since := now.Add(-time.Minute)
		if err := db.Exec("DELETE FROM robot_requests WHERE channel_id = ? AND at <= ?", id, since).Error; err != nil {
			return err
		}
		var sent []struct {
			At time.Time
			N  int
		}
		if err := db.Raw("SELECT at, n FROM robot_requests WHERE channel_id = ? ORDER BY at", id).Scan(&sent).Error; err != nil {
			return err
		}
		used := 0
		for _, r := range sent {
			used += r.N
		}
		if used+n > limit && used > 0 {
			until = leaves(sent, used+n-limit)
			return nil
		}
		ok = true
		return db.Exec("INSERT INTO robot_requests (channel_id, at, n) VALUES (?, ?, ?)", id, now, n).Error
	})
	return ok, until, err
}

// leaves is when the oldest of the minute's requests, enough to free need of them, leave it.
func leaves(sent []struct {
	At time.Time
	N  int
}, need int) time.Time {
	freed := 0
	for _, r := range sent {
		freed += r.N
		if freed >= need {
			return r.At.Add(time.Minute)
		}
	}
	return sent[len(sent)-1].At.Add(time.Minute)
}

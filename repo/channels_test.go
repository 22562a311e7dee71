package repo_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// channelWorld is passWorld with the channel and outbox stores and a second supervisor, who
// supervises enterprise B only (the first, checker, supervises A).
type channelWorld struct {
	*passWorld
	db       *repo.DB
	sup2     domain.User
	channels *repo.ChannelStore
	outbox   *repo.OutboxStore
}

func newChannelWorld(t *testing.T, db *repo.DB) *channelWorld {
	t.Helper()
	w := &channelWorld{passWorld: newPassWorld(t, db), db: db,
		channels: &repo.ChannelStore{DB: db, Box: dbtest.Box()}, outbox: &repo.OutboxStore{DB: db}}
	w.sup2 = storeUser(t, db, domain.User{Username: "sup2", Role: domain.RoleSupervisor, TownshipID: w.tw.ID})
	es := &repo.EnterpriseStore{DB: db}
	must(t, es.SetSupervisors(context.Background(), w.entA.ID, []int64{w.checker.ID}))
	must(t, es.SetSupervisors(context.Background(), w.entB.ID, []int64{w.sup2.ID}))
	return w
}

// channel creates a channel through the store; its target names it, so that a test can look
// for it in the stored columns.
func (w *channelWorld) channel(t *testing.T, c domain.Channel) domain.Channel {
	t.Helper()
	if c.TownshipID == 0 {
		c.TownshipID = w.tw.ID
	}
	if c.Kind == "" {
		c.Kind = domain.KindWeCom
	}
	if c.Name == "" {
		c.Name = string(c.Scope) + "群"
	}
	if c.URL == "" && c.Key == "" {
		c.URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=plain-key-" + c.Name
	}
	must(t, w.channels.Create(context.Background(), &c))
	if c.ID == 0 || c.CreatedAt.IsZero() {
		t.Fatalf("create channel %s: got ID %d, created %v, want both set", c.Name, c.ID, c.CreatedAt)
	}
	return c
}

func channelID(c domain.Channel) int64 { return c.ID }

// TestChannelStore: a channel reads back as written, with its owners' names and its target
// opened, while the stored row holds no part of the target in plain text; List selects by
// each filter; another township's channel is not found for Get, Update or Delete.
func TestChannelStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newChannelWorld(t, db)
		const secret = "SEC-signing-secret-0123456789"
		town := w.channel(t, domain.Channel{Scope: domain.ScopeTownship, Name: "镇专班群", Kind: domain.KindDingTalk,
			URL: "https://oapi.dingtalk.com/robot/send?access_token=token-0123456789abcdef", Secret: secret,
			Hint: "oapi.dingtalk.com …cdef", Muted: []domain.MessageType{domain.MsgReport}, QuietFrom: "22:00", QuietTo: "07:00",
			Enabled: true, CreatedBy: w.checker.ID})
		zone := w.channel(t, domain.Channel{Scope: domain.ScopeZone, ZoneID: w.tw.Zones[0].ID, Enabled: true})
		entA := w.channel(t, domain.Channel{Scope: domain.ScopeEnterprise, EnterpriseID: w.entA.ID, Kind: domain.KindFeishu,
			Key: "feishu-hook-id", Enabled: true})
		entB := w.channel(t, domain.Channel{Scope: domain.ScopeEnterprise, EnterpriseID: w.entB.ID, Name: "乙厂群", Enabled: false})
		supA := w.channel(t, domain.Channel{Scope: domain.ScopeSupervisor, UserID: w.checker.ID, Name: "指导员甲", Enabled: true})
		supB := w.channel(t, domain.Channel{Scope: domain.ScopeSupervisor, UserID: w.sup2.ID, Name: "指导员乙", Enabled: true})
		stranger := w.channel(t, domain.Channel{TownshipID: w.other.ID, Scope: domain.ScopeTownship, Name: "外镇群", Enabled: true})

		t.Run("OKGet", func(t *testing.T) {
			got, err := w.channels.Get(ctx, w.tw.ID, town.ID)
			must(t, err)
			want := town
			want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
			if !got.CreatedAt.Equal(town.CreatedAt) {
				t.Errorf("got created %v, want %v", got.CreatedAt, town.CreatedAt)
			}
			if !channelsEqual(got, want) {
				t.Errorf("got %+v,\nwant %+v", got, want)
			}
			z, err := w.channels.Get(ctx, w.tw.ID, zone.ID)
			must(t, err)
			a, err := w.channels.Get(ctx, w.tw.ID, entA.ID)
			must(t, err)
			s, err := w.channels.Get(ctx, w.tw.ID, supA.ID)
			must(t, err)
			if z.ZoneName != "一区" || a.EnterpriseName != "甲厂" || s.UserName != w.checker.Name || a.Key != "feishu-hook-id" ||
				a.URL != "" || a.Muted == nil || len(a.Muted) != 0 {
				t.Errorf("got %+v, %+v, %+v, want the owners' names, the key and no muted types", z, a, s)
			}
		})
		t.Run("OKSealed", func(t *testing.T) {
			rows, err := repo.TableText(ctx, db, "channels")
			must(t, err)
			if len(rows) != 7 {
				t.Fatalf("got %d channels stored, want 7", len(rows))
			}
			for _, r := range rows {
				for col, v := range r {
					for _, plain := range []string{secret, "token-0123456789abcdef", "feishu-hook-id", "plain-key-", "dingtalk.com/robot"} {
						if strings.Contains(v, plain) {
							t.Errorf("channel %s: column %s holds %q in plain text", r["id"], col, plain)
						}
					}
				}
				if r["target_sealed"] == "" {
					t.Errorf("channel %s: got no sealed target", r["id"])
				}
			}
		})
		t.Run("OKList", func(t *testing.T) {
			for _, tt := range []struct {
				name string
				f    domain.ChannelFilter
				want []int64
			}{
				{"Township", domain.ChannelFilter{TownshipID: w.tw.ID}, []int64{town.ID, zone.ID, entA.ID, entB.ID, supA.ID, supB.ID}},
				{"Scope", domain.ChannelFilter{TownshipID: w.tw.ID, Scope: domain.ScopeEnterprise}, []int64{entA.ID, entB.ID}},
				{"Zones", domain.ChannelFilter{TownshipID: w.tw.ID, ZoneIDs: []int64{w.tw.Zones[0].ID}}, []int64{zone.ID}},
				{"OtherZone", domain.ChannelFilter{TownshipID: w.tw.ID, ZoneIDs: []int64{w.tw.Zones[1].ID}}, nil},
				{"Enterprise", domain.ChannelFilter{TownshipID: w.tw.ID, EnterpriseID: w.entB.ID}, []int64{entB.ID}},
				{"SupervisorOfA", domain.ChannelFilter{TownshipID: w.tw.ID, SupervisorOf: w.entA.ID}, []int64{supA.ID}},
				{"SupervisorOfB", domain.ChannelFilter{TownshipID: w.tw.ID, SupervisorOf: w.entB.ID}, []int64{supB.ID}},
				{"User", domain.ChannelFilter{TownshipID: w.tw.ID, UserID: w.sup2.ID}, []int64{supB.ID}},
				{"EnabledOnly", domain.ChannelFilter{TownshipID: w.tw.ID, Scope: domain.ScopeEnterprise, EnabledOnly: true}, []int64{entA.ID}},
				{"OtherTownship", domain.ChannelFilter{TownshipID: w.other.ID}, []int64{stranger.ID}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					got, err := w.channels.List(ctx, tt.f)
					must(t, err)
					if ids := ids(got, channelID); !slices.Equal(ids, tt.want) && !(len(ids) == 0 && len(tt.want) == 0) {
						t.Errorf("got %v, want %v", ids, tt.want)
					}
				})
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := w.channels.Get(ctx, w.tw.ID, stranger.ID)
			wantErr(t, err, domain.ErrNotFound)
			c := stranger
			c.TownshipID, c.Name = w.tw.ID, "改名"
			wantErr(t, w.channels.Update(ctx, &c), domain.ErrNotFound)
			wantErr(t, w.channels.Delete(ctx, w.tw.ID, stranger.ID), domain.ErrNotFound)
			got, err := w.channels.Get(ctx, w.other.ID, stranger.ID)
			must(t, err)
			if got.Name != "外镇群" {
				t.Errorf("got %q, want the other township's channel untouched", got.Name)
			}
		})
		t.Run("OKDelete", func(t *testing.T) {
			must(t, w.channels.Delete(ctx, w.tw.ID, entB.ID))
			_, err := w.channels.Get(ctx, w.tw.ID, entB.ID)
			wantErr(t, err, domain.ErrNotFound)
			wantErr(t, w.channels.Delete(ctx, w.tw.ID, entB.ID), domain.ErrNotFound)
		})
	})
}

// channelsEqual compares channels field by field, times by instant.
func channelsEqual(a, b domain.Channel) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) || !slices.Equal(a.Muted, b.Muted) {
		return false
	}
	a.CreatedAt, a.UpdatedAt, a.Muted = time.Time{}, time.Time{}, nil
	b.CreatedAt, b.UpdatedAt, b.Muted = time.Time{}, time.Time{}, nil
	return reflect.DeepEqual(a, b)
}

// TestChannelStoreUpdate: Update writes every field; an empty URL and Key keep the stored
// address and its hint, a new one replaces both, and an empty Secret keeps the secret even
// when the address changes.
func TestChannelStoreUpdate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newChannelWorld(t, db)
		c := w.channel(t, domain.Channel{Scope: domain.ScopeEnterprise, EnterpriseID: w.entA.ID, Name: "甲厂群",
			URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=first", Key: "first", Secret: "s1",
			Hint: "qyapi.weixin.qq.com …irst", Enabled: true, CreatedBy: w.checker.ID})
		update := func(t *testing.T, in domain.Channel) domain.Channel {
			t.Helper()
			must(t, w.channels.Update(ctx, &in))
			got, err := w.channels.Get(ctx, w.tw.ID, c.ID)
			must(t, err)
			if got.URL != in.URL || got.Key != in.Key || got.Secret != in.Secret || got.Hint != in.Hint {
				t.Errorf("got target %q %q %q %q, want Update's answer %q %q %q %q",
					got.URL, got.Key, got.Secret, got.Hint, in.URL, in.Key, in.Secret, in.Hint)
			}
			return got
		}
		t.Run("OKKeepsTarget", func(t *testing.T) {
			in := domain.Channel{ID: c.ID, TownshipID: w.tw.ID, Scope: domain.ScopeEnterprise, EnterpriseID: w.entB.ID,
				Name: "乙厂群", Kind: domain.KindWeCom, Muted: []domain.MessageType{domain.MsgReminder, domain.MsgMissed},
				QuietFrom: "12:00", QuietTo: "13:30", Enabled: false}
			got := update(t, in)
			if got.URL != c.URL || got.Key != "first" || got.Secret != "s1" || got.Hint != c.Hint {
				t.Errorf("got %q %q %q %q, want the stored target and hint kept", got.URL, got.Key, got.Secret, got.Hint)
			}
			if got.Name != "乙厂群" || got.EnterpriseID != w.entB.ID || got.EnterpriseName != "乙厂" || got.Enabled ||
				got.QuietFrom != "12:00" || got.QuietTo != "13:30" || got.CreatedBy != w.checker.ID ||
				!slices.Equal(got.Muted, []domain.MessageType{domain.MsgReminder, domain.MsgMissed}) {
				t.Errorf("got %+v, want every other field written and the creator kept", got)
			}
			if !got.CreatedAt.Equal(c.CreatedAt) || got.UpdatedAt.Before(c.UpdatedAt) {
				t.Errorf("got created %v updated %v, want created %v kept and updated moved on", got.CreatedAt, got.UpdatedAt, c.CreatedAt)
			}
		})
		t.Run("OKNewAddressKeepsSecret", func(t *testing.T) {
			got := update(t, domain.Channel{ID: c.ID, TownshipID: w.tw.ID, Scope: domain.ScopeEnterprise, EnterpriseID: w.entA.ID,
				Name: "甲厂群", Kind: domain.KindWeCom, Key: "second", Hint: "…cond", Enabled: true})
			if got.URL != "" || got.Key != "second" || got.Secret != "s1" || got.Hint != "…cond" {
				t.Errorf("got %q %q %q %q, want the new key alone, the old secret", got.URL, got.Key, got.Secret, got.Hint)
			}
		})
		t.Run("OKNewSecretKeepsAddress", func(t *testing.T) {
			got := update(t, domain.Channel{ID: c.ID, TownshipID: w.tw.ID, Scope: domain.ScopeEnterprise, EnterpriseID: w.entA.ID,
				Name: "甲厂群", Kind: domain.KindWeCom, Secret: "s2", Enabled: true})
			if got.Key != "second" || got.Secret != "s2" || got.Hint != "…cond" {
				t.Errorf("got %q %q %q, want the key kept and the new secret", got.Key, got.Secret, got.Hint)
			}
			rows, err := repo.TableText(ctx, db, "channels")
			must(t, err)
			if strings.Contains(rows[0]["target_sealed"], "second") || strings.Contains(rows[0]["target_sealed"], "s2") {
				t.Errorf("got %q stored, want it sealed", rows[0]["target_sealed"])
			}
		})
	})
}

// TestChannelStoreTake: the robot's limit holds over any 60 seconds, as the platforms count;
// refused, Take says when enough of the minute's requests will have left it; more than the
// limit goes alone; concurrent takes never reserve more than the limit between them.
func TestChannelStoreTake(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newChannelWorld(t, db)
		c := w.channel(t, domain.Channel{Scope: domain.ScopeTownship, Enabled: true})
		take := func(t *testing.T, n int, at time.Time, wantOK bool, wantEnd time.Time) {
			t.Helper()
			ok, end, err := w.channels.Take(ctx, c.ID, n, 20, at)
			must(t, err)
			if ok != wantOK || (!ok && !end.Equal(wantEnd)) {
				t.Errorf("take %d at %v: got %v until %v, want %v until %v", n, at, ok, end, wantOK, wantEnd)
			}
		}
		t0 := start
		take(t, 15, t0, true, time.Time{})
		take(t, 5, t0.Add(10*time.Second), true, time.Time{})
		take(t, 1, t0.Add(20*time.Second), false, t0.Add(time.Minute))
		take(t, 1, t0.Add(time.Minute-time.Millisecond), false, t0.Add(time.Minute))
		// A minute on, the first 15 have left; the 5 of t0+10s are still in the robot's minute:
		// a fixed window would have allowed 19 here, and the robot refused them.
		t1 := t0.Add(time.Minute)
		take(t, 19, t1, false, t0.Add(70*time.Second))
		take(t, 15, t1, true, time.Time{})
		take(t, 2, t1.Add(time.Second), false, t0.Add(70*time.Second))
		take(t, 5, t0.Add(70*time.Second), true, time.Time{})
		// More than the limit goes alone.
		t2 := t1.Add(5 * time.Minute)
		take(t, 25, t2, true, time.Time{})
		take(t, 1, t2.Add(time.Second), false, t2.Add(time.Minute))

		t.Run("OKConcurrent", func(t *testing.T) {
			t3 := t2.Add(time.Hour)
			var mu sync.Mutex
			var wg sync.WaitGroup
			granted := 0
			for range 40 {
				wg.Go(func() {
					ok, _, err := w.channels.Take(ctx, c.ID, 1, 20, t3)
					if err != nil {
						t.Errorf("take: %v", err)
					}
					if ok {
						mu.Lock()
						granted++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if granted != 20 {
				t.Errorf("got %d of 40 takes granted, want the limit, 20", granted)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, _, err := w.channels.Take(ctx, c.ID+100, 1, 20, t0)
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}

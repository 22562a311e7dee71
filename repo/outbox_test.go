package repo_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func eventID(e domain.Event) int64     { return e.ID }
func messageID(m domain.Message) int64 { return m.ID }

// events reads every outbox event by ID, outside any transaction.
func (w *channelWorld) events(t *testing.T) []map[string]string {
	t.Helper()
	rows, err := repo.TableText(context.Background(), w.db, "outbox_events")
	must(t, err)
	id := func(r map[string]string) int {
		n, err := strconv.Atoi(r["id"])
		must(t, err)
		return n
	}
	slices.SortFunc(rows, func(a, b map[string]string) int { return id(a) - id(b) })
	return rows
}

// TestOutboxAlertTrigger: an alert of a type groups hear of at once writes its event in its
// own insert, whichever way it is raised, once; other types, and an alert already raised
// (Raise's ON CONFLICT DO NOTHING), write none; an alert raised in a transaction rolled back
// leaves no event either.
func TestOutboxAlertTrigger(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newChannelWorld(t, db)
		wk := w.worker(t, w.entA, domain.WorkerOnDuty)
		wk2 := w.worker(t, w.entB, domain.WorkerOnDuty)
		alert := func(wk domain.Worker, typ domain.AlertType, slot domain.Slot) domain.Alert {
			return domain.Alert{TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID, Type: typ,
				Date: w.today, Slot: slot, Detail: string(typ)}
		}
		notified := []domain.AlertType{domain.AlertFever, domain.AlertSymptoms, domain.AlertRepeatedFever,
			domain.AlertEarlyArrival, domain.AlertDiscrepancy}
		var batch []domain.Alert
		for _, typ := range notified {
			batch = append(batch, alert(wk, typ, domain.SlotAM))
		}
		batch = append(batch, alert(wk, domain.AlertMissedCheckin, domain.SlotPM), alert(wk, domain.AlertKeyAreaArrival, ""),
			alert(wk, domain.AlertIsolationEnding, ""))
		n, err := w.alerts.Raise(ctx, batch)
		must(t, err)
		if n != len(batch) {
			t.Fatalf("got %d alerts raised, want %d", n, len(batch))
		}
		// Again, with one new among them: only the new one is written, and only it has an event.
		n, err = w.alerts.Raise(ctx, append(batch, alert(wk2, domain.AlertFever, domain.SlotPM)))
		must(t, err)
		if n != 1 {
			t.Fatalf("got %d alerts raised again, want the new one", n)
		}
		boom := fmt.Errorf("boom")
		err = db.InTx(ctx, func(ctx context.Context) error {
			if _, err := w.alerts.Raise(ctx, []domain.Alert{alert(wk2, domain.AlertSymptoms, domain.SlotPM)}); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatalf("got %v, want the transaction's own error", err)
		}

		listed, _, err := w.alerts.List(ctx, domain.AlertFilter{TownshipID: w.tw.ID, Page: domain.Page{Limit: 50}})
		must(t, err)
		byID := map[string]domain.Alert{}
		for _, a := range listed {
			byID[fmt.Sprint(a.ID)] = a
		}
		evs := w.events(t)
		if len(evs) != len(notified)+1 {
			t.Fatalf("got %d events, want %d: one per alert of %v", len(evs), len(notified)+1, notified)
		}
		seen := map[string]bool{}
		for _, e := range evs {
			a, ok := byID[e["alert_id"]]
			if !ok || seen[e["alert_id"]] {
				t.Errorf("got event %v, want one for each alert groups hear of", e)
				continue
			}
			seen[e["alert_id"]] = true
			if !slices.Contains(notified, a.Type) || e["kind"] != "alert" || e["key"] != "alert:"+e["alert_id"] ||
				e["township_id"] != fmt.Sprint(a.TownshipID) || e["slot"] != string(a.Slot) || e["done_at"] != "" ||
				e["claimed_until"] != "" {
				t.Errorf("got event %v for alert %+v, want its kind, key, township and slot", e, a)
			}
		}
		// The store reads them as events of the alerts' day and creation time.
		got, err := w.outbox.ClaimEvents(ctx, 50, time.Now(), time.Minute)
		must(t, err)
		for _, e := range got {
			a := byID[fmt.Sprint(e.AlertID)]
			if e.Kind != domain.EventAlert || e.Day != w.today || e.Slot != a.Slot || !e.CreatedAt.Equal(a.CreatedAt) ||
				e.TownshipID != a.TownshipID || e.Key != fmt.Sprintf("alert:%d", a.ID) {
				t.Errorf("got %+v, want the event of alert %+v", e, a)
			}
		}
		if len(got) != len(evs) {
			t.Errorf("got %d events claimed, want %d", len(got), len(evs))
		}
	})
}

// TestOutboxEvents: a scheduled event is written once by its key; claims are leases that
// processes claiming at once share without overlap, that a lease run out frees, and that a
// fan-out ends; a second fan-out of an event writes no message twice.
func TestOutboxEvents(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newChannelWorld(t, db)
		event := func(i int) domain.Event {
			return domain.Event{TownshipID: w.tw.ID, Kind: domain.EventReminder, Day: w.today, Slot: domain.SlotAM,
				Key: fmt.Sprintf("reminder:%d:%s:am:%d", w.tw.ID, w.today, i), CreatedAt: start}
		}
		t.Run("OKAddEventOnce", func(t *testing.T) {
			for i, want := range []bool{true, false} {
				wrote, err := w.outbox.AddEvent(ctx, event(0))
				must(t, err)
				if wrote != want {
					t.Errorf("add %d: got %v, want %v", i+1, wrote, want)
				}
			}
			if n := rows(t, db, "outbox_events"); n != 1 {
				t.Errorf("got %d events, want 1", n)
			}
		})
		const total = 300
		for i := 1; i < total; i++ {
			_, err := w.outbox.AddEvent(ctx, event(i))
			must(t, err)
		}
		now := start.Add(time.Hour)

		t.Run("OKConcurrentClaims", func(t *testing.T) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			claimed := map[int64]int{}
			per := [2]int{}
			for g := range 2 {
				wg.Go(func() {
					for {
						got, err := w.outbox.ClaimEvents(ctx, 7, now, time.Minute)
						if err != nil {
							t.Errorf("claim: %v", err)
							return
						}
						if len(got) == 0 {
							return
						}
						mu.Lock()
						per[g] += len(got)
						for _, e := range got {
							claimed[e.ID]++
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(claimed) != total {
				t.Errorf("got %d events claimed, want all %d", len(claimed), total)
			}
			for id, n := range claimed {
				if n != 1 {
					t.Errorf("event %d: claimed %d times, want once", id, n)
				}
			}
			t.Logf("claims of each: %v", per)
		})
		t.Run("OKLease", func(t *testing.T) {
			got, err := w.outbox.ClaimEvents(ctx, 10, now.Add(59*time.Second), time.Minute)
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("got %d events claimed within the lease, want none", len(got))
			}
			// The lease ran out (its holder died): the events are claimable again, oldest first.
			got, err = w.outbox.ClaimEvents(ctx, 10, now.Add(61*time.Second), time.Minute)
			must(t, err)
			if len(got) != 10 || got[0].Key != event(0).Key || got[9].Key != event(9).Key {
				t.Fatalf("got %v, want the ten oldest events", ids(got, eventID))
			}
		})
		t.Run("OKFanOutOnce", func(t *testing.T) {
			ch := w.channel(t, domain.Channel{Scope: domain.ScopeEnterprise, EnterpriseID: w.entA.ID, Enabled: true})
			ch2 := w.channel(t, domain.Channel{Scope: domain.ScopeEnterprise, EnterpriseID: w.entA.ID, Name: "第二群", Enabled: true})
			later := now.Add(2 * time.Minute)
			got, err := w.outbox.ClaimEvents(ctx, 1, later, time.Minute)
			must(t, err)
			if len(got) != 1 {
				t.Fatalf("got %d events, want 1", len(got))
			}
			e := got[0]
			msg := func(c domain.Channel) domain.Message {
				return domain.Message{TownshipID: w.tw.ID, ChannelID: c.ID, Type: domain.MsgReminder, Key: e.Key,
					EnterpriseID: w.entA.ID, Title: "打卡提醒", Markdown: "**3 人**未打卡", MentionPhones: []string{"13800000001", "13800000002"},
					GiveUpAt: later.Add(time.Hour)}
			}
			must(t, w.outbox.FanOut(ctx, e.ID, []domain.Message{msg(ch)}, later))
			// Again (a process that fanned it out lost its answer), with a second channel.
			must(t, w.outbox.FanOut(ctx, e.ID, []domain.Message{msg(ch), msg(ch2)}, later.Add(time.Second)))
			ms, total, err := w.outbox.List(ctx, domain.MessageFilter{TownshipID: w.tw.ID, Page: domain.Page{Limit: 10}})
			must(t, err)
			if total != 2 || len(ms) != 2 {
				t.Fatalf("got %d messages, want one per channel", total)
			}
			m := ms[1]
			if m.ChannelID != ch.ID || m.EventID != e.ID || m.Status != domain.MessagePending || m.Attempts != 0 ||
				!m.NextAt.Equal(later) || !m.GiveUpAt.Equal(later.Add(time.Hour)) || !m.CreatedAt.Equal(later) ||
				!slices.Equal(m.MentionPhones, []string{"13800000001", "13800000002"}) || m.Title != "打卡提醒" ||
				m.Markdown != "**3 人**未打卡" || m.EnterpriseID != w.entA.ID || m.ChannelName != ch.Name ||
				m.ChannelKind != domain.KindWeCom || m.Type != domain.MsgReminder || m.Key != e.Key {
				t.Errorf("got %+v, want the message as fanned out the first time", m)
			}
			for _, r := range w.events(t) {
				if r["id"] == fmt.Sprint(e.ID) && (r["done_at"] == "" || r["claimed_until"] != "") {
					t.Errorf("got event %v, want it done and released", r)
				}
			}
			// Done: never claimed again, however late.
			again, err := w.outbox.ClaimEvents(ctx, 1000, later.Add(time.Hour), time.Minute)
			must(t, err)
			if slices.Contains(ids(again, eventID), e.ID) || len(again) != 299 {
				t.Errorf("got %d events claimable, want the 299 not done", len(again))
			}
			err = w.outbox.FanOut(ctx, e.ID+1000, nil, later)
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}

// messages fans one event out to a channel per message of the given keys' order, all
// due at due and given up an hour after, and returns the messages by key order.
func (w *channelWorld) messages(t *testing.T, ch domain.Channel, typ domain.MessageType, due time.Time, keys ...string) []domain.Message {
	t.Helper()
	ctx := context.Background()
	var out []domain.Message
	for _, k := range keys {
		e := domain.Event{TownshipID: ch.TownshipID, Kind: domain.EventKind(typ), Day: w.today, Key: k, CreatedAt: due}
		_, err := w.outbox.AddEvent(ctx, e)
		must(t, err)
		var id int64
		for _, r := range w.events(t) {
			if r["key"] == k {
				fmt.Sscan(r["id"], &id)
			}
		}
		m := domain.Message{TownshipID: ch.TownshipID, ChannelID: ch.ID, Type: typ, Key: k, Title: k, Markdown: k,
			NextAt: due, GiveUpAt: due.Add(time.Hour)}
		must(t, w.outbox.FanOut(ctx, id, []domain.Message{m}, due))
		ms, _, err := w.outbox.List(ctx, domain.MessageFilter{TownshipID: ch.TownshipID, ChannelIDs: []int64{ch.ID},
			Page: domain.Page{Limit: 200}})
		must(t, err)
		i := slices.IndexFunc(ms, func(m domain.Message) bool { return m.Key == k })
		if i < 0 {
			t.Fatalf("message %s: not written", k)
		}
		out = append(out, ms[i])
	}
	return out
}

// TestOutboxMessages: claims take the pending messages due, longest due first, as leases;
// Record writes each outcome (ok with the others merged, retry, permanent, a retry past the
// give-up time) and releases the claim; Delay moves without counting; Retry requeues only a
// failed message of the township; List filters and pages, newest first.
func TestOutboxMessages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newChannelWorld(t, db)
		ch := w.channel(t, domain.Channel{Scope: domain.ScopeEnterprise, EnterpriseID: w.entA.ID, Name: "甲厂群", Enabled: true})
		town := w.channel(t, domain.Channel{Scope: domain.ScopeTownship, Name: "镇群", Kind: domain.KindDingTalk, Enabled: true})
		strange := w.channel(t, domain.Channel{TownshipID: w.other.ID, Scope: domain.ScopeTownship, Name: "外镇群", Enabled: true})
		t0 := start
		ms := w.messages(t, ch, domain.MsgAlert, t0, "a1", "a2", "a3")
		late := w.messages(t, ch, domain.MsgMissed, t0.Add(-time.Minute), "m1")[0]
		future := w.messages(t, town, domain.MsgSummary, t0.Add(time.Hour), "s1")[0]
		other := w.messages(t, strange, domain.MsgSummary, t0.Add(time.Minute), "o1")[0]
		get := func(t *testing.T, id int64) domain.Message {
			t.Helper()
			m, err := w.outbox.Get(ctx, w.tw.ID, id)
			must(t, err)
			return m
		}

		// Leased for long: the subtests free what they need.
		got, err := w.outbox.ClaimMessages(ctx, 10, t0.Add(time.Minute), 10*time.Hour)
		must(t, err)
		if want := []int64{late.ID, ms[0].ID, ms[1].ID, ms[2].ID, other.ID}; !slices.Equal(ids(got, messageID), want) {
			t.Fatalf("got %v claimed, want the due ones %v, the longest due first", ids(got, messageID), want)
		}
		if got[1].ChannelName != "甲厂群" || got[1].ChannelKind != domain.KindWeCom {
			t.Errorf("got %+v, want its channel's name and kind", got[1])
		}
		again, err := w.outbox.ClaimMessages(ctx, 10, t0.Add(time.Minute), time.Minute)
		must(t, err)
		if len(again) != 0 {
			t.Fatalf("got %v claimed twice, want none while leased", ids(again, messageID))
		}

		t.Run("OKRecordOK", func(t *testing.T) {
			at := t0.Add(70 * time.Second)
			must(t, w.outbox.Record(ctx, domain.SendRecord{IDs: []int64{ms[0].ID, ms[1].ID}, Outcome: "ok", StatusCode: 200,
				Message: "ok", At: at}))
			first, second := get(t, ms[0].ID), get(t, ms[1].ID)
			if first.Status != domain.MessageSent || !first.SentAt.Equal(at) || first.Attempts != 1 || first.LastStatus != 200 ||
				first.LastError != "ok" || first.MergedInto != 0 {
				t.Errorf("got %+v, want it sent at %v, one attempt, the answer kept", first, at)
			}
			if second.Status != domain.MessageMerged || second.MergedInto != first.ID || !second.SentAt.Equal(at) || second.Attempts != 0 {
				t.Errorf("got %+v, want it merged into %d", second, first.ID)
			}
		})
		t.Run("OKRecordRetry", func(t *testing.T) {
			next := t0.Add(5 * time.Minute)
			must(t, w.outbox.Record(ctx, domain.SendRecord{IDs: []int64{ms[2].ID}, Outcome: "retry", StatusCode: 200, Code: 45009,
				Message: "api freq out of limit", NextAt: next, At: t0.Add(70 * time.Second)}))
			m := get(t, ms[2].ID)
			if m.Status != domain.MessagePending || !m.NextAt.Equal(next) || m.Attempts != 1 || m.LastCode != 45009 ||
				m.LastError != "api freq out of limit" {
				t.Errorf("got %+v, want it pending again from %v, one attempt", m, next)
			}
			// Released: claimable again when due, not before.
			if got, err := w.outbox.ClaimMessages(ctx, 10, next.Add(-time.Second), time.Minute); err != nil || len(got) != 0 {
				t.Errorf("got %v %v before it is due, want none", ids(got, messageID), err)
			}
			got, err := w.outbox.ClaimMessages(ctx, 10, next, time.Minute)
			must(t, err)
			if !slices.Equal(ids(got, messageID), []int64{ms[2].ID}) {
				t.Fatalf("got %v, want %d claimable again", ids(got, messageID), ms[2].ID)
			}
			// Past its give-up time: failed.
			must(t, w.outbox.Record(ctx, domain.SendRecord{IDs: []int64{ms[2].ID}, Outcome: "retry", StatusCode: 502,
				Message: "bad gateway", NextAt: ms[2].GiveUpAt, At: next}))
			m = get(t, ms[2].ID)
			if m.Status != domain.MessageFailed || m.Attempts != 2 || m.LastStatus != 502 {
				t.Errorf("got %+v, want it failed after two attempts", m)
			}
		})
		t.Run("OKRecordPermanent", func(t *testing.T) {
			must(t, w.outbox.Record(ctx, domain.SendRecord{IDs: []int64{late.ID}, Outcome: "permanent", StatusCode: 200,
				Code: 93000, Message: "invalid webhook url", At: t0.Add(70 * time.Second)}))
			m := get(t, late.ID)
			if m.Status != domain.MessageFailed || m.LastCode != 93000 || m.LastError != "invalid webhook url" || m.Attempts != 1 {
				t.Errorf("got %+v, want it failed with the answer", m)
			}
			err := w.outbox.Record(ctx, domain.SendRecord{IDs: []int64{late.ID}, Outcome: "maybe"})
			if err == nil {
				t.Error("got no error for an unknown outcome")
			}
		})
		t.Run("OKDelay", func(t *testing.T) {
			next := t0.Add(2 * time.Hour)
			must(t, w.outbox.Delay(ctx, []int64{other.ID}, next))
			m, err := w.outbox.Get(ctx, w.other.ID, other.ID)
			must(t, err)
			if m.Status != domain.MessagePending || !m.NextAt.Equal(next) || m.Attempts != 0 {
				t.Errorf("got %+v, want it pending from %v, no attempt counted", m, next)
			}
			got, err := w.outbox.ClaimMessages(ctx, 10, next, time.Minute)
			must(t, err)
			if want := []int64{future.ID, other.ID}; !slices.Equal(ids(got, messageID), want) {
				t.Errorf("got %v, want %v", ids(got, messageID), want)
			}
		})
		t.Run("Retry", func(t *testing.T) {
			now, giveUp := t0.Add(3*time.Hour), t0.Add(4*time.Hour)
			m, err := w.outbox.Retry(ctx, w.tw.ID, late.ID, now, giveUp)
			must(t, err)
			if m.Status != domain.MessagePending || !m.NextAt.Equal(now) || !m.GiveUpAt.Equal(giveUp) || m.Attempts != 1 ||
				m.ChannelName != "甲厂群" {
				t.Errorf("got %+v, want it pending now until %v, its attempts kept", m, giveUp)
			}
			_, err = w.outbox.Retry(ctx, w.tw.ID, late.ID, now, giveUp)
			wantErr(t, err, domain.ErrConflict)
			_, err = w.outbox.Retry(ctx, w.tw.ID, ms[0].ID, now, giveUp)
			wantErr(t, err, domain.ErrConflict)
			_, err = w.outbox.Retry(ctx, w.tw.ID, other.ID, now, giveUp)
			wantErr(t, err, domain.ErrNotFound)
			_, err = w.outbox.Get(ctx, w.tw.ID, other.ID)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("List", func(t *testing.T) {
			for _, tt := range []struct {
				name      string
				f         domain.MessageFilter
				want      []int64
				wantTotal int
			}{
				{"Township", domain.MessageFilter{TownshipID: w.tw.ID},
					[]int64{future.ID, ms[2].ID, ms[1].ID, ms[0].ID, late.ID}, 5},
				{"Page", domain.MessageFilter{TownshipID: w.tw.ID, Page: domain.Page{Limit: 2, Offset: 1}},
					[]int64{ms[2].ID, ms[1].ID}, 5},
				{"Channel", domain.MessageFilter{TownshipID: w.tw.ID, ChannelIDs: []int64{town.ID}}, []int64{future.ID}, 1},
				{"NoChannel", domain.MessageFilter{TownshipID: w.tw.ID, ChannelIDs: []int64{}}, nil, 0},
				{"Status", domain.MessageFilter{TownshipID: w.tw.ID, Status: domain.MessageFailed}, []int64{ms[2].ID}, 1},
				{"Type", domain.MessageFilter{TownshipID: w.tw.ID, Type: domain.MsgMissed}, []int64{late.ID}, 1},
				{"Since", domain.MessageFilter{TownshipID: w.tw.ID, Since: t0}, []int64{future.ID, ms[2].ID, ms[1].ID, ms[0].ID}, 4},
				{"OtherTownship", domain.MessageFilter{TownshipID: w.other.ID}, []int64{other.ID}, 1},
			} {
				t.Run(tt.name, func(t *testing.T) {
					if tt.f.Limit == 0 {
						tt.f.Limit = 20
					}
					got, total, err := w.outbox.List(ctx, tt.f)
					must(t, err)
					if g := ids(got, messageID); total != tt.wantTotal || !(slices.Equal(g, tt.want) || len(g)+len(tt.want) == 0) {
						t.Errorf("got %v of %d, want %v of %d", g, total, tt.want, tt.wantTotal)
					}
				})
			}
		})
	})
}

// TestOutboxRetention: the retention removes a township's messages older than its cut-off and
// the events of before it already fanned out; newer ones, one not fanned out yet and another
// township's stay.
func TestOutboxRetention(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newChannelWorld(t, db)
		ch := w.channel(t, domain.Channel{Scope: domain.ScopeTownship, Enabled: true})
		strange := w.channel(t, domain.Channel{TownshipID: w.other.ID, Scope: domain.ScopeTownship, Name: "外镇群", Enabled: true})
		old := start.AddDate(0, 0, -40)
		w.today = domain.DateFromTime(old)
		w.messages(t, ch, domain.MsgSummary, old, "old")
		w.messages(t, strange, domain.MsgSummary, old, "strange")
		_, err := w.outbox.AddEvent(ctx, domain.Event{TownshipID: w.tw.ID, Kind: domain.EventReport, Day: w.today,
			Key: "pending", CreatedAt: old})
		must(t, err)
		w.today = domain.DateFromTime(start)
		w.messages(t, ch, domain.MsgSummary, start, "new")

		_, err = (&repo.RetentionStore{DB: db}).Purge(ctx, w.tw.ID, domain.DateFromTime(start).AddDays(-30))
		must(t, err)
		var keys []string
		for _, table := range []string{"messages", "outbox_events"} {
			rs, err := repo.TableText(ctx, db, table)
			must(t, err)
			for _, r := range rs {
				keys = append(keys, table+":"+r["key"])
			}
		}
		slices.Sort(keys)
		want := []string{"messages:new", "messages:strange", "outbox_events:new", "outbox_events:pending", "outbox_events:strange"}
		if !slices.Equal(keys, want) {
			t.Errorf("got %v, want %v", keys, want)
		}
	})
}

// TestOutboxMigration rolls 00020 back over channels, events and messages, and applies it
// again: the tables and the township's columns go and come back, and alerts raise events
// again only once it is back.
func TestOutboxMigration(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newChannelWorld(t, db)
		ch := w.channel(t, domain.Channel{Scope: domain.ScopeTownship, Enabled: true})
		w.messages(t, ch, domain.MsgSummary, start, "s1")
		wk := w.worker(t, w.entA, domain.WorkerOnDuty)
		w.alert(t, wk, domain.AlertFever, w.today, domain.AlertOpen)

		// Down to 00019, through the migrations after 00020 too.
		newest := newestMigration(t, db.Dialect)
		for v := newest; v > 19; v-- {
			must(t, repo.MigrateDown(ctx, db))
		}
		if v, err := db.MigrationVersion(ctx); err != nil || v != 19 {
			t.Fatalf("got version %d %v, want 19", v, err)
		}
		// Fresh connections: PostgreSQL's statements prepared on the newer tables would fail.
		pool, err := db.Pool()
		must(t, err)
		pool.SetMaxIdleConns(0)
		pool.SetMaxIdleConns(2)
		for _, table := range []string{"channels", "outbox_events", "messages"} {
			if _, err := dbtest.CountRows(ctx, db, table); err == nil {
				t.Errorf("got table %s after rolling back, want it gone", table)
			}
		}
		var cols []map[string]any
		must(t, repo.RawQuery(ctx, db, "SELECT * FROM townships", &cols))
		if _, ok := cols[0]["remind_minutes"]; ok {
			t.Errorf("got townships %v, want remind_minutes gone", cols[0])
		}
		// An alert without the trigger, then the migration again.
		w.alert(t, wk, domain.AlertSymptoms, w.today, domain.AlertOpen)
		n, err := db.Migrate(ctx)
		must(t, err)
		if n != int(newest-19) {
			t.Fatalf("got %d migrations applied, want 00020 and those after it again (%d)", n, newest-19)
		}
		pool.SetMaxIdleConns(0)
		pool.SetMaxIdleConns(2)
		if n := rows(t, db, "outbox_events"); n != 0 {
			t.Errorf("got %d events, want none from before", n)
		}
		got, err := (&repo.TownshipStore{DB: db}).Get(ctx, w.tw.ID)
		must(t, err)
		if got.Policy.RemindMinutes != 30 || got.Policy.SummaryAt != "08:30" {
			t.Errorf("got %d %q, want an existing township given 30 and 08:30", got.Policy.RemindMinutes, got.Policy.SummaryAt)
		}
		w.alert(t, wk, domain.AlertRepeatedFever, w.today, domain.AlertOpen)
		if n := rows(t, db, "outbox_events"); n != 1 {
			t.Errorf("got %d events, want the new alert's", n)
		}
		ch2 := w.channel(t, domain.Channel{Scope: domain.ScopeTownship, Enabled: true})
		if ch2.ID == 0 {
			t.Error("got no channel after applying 00020 again")
		}
	})
}

package repo_test

import (
	"sync"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// counter is a domain.Recorder that keeps what it hears, as the metrics do.
type counter struct {
	mu       sync.Mutex
	checkins map[string]int
	alerts   map[domain.AlertType]int
}

func (c *counter) CheckinRecorded(slot domain.Slot, fever bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := string(slot) + " normal"
	if fever {
		key = string(slot) + " fever"
	}
	c.checkins[key]++
}

func (c *counter) GroupSend(domain.ChannelKind, string, int) {}

func (c *counter) AlertsRaised(t domain.AlertType, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.alerts[t] += n
}

// TestRecorder: the services tell their Recorder of what they committed, and only that: an
// arrival from a key area, a fever check-in with its alert, a repeat that raises nothing new,
// a refused check-in, and the sweep's missed check-ins.
func TestRecorder(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.setKeyAreas(t, hubeiHigh)
		rec := &counter{checkins: map[string]int{}, alerts: map[domain.AlertType]int{}}
		svc := domain.NewServices(w.stores, domain.Options{Clock: w.clock.Now, Recorder: rec})
		today := w.today()
		wuhan, _, err := svc.Workers.Create(w.ctx, w.hr.Actor(), w.ent.ID, workerForm(1, "420100", today))
		must(t, err)
		if rec.alerts[domain.AlertKeyAreaArrival] != 1 {
			t.Fatalf("after an arrival from Wuhan got %v, want one key_area_arrival", rec.alerts)
		}
		fever := 38.2
		in := domain.CheckinInput{WorkerID: wuhan.ID, Slot: domain.SlotAM, Temperature: &fever}
		for range 2 { // the same report twice: the second replaces the first and raises nothing
			res, err := svc.Checkins.SubmitForWorkers(w.ctx, w.hr.Actor(), w.ent.ID, []domain.CheckinInput{in})
			must(t, err)
			must(t, res[0].Err)
		}
		bad := 50.0
		res, err := svc.Checkins.SubmitForWorkers(w.ctx, w.hr.Actor(), w.ent.ID, []domain.CheckinInput{{WorkerID: wuhan.ID, Slot: domain.SlotPM, Temperature: &bad}})
		must(t, err)
		if res[0].Err == nil {
			t.Fatal("a reading of 50 °C was taken")
		}
		if rec.checkins["am fever"] != 2 || len(rec.checkins) != 1 || rec.alerts[domain.AlertFever] != 1 {
			t.Fatalf("got check-ins %v and alerts %v, want two fever readings and one fever alert", rec.checkins, rec.alerts)
		}
		w.clock.Set(local(today, 16, 30)) // both cut-offs passed: the afternoon is missing
		n, err := svc.Checkins.Sweep(w.ctx, w.clock.Now(), nil)
		must(t, err)
		if n == 0 || rec.alerts[domain.AlertMissedCheckin] != n {
			t.Errorf("the sweep raised %d, the recorder heard %v", n, rec.alerts)
		}
	})
}

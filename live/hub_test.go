package live

import (
	"testing"
	"time"

	"fugong/domain"
)

// TestHub: a subscriber hears of its township's changes only, merged while it is busy, with
// IDs that grow; Latest tells a reconnecting viewer whether it missed something.
func TestHub(t *testing.T) {
	h := NewHub()
	a, b := h.Subscribe(1), h.Subscribe(2)
	h.Notify(domain.Change{TownshipID: 1, EnterpriseID: 10, Kind: domain.ChangeCheckin})
	h.Notify(domain.Change{TownshipID: 1, EnterpriseID: 11, Kind: domain.ChangeAlert})
	select {
	case <-a.Ready:
	default:
		t.Fatal("got no wake-up, want one")
	}
	p := a.Take()
	if !p.Kinds[domain.ChangeCheckin] || !p.Kinds[domain.ChangeAlert] || !p.Enterprises[10] || !p.Enterprises[11] {
		t.Errorf("got %+v, want both changes merged", p)
	}
	if p.ID != h.Latest(1) || p.ID <= h.started {
		t.Errorf("got ID %d, latest %d, start %d: want the newest change's ID, after the start", p.ID, h.Latest(1), h.started)
	}
	select {
	case <-b.Ready:
		t.Error("township 2 got a wake-up for township 1's changes")
	default:
	}
	if h.Latest(2) != h.started {
		t.Errorf("got latest %d for a township without changes, want the start %d", h.Latest(2), h.started)
	}

	t.Run("IDsGrow", func(t *testing.T) {
		before := h.Latest(1)
		for range 5 { // faster than the clock's milliseconds
			h.Notify(domain.Change{TownshipID: 1, Kind: domain.ChangeRoster})
		}
		if got := h.Latest(1); got < before+5 {
			t.Errorf("got %d after five changes from %d, want at least %d", got, before, before+5)
		}
	})
	t.Run("Version", func(t *testing.T) {
		// Every change delivered moves its township's version on, one from another process
		// with an ID older than the newest (its clock behind this one's) too.
		v1, v2 := h.Version(1), h.Version(2)
		h.Notify(domain.Change{TownshipID: 1, Kind: domain.ChangeCheckin})
		h.Deliver(domain.Change{TownshipID: 1, Kind: domain.ChangeAlert}, h.started-1000)
		if got := h.Version(1); got != v1+2 {
			t.Errorf("got version %d after two changes from %d, want %d", got, v1, v1+2)
		}
		if got := h.Version(2); got != v2 {
			t.Errorf("got version %d for township 2, want %d: the changes were township 1's", got, v2)
		}
		// A stream woken by a change finds the version moved on already.
		c := h.Subscribe(3)
		defer h.Unsubscribe(c)
		h.Notify(domain.Change{TownshipID: 3, Kind: domain.ChangeCheckin})
		<-c.Ready
		if h.Version(3) != 1 {
			t.Errorf("got version %d when the stream woke, want 1", h.Version(3))
		}
	})
	t.Run("Forward", func(t *testing.T) {
		var got []domain.Change
		h.SetForwarder(func(c domain.Change, _ int64) { got = append(got, c) })
		h.Deliver(domain.Change{TownshipID: 1, Kind: domain.ChangeAlert}, h.Latest(1)+1) // from elsewhere
		h.Notify(domain.Change{TownshipID: 1, Kind: domain.ChangeCheckin})               // from here
		h.SetForwarder(nil)
		if len(got) != 1 || got[0].Kind != domain.ChangeCheckin {
			t.Errorf("got %v forwarded, want only the local change", got)
		}
	})
	t.Run("Close", func(t *testing.T) {
		h.Close()
		select {
		case <-a.Done:
		case <-time.After(time.Second):
			t.Fatal("subscription not done after Close")
		}
		if s := h.Subscribe(1); !isClosed(s.Done) {
			t.Error("got an open subscription from a closed hub")
		}
	})
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

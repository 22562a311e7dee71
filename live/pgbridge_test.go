package live

import (
	"context"
	"os"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo/dbtest"
)

// TestPGBridge: two hubs bridged through one PostgreSQL database (as two server processes
// would be) hear each other's changes, under the IDs they got where they were made, and not
// their own twice.
func TestPGBridge(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skip("needs PostgreSQL: " + dbtest.PostgresURLEnv + " is not set")
	}
	dsn := dbtest.EmptyPostgres(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hubA, hubB := NewHub(), NewHub()
	bridgeA := &PGBridge{Hub: hubA, DSN: dsn, Interval: 20 * time.Millisecond}
	bridgeB := &PGBridge{Hub: hubB, DSN: dsn, Interval: 20 * time.Millisecond}
	go bridgeA.Run(ctx)
	go bridgeB.Run(ctx)
	for _, b := range []*PGBridge{bridgeA, bridgeB} {
		select {
		case <-b.Listening():
		case <-time.After(10 * time.Second):
			t.Fatal("a bridge did not listen within 10 s")
		}
	}
	subA, subB := hubA.Subscribe(7), hubB.Subscribe(7) // Run set the forwarders before listening

	hubA.Notify(domain.Change{TownshipID: 7, EnterpriseID: 70, Kind: domain.ChangeCheckin})
	select {
	case <-subB.Ready:
	case <-time.After(5 * time.Second):
		t.Fatal("hub B did not hear of hub A's change within 5 s")
	}
	p := subB.Take()
	if !p.Kinds[domain.ChangeCheckin] || !p.Enterprises[70] || p.ID != hubA.Latest(7) {
		t.Errorf("got %+v on B, want A's check-in at enterprise 70 with A's ID %d", p, hubA.Latest(7))
	}
	<-subA.Ready // its own change, delivered locally at once
	subA.Take()
	select {
	case <-subA.Ready:
		t.Errorf("hub A heard its own change again through the database: %+v", subA.Take())
	case <-time.After(300 * time.Millisecond):
	}
}

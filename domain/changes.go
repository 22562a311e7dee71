package domain

// ChangeKind says what changed, for live views to decide what to reload.
type ChangeKind string

// The kinds of change live views follow.
const (
	ChangeCheckin    ChangeKind = "checkin"    // a check-in was recorded
	ChangeAlert      ChangeKind = "alert"      // an alert was raised or handled
	ChangeRoster     ChangeKind = "roster"     // workers were added or changed
	ChangeEnterprise ChangeKind = "enterprise" // an enterprise, its plan, status or supervisors
	ChangeTownship   ChangeKind = "township"   // policy or key areas
)

// Change tells live views that numbers of a township (of one enterprise when EnterpriseID is
// not 0) may have changed. It is sent after the change is committed and says nothing about
// the data itself: viewers reread what they may see.
type Change struct {
	TownshipID   int64
	EnterpriseID int64
	Kind         ChangeKind
}

// Notifier passes changes on to whoever watches (the dashboard's event stream). It must not
// block: a change is a hint, and a slow watcher must not slow down a check-in.
type Notifier interface {
	Notify(Change)
}

// ChangeFeed is a Notifier that also tells listeners of every change: those made in this
// process and those heard from the others (the live hub). The townships are kept in memory
// until it says they changed (Options.Changes).
type ChangeFeed interface {
	Notifier
	Listen(fn func(Change))
}

// notify sends c when there is a notifier.
func notify(n Notifier, c Change) {
	if n != nil {
		n.Notify(c)
	}
}

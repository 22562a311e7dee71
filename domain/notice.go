package domain

import (
	"context"
	"time"
)

// NoticeKind says what a notice tells its reader.
type NoticeKind string

// The kinds of notice. Both tell a township's town admins that the platform admin, who keeps
// the township's way in for account recovery, used it: with the new account or password the
// operator could read the township's rosters, so the township must know, and why.
const (
	// NoticeTownAdminCreated: the platform admin made a town admin account of the township.
	NoticeTownAdminCreated NoticeKind = "town_admin.created"
	// NoticeTownAdminPasswordReset: the platform admin set a new password on a town admin
	// account of the township.
	NoticeTownAdminPasswordReset NoticeKind = "town_admin.password_reset"
)

// Notice is something a staff user must learn of, shown to them until they mark it read. Unlike
// the audit log, which a town admin may or may not look at, a notice is put in front of its
// reader.
type Notice struct {
	ID         int64
	UserID     int64 // whom it is for
	TownshipID int64 // the township it is about, zero for none
	Kind       NoticeKind
	ActorID    int64  // who did what it tells
	SubjectID  int64  // the account it is about
	Reason     string // the actor's reason, in their words
	CreatedAt  time.Time
	ReadAt     time.Time // zero while unread

	ActorUsername, ActorName     string // filled on reads
	SubjectUsername, SubjectName string // filled on reads
}

// Unread reports whether the reader has not marked the notice read.
func (n Notice) Unread() bool { return n.ReadAt.IsZero() }

// NoticeFilter selects one user's notices.
type NoticeFilter struct {
	UserID int64
	Unread bool // only those not marked read
	Page
}

// NoticeStore keeps notices.
type NoticeStore interface {
	// Create inserts the notices and sets their IDs.
	Create(ctx context.Context, ns []Notice) error
	// Get returns one notice with the names of its actor and subject. ErrNotFound.
	Get(ctx context.Context, id int64) (Notice, error)
	// List returns a user's notices that match f, newest first, with the names of their actors
	// and subjects, and how many match in all.
	List(ctx context.Context, f NoticeFilter) ([]Notice, int, error)
	// MarkRead sets the notice's read time to at, unless it has one. ErrNotFound.
	MarkRead(ctx context.Context, id int64, at time.Time) error
}

// NoticeService shows staff users their notices. Services that have something to tell write
// them, in the transaction of what they tell (UserService: a town admin made or reset by the
// platform admin).
type NoticeService struct {
	notices NoticeStore
	tx      TxRunner
	clock   Clock
}

// List returns the actor's own notices, newest first. Workers have none. ErrForbidden.
func (s *NoticeService) List(ctx context.Context, actor Actor, f NoticeFilter) ([]Notice, int, error) {
	if actor.UserID == 0 || actor.Is(RoleWorker) {
		return nil, 0, Forbidden("只有工作人员账号有通知")
	}
	f.UserID = actor.UserID
	f.Page = f.Page.Normalize()
	return s.notices.List(ctx, f)
}

// MarkRead marks one of the actor's notices read and returns it; a notice read already keeps
// the time it was first read. Another user's notice is not found, as one that does not exist.
// ErrForbidden, ErrNotFound.
func (s *NoticeService) MarkRead(ctx context.Context, actor Actor, id int64) (Notice, error) {
	if actor.UserID == 0 || actor.Is(RoleWorker) {
		return Notice{}, Forbidden("只有工作人员账号有通知")
	}
	var n Notice
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = s.notices.Get(ctx, id); err != nil {
			return err
		}
		if n.UserID != actor.UserID {
			return NotFound("通知")
		}
		if !n.Unread() {
			return nil
		}
		if err := s.notices.MarkRead(ctx, id, s.clock.Now()); err != nil {
			return err
		}
		n, err = s.notices.Get(ctx, id)
		return err
	})
	if err != nil {
		return Notice{}, err
	}
	return n, nil
}

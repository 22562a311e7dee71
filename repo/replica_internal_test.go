package repo

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"fugong/domain"
)

// TestReplayConflict: a read the replica's replay cancelled (PostgreSQL's words and codes for
// a recovery conflict) becomes domain.ErrUnavailable, so that the API reads it again from the
// primary, and leaves the replica chosen, counted as a conflict; a replica gone away is
// dropped until its next check, counted as a failure; any other error stays what it was.
func TestReplayConflict(t *testing.T) {
	conflicts := []error{
		&pgconn.PgError{Severity: "ERROR", Code: "40001", Message: "canceling statement due to conflict with recovery",
			Detail: "User query might have needed to see row versions that must be removed."},
		&pgconn.PgError{Severity: "FATAL", Code: "40001", Message: "terminating connection due to conflict with recovery",
			Detail: "User was holding a relation lock for too long."},
		&pgconn.PgError{Severity: "ERROR", Code: "40P01", Message: "canceling statement due to conflict with recovery",
			Detail: "User transaction caused buffer deadlock with recovery."},
	}
	for _, cause := range conflicts {
		for name, translated := range map[string]error{
			"dialector":    replicaDialector{}.Translate(fmt.Errorf("read: %w", cause)),
			"row callback": rowError(fmt.Errorf("read: %w", cause)),
		} {
			var conflict *replayConflictError
			if !errors.Is(translated, domain.ErrUnavailable) || !errors.As(translated, &conflict) {
				t.Errorf("%s, %s: got %v, want a replay conflict that is domain.ErrUnavailable", name, cause, translated)
			}
		}
	}
	away := rowError(&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"})
	if !errors.Is(away, domain.ErrUnavailable) || errors.As(away, new(*replayConflictError)) {
		t.Errorf("a replica shut down: got %v, want domain.ErrUnavailable and no replay conflict", away)
	}
	wrong := &pgconn.PgError{Code: "42P01", Message: `relation "nowhere" does not exist`}
	if got := rowError(wrong); got != wrong {
		t.Errorf("a wrong statement: got %v, want it unchanged", got)
	}

	db := &DB{replica: &replica{opts: ReplicaOptions{Bound: time.Minute}, asOf: time.Now(), state: "streaming"}}
	db.ReplicaFailed(rowError(conflicts[0]))
	if _, ok := db.ReplicaAsOf(); !ok {
		t.Error("after a replay conflict the replica is no longer chosen; want it chosen (the next read is not cancelled)")
	}
	db.ReplicaFailed(away)
	if _, ok := db.ReplicaAsOf(); ok {
		t.Error("after a read failed on a replica gone away the replica is still chosen; want it dropped until a check")
	}
	f, _ := db.ReplicaFigures()
	if f.Conflicts != 1 || f.Failures != 1 || f.Known {
		t.Errorf("figures: got %+v, want 1 conflict, 1 failure, lag unknown", f)
	}
}

// rowError is err as the replica's row-query callback leaves it.
func rowError(err error) error {
	g := &gorm.DB{Config: &gorm.Config{}}
	g.Error = err
	translateReplica(g)
	return g.Error
}

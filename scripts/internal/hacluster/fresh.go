package hacluster

import (
	"context"
	"database/sql"
	"fmt"
	"syscall"
	"time"
)

// StopApp stops Fugong process i with SIGTERM (it drains, README "Cluster") and waits until it
// is gone; a process not running is already stopped.
func (s *State) StopApp(i int) error {
	name := AppName(i)
	if !s.Alive(name) {
		return nil
	}
	if err := s.Signal(name, syscall.SIGTERM); err != nil {
		return err
	}
	if !WaitFor(40*time.Second, func() bool { return !s.Alive(name) }) {
		return fmt.Errorf("%s still runs 40 s after SIGTERM", name)
	}
	return nil
}

// FreshDatabase stops the Fugong processes and creates their database again, empty, on the
// leader: what the fault scripts and the cluster benchmark start from.
func (s *State) FreshDatabase(ctx context.Context) error {
	for i := range Apps {
		if err := s.StopApp(i); err != nil {
			return err
		}
	}
	db, err := sql.Open("pgx", WriteURL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{"DROP DATABASE IF EXISTS " + Database + " WITH (FORCE)", "CREATE DATABASE " + Database} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

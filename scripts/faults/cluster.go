package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"fugong/internal/pgbin"
)

// cluster is a PostgreSQL server of the script's own, in a temporary folder, on a port of its
// own: pgrestart stops and starts it, which it must never do to the machine's shared server.
// As root, PostgreSQL's tools refuse to run, so they run as the postgres user.
type cluster struct {
	bin  string // the folder with initdb, pg_ctl and postgres
	dir  string
	port int
	cred *syscall.Credential // nil: run as ourselves
}

// startCluster creates and starts a private cluster with trust authentication for the user
// postgres, listening on 127.0.0.1 only, and a database "fugong" in it.
func startCluster(ctx context.Context) (*cluster, error) {
	bin, err := pgbin.Dir("initdb", "pg_ctl")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "fugong-faults-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir}
	if c.cred, err = pgbin.User(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if c.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.run(ctx, "initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.start(ctx); err != nil {
		c.remove()
		return nil, err
	}
	db, err := sql.Open("pgx", c.url("postgres"))
	if err != nil {
		c.remove()
		return nil, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE fugong"); err != nil {
		c.remove()
		return nil, err
	}
	return c, nil
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// url is a database of the cluster, over TCP as Fugong is configured in production.
func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// start starts the server and waits until it accepts connections. Its socket goes in the
// cluster's folder, not in /var/run/postgresql, which belongs to the machine's server.
func (c *cluster) start(ctx context.Context) error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=60 -c shared_buffers=32MB", c.port, c.dir)
	return c.run(ctx, "pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "postgres.log"), "-o", opts, "-w", "-t", "60", "start")
}

// stop stops the server: "fast" ends the sessions and checkpoints, "immediate" quits at
// once, as a crash would, and the next start recovers from the WAL.
func (c *cluster) stop(ctx context.Context, mode string) error {
	return c.run(ctx, "pg_ctl", "-D", c.data(), "-m", mode, "-w", "-t", "60", "stop")
}

// remove stops the server if it runs and deletes its folder.
func (c *cluster) remove() {
	_ = c.run(context.Background(), "pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

// run runs one of PostgreSQL's programs, as the postgres user when we are root.
func (c *cluster) run(ctx context.Context, program string, args ...string) error {
	return pgbin.Run(ctx, c.bin, c.dir, c.cred, program, args...)
}

// Package app is Fugong put together: its configuration, the database with its stores, the
// services on them and the HTTP edge, and the commands of the fugong binary (Run), so that the
// binary, the tests that start the whole program and the scripts that load data for it all
// build it the same way.
package app

import (
	"context"
	"fmt"
	"io"
	_ "time/tzdata" // townships keep local dates; the program must know time zones on any host
)

const usage = `Fugong (复工) — enterprise return-to-work monitoring for townships

Usage:
  fugong serve [--demo]    apply migrations, then serve the API and web UI
                           (--demo: on an empty database, create the demo township 长山镇)
  fugong migrate           apply migrations and exit
  fugong user create --username NAME [--name NAME]
                           create a platform admin; the password is read from
                           FUGONG_ADMIN_PASSWORD or the first line of standard input
  fugong stats rebuild --from YYYY-MM-DD --to YYYY-MM-DD
                           recount the daily statistics of those days from the
                           check-ins, alerts and rosters (days whose check-ins the
                           retention removed keep their figures)
  fugong retention run [--dry-run]
                           remove, in each township, check-ins and alerts older than its
                           retention period (retention_days, default 180) and the files of
                           workers who left longer ago; the daily statistics stay as they
                           are. --dry-run only counts. Run it daily (cron, a systemd timer).

Configuration (environment): FUGONG_DATABASE_URL (default sqlite:data/fugong.db),
FUGONG_ADDR (:8080), FUGONG_METRICS_ADDR (127.0.0.1:9091, "off" to disable),
FUGONG_JWT_SECRET, FUGONG_DATA_KEY (or *_FILE), FUGONG_ENV (development|production),
FUGONG_DATA_DIR (data), FUGONG_TRUSTED_PROXIES, FUGONG_BODY_LIMIT (1M), FUGONG_LOG_LEVEL (info),
FUGONG_DASHBOARD_CACHE (on), FUGONG_DB_MAX_CONNS (16),
FUGONG_CHECKIN_LANES (half the CPUs, at least 1), FUGONG_IMPORT_SLOTS (2),
FUGONG_IMPORT_TIMEOUT (1m), FUGONG_PUBLIC_URL (the address in the groups' links).
`

// Run is the whole program, so that tests can start it: args without the program name, the
// environment through getenv, and where to read and write.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return fmt.Errorf("usage: fugong user create --username NAME [--name NAME]")
		}
		return createUser(ctx, args[2:], getenv, stdin, stdout)
	case "stats":
		if len(args) < 2 || args[1] != "rebuild" {
			return fmt.Errorf("usage: fugong stats rebuild --from YYYY-MM-DD --to YYYY-MM-DD")
		}
		return rebuildStats(ctx, args[2:], getenv, stdout)
	case "retention":
		if len(args) < 2 || args[1] != "run" {
			return fmt.Errorf("usage: fugong retention run [--dry-run]")
		}
		return runRetention(ctx, args[2:], getenv, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
}

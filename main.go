// Fugong (复工) is a township's platform for the return to work of its enterprises after an
// epidemic shutdown: reopening plans, worker rosters, daily health check-ins, live monitoring.
//
// Usage:
//
//	fugong serve [--demo]     migrate, then serve the API and the web UI
//	fugong migrate            apply the database migrations and exit
//	fugong user create --username NAME [--name NAME]
//	                          create a platform admin (password from FUGONG_ADMIN_PASSWORD or stdin)
//	fugong stats rebuild --from DAY --to DAY
//	                          recount the daily statistics of those days
//	fugong retention run [--dry-run]
//	                          remove personal data older than each township's retention period
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"fugong/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fugong:", err)
		os.Exit(1)
	}
}

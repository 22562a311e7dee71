package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"fugong/scripts/internal/loadtest"
)

// runner is the shared plumbing (loadtest.Runner) with what only the fault scripts need.
type runner struct{ *loadtest.Runner }

func newRunner(ctx context.Context, pg string, quick bool) (*runner, error) {
	r, err := loadtest.New(ctx, loadtest.Options{Name: "faults", What: "the fault scripts", Town: "故障",
		PG: pg, Quick: quick})
	if err != nil {
		return nil, err
	}
	return &runner{r}, nil
}

// dataset is the township a scenario's phones check in to, with a token per worker.
type dataset struct {
	*loadtest.Dataset
	tokens     []string // tokens[i] is Workers[i]'s access token
	adminToken string   // the township admin's, for the dashboard's live stream
}

// seedDatabase migrates a database through the product's own code, loads a township into it
// (see loadtest.Runner.Seed) with the data key the servers get, and mints every worker's token.
func (r *runner) seedDatabase(ctx context.Context, dbURL string, nEnt, nWorkers int) (*dataset, error) {
	a, err := r.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	seeded, err := r.Seed(ctx, a, nEnt, nWorkers)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	d := &dataset{Dataset: seeded}
	tokens := r.Tokens()
	for _, w := range d.Workers {
		tok, err := tokens.Issue(w.Actor())
		if err != nil {
			return nil, err
		}
		d.tokens = append(d.tokens, tok)
	}
	if d.adminToken, err = tokens.Issue(d.Admin.Actor()); err != nil {
		return nil, err
	}
	return d, nil
}

// freePort finds a port nobody listens on, so that a server started again keeps its address
// and the phones carry on with the same URL.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts a server on a database, listening on port.
func (r *runner) startServer(ctx context.Context, dbURL string, port int) (*loadtest.Server, error) {
	return r.StartServer(ctx, dbURL, fmt.Sprintf("FUGONG_ADDR=127.0.0.1:%d", port))
}

// logCount counts the lines of the server's log that contain text.
func logCount(s *loadtest.Server, text string) int {
	b, _ := os.ReadFile(s.LogPath())
	return strings.Count(string(b), text)
}

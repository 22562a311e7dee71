package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"fugong/api"
	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestHealthWhileDraining checks what a load balancer sees of a server told to stop
// (FUGONG_DRAIN_DELAY): /healthz and /readyz answer 503 "draining" so that its check takes the
// server out, while the API still answers the requests already on their way.
func TestHealthWhileDraining(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		var drain atomic.Bool
		e, _ := api.New(domain.NewServices(repo.Stores(db, dbtest.Box()), domain.Options{}), api.Config{
			Log: dbtest.Quiet, Ready: func(context.Context) error { return nil }, Draining: drain.Load,
		})
		srv := httptest.NewServer(e)
		defer srv.Close()
		status := func(path string) int {
			res, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			if got := status(path); got != http.StatusOK {
				t.Errorf("%s before draining: got %d, want 200", path, got)
			}
		}
		drain.Store(true)
		for _, path := range []string{"/healthz", "/readyz"} {
			if got := status(path); got != http.StatusServiceUnavailable {
				t.Errorf("%s while draining: got %d, want 503", path, got)
			}
		}
		if got := status("/api/v1/me"); got != http.StatusUnauthorized {
			t.Errorf("the API while draining: got %d, want it still answering (401 without a token)", got)
		}
	})
}

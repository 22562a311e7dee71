package hacluster

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// SetSynchronous turns Patroni's synchronous_mode on or off for the whole cluster (PATCH
// /config: the dynamic configuration in etcd, which every member follows) and waits until
// the leader commits accordingly: on, a replica streams with sync_state "sync"; off, none
// does. The benchmarks use it to measure what synchronous replication costs on the same two
// members; everything else leaves the cluster in its configured synchronous mode.
func SetSynchronous(ctx context.Context, on bool, limit time.Duration) error {
	leader := Leader()
	if leader == "" {
		return fmt.Errorf("no member answers /primary")
	}
	n, _ := nodeNamed(leader)
	url := fmt.Sprintf("http://127.0.0.1:%d/config", n.RESTPort)
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, url,
		strings.NewReader(fmt.Sprintf(`{"synchronous_mode": %t}`, on)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := probe.Do(req)
	if err != nil {
		return fmt.Errorf("PATCH %s: %w", url, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("PATCH %s: %s", url, res.Status)
	}
	// Patroni applies it on its next loop (loop_wait 2 s): it sets or clears
	// synchronous_standby_names and the standby's sync_state follows.
	if !WaitFor(limit, func() bool { return ctx.Err() != nil || syncStreaming() == on }) {
		return fmt.Errorf("synchronous_mode %t: the leader's replication did not follow within %s", on, limit)
	}
	return ctx.Err()
}

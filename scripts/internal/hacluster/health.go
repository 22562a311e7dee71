package hacluster

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var probe = &http.Client{Timeout: 2 * time.Second}

// get fetches url and returns its status (0: no answer) and body.
func get(url string) (int, string) {
	res, err := probe.Get(url)
	if err != nil {
		return 0, ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, string(b)
}

// postmasterPid reads the first line of a data folder's postmaster.pid (0: none).
func postmasterPid(data string) int {
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

// Member is a Patroni member as its /cluster route describes it.
type Member struct {
	Name  string `json:"name"`
	Role  string `json:"role"`  // leader, sync_standby, replica
	State string `json:"state"` // running, streaming, stopped, …
	Lag   any    `json:"lag"`
}

// Members asks any live member's Patroni for the cluster's members.
func Members() ([]Member, error) {
	for _, n := range Nodes {
		code, body := get(fmt.Sprintf("http://127.0.0.1:%d/cluster", n.RESTPort))
		if code != 200 {
			continue
		}
		var c struct{ Members []Member }
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			return nil, err
		}
		return c.Members, nil
	}
	return nil, errors.New("no Patroni member answers")
}

// Leader is the member whose Patroni answers /primary with 200 ("" when none does).
func Leader() string {
	for _, n := range Nodes {
		if code, _ := get(fmt.Sprintf("http://127.0.0.1:%d/primary", n.RESTPort)); code == 200 {
			return n.Name
		}
	}
	return ""
}

// Backends reads HAProxy's view of its servers: "backend/server" → UP, DOWN, MAINT, ….
func Backends() (map[string]string, error) {
	res, err := probe.Get(fmt.Sprintf("http://127.0.0.1:%d/;csv", StatsPort))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	rows, err := csv.NewReader(res.Body).ReadAll()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows {
		if len(r) > 17 && !strings.HasPrefix(r[0], "#") && r[1] != "FRONTEND" && r[1] != "BACKEND" {
			out[r[0]+"/"+r[1]] = strings.Fields(r[17] + " x")[0] // "UP 1/2" while rising
		}
	}
	return out, nil
}

// Healthy says what is not yet as it should be ("" when all is): a leader and a synchronous
// standby streaming, HAProxy's write port on the leader, every Fugong process up in HAProxy.
func Healthy() string {
	ms, err := Members()
	if err != nil {
		return err.Error()
	}
	roles := map[string]string{}
	for _, m := range ms {
		roles[m.Role] = m.Name + " " + m.State
	}
	if !strings.HasSuffix(roles["leader"], "running") {
		return "no leader running"
	}
	if !strings.HasSuffix(roles["sync_standby"], "running") || !syncStreaming() {
		return "no synchronous standby streaming from the leader"
	}
	b, err := Backends()
	if err != nil {
		return "HAProxy's statistics: " + err.Error()
	}
	if why := writeOnLeader(); why != "" {
		return why
	}
	for i := range Apps {
		if st := b["fugong_apps/"+AppName(i)]; st != "UP" {
			return fmt.Sprintf("HAProxy has %s %s", AppName(i), st)
		}
	}
	return ""
}

// syncStreaming asks the leader's Patroni whether a replica streams from it synchronously
// (pg_stat_replication's sync_state): only then is a commit on two machines.
func syncStreaming() bool {
	for _, n := range Nodes {
		code, body := get(fmt.Sprintf("http://127.0.0.1:%d/primary", n.RESTPort))
		if code != 200 {
			continue
		}
		var p struct {
			Replication []struct {
				State     string `json:"state"`
				SyncState string `json:"sync_state"`
			} `json:"replication"`
		}
		if json.Unmarshal([]byte(body), &p) != nil {
			return false
		}
		for _, r := range p.Replication {
			if r.State == "streaming" && r.SyncState == "sync" {
				return true
			}
		}
	}
	return false
}

// writeOnLeader says what is wrong with HAProxy's write port ("" when it goes to the leader
// and nowhere else).
func writeOnLeader() string {
	leader := Leader()
	if leader == "" {
		return "no member answers /primary"
	}
	b, err := Backends()
	if err != nil {
		return "HAProxy's statistics: " + err.Error()
	}
	for _, n := range Nodes {
		switch st := b["pg_write/"+n.Name]; {
		case n.Name == leader && st != "UP":
			return "HAProxy's write port is not on the leader " + leader + " yet"
		case n.Name != leader && st == "UP":
			return "HAProxy's write port still counts " + n.Name + ", not the leader, up"
		}
	}
	return ""
}

// WaitHealthy waits up to limit until Healthy has nothing to say, and says what it waited
// for when it gives up.
func (s *State) WaitHealthy(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		why := Healthy()
		if why == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the cluster was not healthy within %s: %s", limit, why)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// WaitAppState waits up to limit until HAProxy has Fugong process i in state (UP, DOWN).
func WaitAppState(i int, state string, limit time.Duration) bool {
	return WaitFor(limit, func() bool {
		b, err := Backends()
		return err == nil && b["fugong_apps/"+AppName(i)] == state
	})
}

// Down stops everything the cluster in dir started, the Fugong processes first (SIGTERM:
// they drain), then HAProxy, the Patroni members (which stop their PostgreSQL), etcd; what
// does not end within its time is killed. With remove, the folder goes too.
func Down(dir string, remove bool, log io.Writer) error {
	s, err := Load(dir)
	if err != nil {
		return err
	}
	var order []string
	for i := range Apps {
		order = append(order, AppName(i))
	}
	order = append(order, "haproxy")
	// The replicas before the leader: stopping the leader first would make a replica take over.
	leader := Leader()
	for _, n := range Nodes {
		if n.Name != leader {
			order = append(order, n.Name)
		}
	}
	if leader != "" {
		order = append(order, leader)
	}
	order = append(order, "etcd")
	for _, name := range order {
		pid := s.Pids[name]
		if !alive(pid) {
			continue
		}
		_ = syscall.Kill(pid, syscall.SIGTERM)
		if !waitGone(pid, 40*time.Second) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			waitGone(pid, 5*time.Second)
			fmt.Fprintf(log, "killed %s (pid %d): it did not end within 40 s of SIGTERM\n", name, pid)
		} else {
			fmt.Fprintf(log, "stopped %s (pid %d)\n", name, pid)
		}
	}
	// A member killed with its Patroni (KillNode) and never started again leaves nothing;
	// one whose Patroni died alone would leave its PostgreSQL: stop that too.
	for _, n := range Nodes {
		if pm := postmasterPid(filepath.Join(dir, n.Name, "data")); alive(pm) {
			_ = syscall.Kill(pm, syscall.SIGQUIT)
			waitGone(pm, 10*time.Second)
			fmt.Fprintf(log, "stopped %s's PostgreSQL (pid %d)\n", n.Name, pm)
		}
	}
	if remove { // Load found state.json: the folder is a cluster's
		return os.RemoveAll(dir)
	}
	return nil
}

// Status writes what runs and how the pieces see each other.
func Status(dir string, w io.Writer) error {
	s, err := Load(dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(s.Pids))
	for name := range s.Pids {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		st := "running"
		if !s.Alive(name) {
			st = "not running"
		}
		fmt.Fprintf(w, "%-8s pid %-7d %s\n", name, s.Pids[name], st)
	}
	if ms, err := Members(); err == nil {
		for _, m := range ms {
			fmt.Fprintf(w, "patroni  %-4s %-13s %-10s lag %v\n", m.Name, m.Role, m.State, m.Lag)
		}
	} else {
		fmt.Fprintf(w, "patroni: %v\n", err)
	}
	if b, err := Backends(); err == nil {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range b {
				if !yield(k) {
					return
				}
			}
		})
		for _, k := range keys {
			fmt.Fprintf(w, "haproxy  %-20s %s\n", k, b[k])
		}
	} else {
		fmt.Fprintf(w, "haproxy: %v\n", err)
	}
	if why := Healthy(); why != "" {
		fmt.Fprintf(w, "not healthy: %s\n", why)
	} else {
		fmt.Fprintln(w, "healthy")
	}
	return nil
}

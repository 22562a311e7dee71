package hacluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// DefaultDir is where the cluster keeps its data, logs and state unless told otherwise.
func DefaultDir() string { return filepath.Join(os.TempDir(), "fugong-cluster") }

// State is what `up` leaves in the cluster's folder (state.json): the processes it started
// and the secrets the Fugong processes share, so that `down`, `status` and the fault scripts
// find them from another process.
type State struct {
	Dir       string         `json:"dir"`
	Bin       string         `json:"bin"`        // the fugong binary, built once
	JWTSecret string         `json:"jwt_secret"` // hex
	DataKey   string         `json:"data_key"`   // base64, 32 bytes
	Pids      map[string]int `json:"pids"`       // etcd, pg1, pg2 (Patroni), haproxy, app1…app3
}

// Load reads the state of the cluster in dir.
func Load(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no cluster in %s (start one: go run ./scripts/cluster up)", dir)
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "state.json"), err)
	}
	return &s, nil
}

func (s *State) save() error {
	b, _ := json.MarshalIndent(s, "", "  ")
	return os.WriteFile(filepath.Join(s.Dir, "state.json"), b, 0o600)
}

// AppEnv is the environment of Fugong process i. Every process serves the same database
// through HAProxy's write port with the same secrets, and reads what may be a few seconds old
// through its read port (ReadURL); FUGONG_DRAIN_DELAY keeps a process that
// got SIGTERM answering (its /healthz 503) until HAProxy's check has taken it out.
func (s *State) AppEnv(i int) []string {
	return append(os.Environ(), "FUGONG_DATABASE_URL="+WriteURL(Database), "FUGONG_DATABASE_READ_URL="+ReadURL(Database),
		fmt.Sprintf("FUGONG_ADDR=127.0.0.1:%d", AppPort(i)), "FUGONG_METRICS_ADDR=off",
		"FUGONG_DATA_DIR="+filepath.Join(s.Dir, fmt.Sprintf("app%d", i+1)),
		"FUGONG_JWT_SECRET="+s.JWTSecret, "FUGONG_DATA_KEY="+s.DataKey,
		"FUGONG_PUBLIC_URL="+AppURL(), "FUGONG_TRUSTED_PROXIES=127.0.0.1/32",
		"FUGONG_DRAIN_DELAY=2s", "FUGONG_DB_MAX_CONNS=16")
}

// AppName is the state's name of Fugong process i.
func AppName(i int) string { return fmt.Sprintf("app%d", i+1) }

// spawn starts a program in its own session (it outlives the `up` that started it), its
// output appended to dir/name.log, as cred's user when cred is set, and records its pid.
func (s *State) spawn(name string, cred *syscall.Credential, env []string, prog string, args ...string) error {
	logf, err := os.OpenFile(filepath.Join(s.Dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(prog, args...)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	s.Pids[name] = cmd.Process.Pid
	go func() { _ = cmd.Wait() }() // reaped while we run; after we exit, init reaps it
	return s.save()
}

// alive reports whether process pid exists (and is not a zombie we have yet to reap).
func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state is the field after the parenthesised command name.
	for i := len(b) - 1; i > 0; i-- {
		if b[i] == ')' && i+2 < len(b) {
			return b[i+2] != 'Z'
		}
	}
	return true
}

// Alive reports whether the process named name (app1, pg1, …) runs.
func (s *State) Alive(name string) bool { return alive(s.Pids[name]) }

// Signal sends sig to the process named name.
func (s *State) Signal(name string, sig syscall.Signal) error {
	pid := s.Pids[name]
	if !alive(pid) {
		return fmt.Errorf("%s (pid %d) is not running", name, pid)
	}
	return syscall.Kill(pid, sig)
}

// waitGone waits up to limit for process pid to end.
func waitGone(pid int, limit time.Duration) bool {
	return WaitFor(limit, func() bool { return !alive(pid) })
}

// WaitFor polls cond every 100 ms until it holds or limit passes.
func WaitFor(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// postgresUser is the credential PostgreSQL and Patroni run with when we are root (initdb
// and postgres refuse to run as root), nil otherwise.
func postgresUser() (*syscall.Credential, int, int, error) {
	if os.Geteuid() != 0 {
		return nil, os.Getuid(), os.Getgid(), nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, 0, 0, fmt.Errorf("as root, PostgreSQL must run as the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, uid, gid, nil
}

package loadtest

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Server is the fugong binary running as its own process.
type Server struct {
	URL     string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{} // closed when the process has ended; then exitErr and at are set
	exitErr error
	at      time.Time
}

// StartServer runs `fugong serve` on a database and waits until it listens; env is added to
// the runner's environment (FUGONG_ADDR=127.0.0.1:PORT, say, to keep one address across
// restarts). Its output goes to a log file in the scratch folder (read it when a scenario fails).
func (r *Runner) StartServer(ctx context.Context, dbURL string, env ...string) (*Server, error) {
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(r.serverEnv(dbURL), env...)
	logPath := filepath.Join(r.dir, "server-"+hex.EncodeToString(randomBytes(3))+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	s := &Server{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	urlc := s.follow(out, logFile)
	select {
	case u := <-urlc:
		s.URL = u
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("the server ended before it listened (%v); its log: %s", s.exitErr, logPath)
	case <-time.After(2 * time.Minute):
	case <-ctx.Done():
	}
	s.Kill()
	return nil, fmt.Errorf("the server did not listen within 2 minutes; its log: %s", logPath)
}

// follow copies the server's output to its log, sends the URL it says it listens on, and
// records how the process ended once its output is closed.
func (s *Server) follow(out io.Reader, logFile *os.File) <-chan string {
	urlc := make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "Fugong listening on "); ok {
				urlc <- u
			}
			fmt.Fprintln(logFile, line)
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() {
		<-scanned // Wait closes the pipe: read it all first
		s.exitErr = s.cmd.Wait()
		s.at = time.Now()
		logFile.Close()
		close(s.exited)
	}()
	return urlc
}

// Pid is the server's process ID, to read its memory from /proc.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// LogPath is the file the server's output goes to.
func (s *Server) LogPath() string { return s.logPath }

// Exited is closed when the process has ended.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Kill ends the server at once, as a crash or the OOM killer would, and waits for it.
func (s *Server) Kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// Signal sends sig to the server; Wait then says how it ended.
func (s *Server) Signal(sig os.Signal) error { return s.cmd.Process.Signal(sig) }

// Wait waits up to limit for the server to end and returns its exit code (-1: killed by a
// signal) and when it ended; ok is false if it was still running and had to be killed.
func (s *Server) Wait(limit time.Duration) (code int, at time.Time, ok bool) {
	select {
	case <-s.exited:
	case <-time.After(limit):
		s.Kill()
		return -1, s.at, false
	}
	var ee *exec.ExitError
	if errors.As(s.exitErr, &ee) {
		if ws, isWS := ee.Sys().(syscall.WaitStatus); isWS && ws.Signaled() {
			return -1, s.at, true
		}
		return ee.ExitCode(), s.at, true
	}
	return 0, s.at, true
}

// Running reports whether the process is still alive.
func (s *Server) Running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// Stop ends the server the way an operator would (SIGTERM: graceful, as SIGINT) and waits
// for it, killing it after 30 s. A server already ended is left as it is.
func (s *Server) Stop() {
	if s.Running() {
		_ = s.Signal(syscall.SIGTERM)
		s.Wait(30 * time.Second)
	}
}

// ErrorSummary sums up the errors in the server's log by kind, at most five kinds: what the
// 5xx answers were, since the answers themselves only say "internal".
func (s *Server) ErrorSummary() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "no log found"
	}
	counts := map[string]int{}
	var order []string
	for _, line := range strings.Split(string(b), "\n") {
		var entry struct {
			Level, Msg, Error string
			Trace             struct{ Error string }
		}
		if json.Unmarshal([]byte(line), &entry) != nil || entry.Level != "ERROR" || entry.Msg == "request" {
			continue // "request" lines repeat, as a status, the error logged just before
		}
		kind := strings.TrimSpace(entry.Msg + ": " + entry.Error + " " + entry.Trace.Error)
		if counts[kind] == 0 {
			order = append(order, kind)
		}
		counts[kind]++
	}
	if len(order) == 0 {
		return "no errors logged"
	}
	var parts []string
	for i, m := range order {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more kinds", len(order)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("%d× %s", counts[m], m))
	}
	return strings.Join(parts, "; ")
}

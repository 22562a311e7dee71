package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRun drives the real server, started as `fugong serve --demo` on SQLite, for two seconds:
// every report is taken, none refused.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "fugong")
	if out, err := exec.Command("go", "build", "-o", bin, "fugong").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--demo")
	cmd.Env = append(os.Environ(), "FUGONG_DATABASE_URL=sqlite:"+filepath.Join(dir, "d.db"), "FUGONG_DATA_DIR="+dir,
		"FUGONG_ADDR=127.0.0.1:0", "FUGONG_METRICS_ADDR=off")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Fugong listening on "); ok {
				urlc <- "http://" + strings.TrimPrefix(u, "http://")
			}
		}
	}()
	var url string
	select {
	case url = <-urlc:
	case <-time.After(time.Minute):
		t.Fatal("the server did not listen within a minute")
	}
	sent, refused, err := run(url, 20, 2*time.Second, 3, "demo1234", 0.3)
	if err != nil || sent < 10 || refused != 0 {
		t.Errorf("got %d sent, %d refused, error %v; want about 40 sent and none refused", sent, refused, err)
	}
}

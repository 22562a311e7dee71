package hacluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHAProxyConfig has HAProxy itself check the configuration the cluster writes (haproxy
// -c), and that every Fugong process and member is in it behind the right check.
func TestHAProxyConfig(t *testing.T) {
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Skip("needs haproxy (Debian: apt-get install haproxy)")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := writeFile(filepath.Join(dir, "haproxy-503.http"), haproxy503); err != nil {
		t.Fatal(err)
	}
	text := haproxyCfg(dir)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("haproxy", "-c", "-f", cfg).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	for _, want := range []string{"option httpchk GET /healthz", "option httpchk GET /primary", "option httpchk GET /replica",
		"server app1 127.0.0.1:18451 check", "server app3 127.0.0.1:18453 check",
		"server pg1 127.0.0.1:18411 check port 18410", "server pg2 127.0.0.1:18421 check port 18420",
		"retry-on conn-failure empty-response", "on-marked-down shutdown-sessions"} {
		if !strings.Contains(text, want) {
			t.Errorf("the configuration lacks %q", want)
		}
	}
}

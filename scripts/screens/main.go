// Command screens photographs every page of Fugong as each demo role sees it, at a phone's and
// a desktop's width, and the wall at 3840×2160, so that anyone can look at the screens without
// signing in to each account (issue 21).
//
//	go run ./scripts/screens                      # into screens/360, screens/1920, screens/3840
//	go run ./scripts/screens -out /tmp/s -widths 360 -accounts hr21,worker
//
// It starts Fugong in this process on a fresh SQLite demo (a temporary folder, a random port),
// drives headless Chromium (/usr/bin/chromium; apt-get install chromium fonts-noto-cjk), signs
// in through the real forms, and opens each role's menu as frontend/src/menu.js lists it, the
// detail pages its lists lead to, the worker's /checkin and the gate's /gate. A page is taken
// once nothing is loading; the files are <out>/<width>/<account>-<page>.png, and a table of
// them, with the console errors each page logged, is printed and kept in <out>/summary.txt.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// defaultAccounts are the README's demo accounts, one per kind of screen: hr1's enterprise
// has not applied yet and hr21's has reopened, so the HR pages are seen empty and full.
// wall1 is the wall's viewer account; a demo without it is reported, not fatal.
var defaultAccounts = []string{"platform", "changshan", "supervisor1", "hr1", "hr21", "gate1", workerAccount, "wall1"}

// wallAccount signs in for the wall at 3840×2160; the town admin stands in when it cannot.
const wallAccount = "wall1"

// options are the command's flags.
type options struct {
	out      string
	widths   []int
	accounts []string
	wall     bool
}

func main() {
	out := flag.String("out", "screens", "folder for the PNGs")
	widths := flag.String("widths", "360,1920", "viewport widths in CSS px, comma separated (768 and below are phones)")
	accounts := flag.String("accounts", strings.Join(defaultAccounts, ","), `demo accounts to sign in as ("`+workerAccount+`": a worker on duty with the demo PIN)`)
	wall := flag.Bool("wall", true, "also take /wall at 3840×2160 when the frontend routes it")
	flag.Parse()
	opts := options{out: *out, accounts: splitList(*accounts), wall: *wall}
	for _, w := range splitList(*widths) {
		n, err := strconv.Atoi(w)
		if err != nil || n < 200 || n > 7680 {
			fmt.Fprintf(os.Stderr, "screens: -widths: %q is not a width between 200 and 7680\n", w)
			os.Exit(2)
		}
		opts.widths = append(opts.widths, n)
	}
	if _, err := run(opts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "screens:", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// heightFor is the viewport's height at a width: a phone's 740 px, else 16:9 (1920×1080,
// 3840×2160). Screenshots take the whole page whatever the height.
func heightFor(width int) int {
	if width <= 768 {
		return 740
	}
	return width * 9 / 16
}

// run takes the screenshots and prints their table to stdout; it returns the rows for a test
// to check.
func run(opts options, stdout io.Writer) ([]row, error) {
	started := time.Now()
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	fe, err := readFrontend(filepath.Join(root, "frontend", "src"))
	if err != nil {
		return nil, err
	}
	chromium := findChromium()
	if chromium == "" {
		return nil, fmt.Errorf("no Chromium found (apt-get install chromium fonts-noto-cjk)")
	}
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "fugong-screens-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintln(stdout, "starting serve --demo on a fresh SQLite database…")
	srv, err := startServer(tmp, filepath.Join(opts.out, "server.log"))
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	b, err := newBrowser(chromium, filepath.Join(tmp, "profile"))
	if err != nil {
		return nil, err
	}
	defer b.cancel()
	t := &taker{opts: opts, fe: fe, b: b, c: newClient(srv.url), stdout: stdout}
	t.all()
	t.wall()
	fmt.Fprintf(stdout, "\n%d screenshots in %s, %v\n\n", t.files(), opts.out, time.Since(started).Round(time.Second))
	return t.rows, t.summary()
}

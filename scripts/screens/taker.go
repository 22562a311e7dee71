package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/chromedp/chromedp"
)

// pageLimit bounds the wait for one page to load; past it the page is taken as it is and the
// table says so. Generous: other work shares the machine's two cores.
const pageLimit = 45 * time.Second

// row is one line of the summary: a screenshot, or why an account has none.
type row struct {
	account, role, page string
	width               int
	file                string   // relative to the output folder; "" when none was taken
	notes               []string // a redirect, a page still loading, a sign-in that failed
	console             []string // console errors, exceptions and CSP violations of the page
}

// taker signs in as each account and photographs its pages.
type taker struct {
	opts   options
	fe     frontend
	b      *browser
	c      *client
	stdout io.Writer
	rows   []row
	admin  *session // the town admin's API session, to find a worker
	wallOK bool     // wall1 signed in
}

// all photographs every account's pages at every width.
func (t *taker) all() {
	for _, account := range t.opts.accounts {
		s, err := t.session(account)
		if err != nil {
			t.add(row{account: account, notes: []string{"cannot sign in, skipped: " + err.Error()}})
			continue
		}
		if account == wallAccount {
			t.wallOK = true
		}
		shots, err := t.pages(s)
		if err != nil {
			t.add(row{account: account, role: s.role, notes: []string{"cannot list its pages: " + err.Error()}})
			continue
		}
		if err := t.b.signIn(t.c.url, s); err != nil {
			t.add(row{account: account, role: s.role, notes: []string{err.Error()}})
			continue
		}
		for _, w := range t.opts.widths {
			for _, sh := range shots {
				t.add(t.take(s, sh, w, heightFor(w)))
			}
		}
	}
}

// wall photographs /wall at 3840×2160 as the wall's viewer, or the town admin when the demo
// has no viewer yet, if the frontend routes it.
func (t *taker) wall() {
	if !t.opts.wall {
		return
	}
	if !t.fe.hasWall {
		t.add(row{account: wallAccount, page: "wall", width: 3840, notes: []string{"frontend/src/router.js has no /wall route: skipped"}})
		return
	}
	account := wallAccount
	if !t.wallOK {
		account = "changshan"
	}
	s, err := t.session(account)
	if err == nil {
		err = t.b.signIn(t.c.url, s)
	}
	if err != nil {
		t.add(row{account: account, page: "wall", width: 3840, notes: []string{err.Error()}})
		return
	}
	r := t.take(s, shot{"wall", "/wall"}, 3840, 2160)
	if account != wallAccount {
		r.notes = append(r.notes, wallAccount+" could not sign in: taken as "+account)
	}
	t.add(r)
}

// session signs account in through the API: a staff account with the demo password, the
// worker as a town admin would find one.
func (t *taker) session(account string) (session, error) {
	if account != workerAccount {
		return t.c.signIn(account)
	}
	if t.admin == nil {
		a, err := t.c.signIn("changshan")
		if err != nil {
			return session{}, fmt.Errorf("the town admin, to find a worker: %w", err)
		}
		t.admin = &a
	}
	return t.c.signInWorker(*t.admin)
}

// pages are the account's menu (as menu.js lists it for its role), then its detail pages.
func (t *taker) pages(s session) ([]shot, error) {
	var shots []shot
	for _, p := range menuPaths(t.fe.menu, s.role) {
		shots = append(shots, shot{strings.ReplaceAll(strings.Trim(p, "/"), "/", "-"), p})
	}
	details, err := t.c.detailPages(s)
	if err != nil {
		return nil, err
	}
	// The wall is every size's page for its viewer, whether or not a menu lists it.
	if t.fe.hasWall && s.account == wallAccount {
		details = append(details, shot{"wall", "/wall"})
	}
	for _, d := range details {
		if !slices.ContainsFunc(shots, func(x shot) bool { return x.path == d.path }) {
			shots = append(shots, d)
		}
	}
	return shots, nil
}

// take opens one page at a size, waits until it has loaded and saves it.
func (t *taker) take(s session, sh shot, width, height int) row {
	r := row{account: s.account, role: s.role, page: sh.name, width: width}
	if err := t.b.viewport(width, height); err != nil {
		r.notes = append(r.notes, err.Error())
		return r
	}
	t.b.newPage()
	if err := t.b.do("open "+sh.path, time.Minute, chromedp.Navigate(t.c.url+sh.path)); err != nil {
		r.notes = append(r.notes, err.Error())
		return r
	}
	if err := t.b.settle(pageLimit); errors.Is(err, errNotSettled) {
		r.notes = append(r.notes, err.Error())
	} else if err != nil {
		r.notes = append(r.notes, err.Error())
		return r
	}
	r.notes = append(r.notes, t.where(sh)...)
	png, err := t.b.screenshot()
	if err == nil {
		r.file = filepath.Join(strconv.Itoa(width), s.account+"-"+sh.name+".png")
		path := filepath.Join(t.opts.out, r.file)
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			err = os.WriteFile(path, png, 0o644)
		}
	}
	if err != nil {
		r.file = ""
		r.notes = append(r.notes, "screenshot: "+err.Error())
	}
	r.console = t.b.takeProblems()
	return r
}

// where says when the page shown is not the one asked for: the router sent the role elsewhere
// (its home, or the sign-in form), or the embedded build has no such page.
func (t *taker) where(sh shot) []string {
	var notes []string
	path, err := eval[string](t.b, `location.pathname`)
	if err != nil {
		return []string{err.Error()}
	}
	if path != sh.path {
		notes = append(notes, "redirected to "+path)
	}
	title, err := eval[string](t.b, `document.title`)
	if err == nil && t.fe.notFoundTitle != "" && strings.HasPrefix(title, t.fe.notFoundTitle) {
		notes = append(notes, "not-found page: is frontend/dist built from this source?")
	}
	return notes
}

// add keeps a row and prints a line of progress, so a long run shows it is moving.
func (t *taker) add(r row) {
	t.rows = append(t.rows, r)
	what := r.file
	if what == "" {
		what = r.account + " " + r.page
	}
	status := "ok"
	if len(r.notes) > 0 || len(r.console) > 0 {
		status = fmt.Sprintf("%d note(s), %d console error(s)", len(r.notes), len(r.console))
	}
	fmt.Fprintf(t.stdout, "  %-48s %s\n", what, status)
}

// files counts the screenshots taken.
func (t *taker) files() int {
	n := 0
	for _, r := range t.rows {
		if r.file != "" {
			n++
		}
	}
	return n
}

// summary prints the table, and the console errors in full under it, to stdout and to
// <out>/summary.txt.
func (t *taker) summary() error {
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tROLE\tPAGE\tWIDTH\tFILE\tCONSOLE ERRORS\tNOTES")
	for _, r := range t.rows {
		width := ""
		if r.width > 0 {
			width = strconv.Itoa(r.width)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.account, r.role, r.page, width, orDash(r.file), len(r.console), strings.Join(r.notes, "; "))
	}
	tw.Flush()
	for _, r := range t.rows {
		for _, c := range r.console {
			fmt.Fprintf(&sb, "\nconsole, %s at %d: %s", r.account+" "+r.page, r.width, c)
		}
	}
	fmt.Fprint(t.stdout, sb.String())
	return os.WriteFile(filepath.Join(t.opts.out, "summary.txt"), []byte(sb.String()+"\n"), 0o644)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

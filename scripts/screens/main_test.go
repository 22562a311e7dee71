package main

import (
	"bytes"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestMenuRead checks that every entry of the real menu.js is read, with its roles, so a menu
// written differently fails here rather than leaving pages out of the screenshots unnoticed.
func TestMenuRead(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	fe, err := readFrontend(filepath.Join(root, "frontend", "src"))
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(filepath.Join(root, "frontend", "src", "menu.js"))
	menuSrc := string(src)[strings.Index(string(src), "export const MENU"):]
	menuSrc = menuSrc[:strings.Index(menuSrc, "\n]")]
	if want := strings.Count(menuSrc, "path:"); len(fe.menu) != want {
		t.Errorf("got %d menu entries, want %d (one per path: in MENU)", len(fe.menu), want)
	}
	for _, e := range fe.menu {
		if len(e.Roles) == 0 {
			t.Errorf("%s: got no roles", e.Path)
		}
	}
	if got := menuPaths(fe.menu, "platform_admin"); !slices.Contains(got, "/audit") {
		t.Errorf("platform_admin: got %v, want /audit among them", got)
	}
	if fe.notFoundTitle == "" {
		t.Error("got no not-found title from zh-CN.json")
	}
}

// TestScreens is a short run: the gate's and the worker's phone pages at 360 px are written as
// PNGs of that width that show something, taken where they were asked for.
func TestScreens(t *testing.T) {
	if findChromium() == "" {
		if os.Getenv("FUGONG_REQUIRE_BROWSER") == "1" {
			t.Fatal("no Chromium found and FUGONG_REQUIRE_BROWSER=1: apt-get install chromium")
		}
		t.Skip("browser test skipped: no Chromium found (apt-get install chromium)")
	}
	out := t.TempDir()
	rows, err := run(options{out: out, widths: []int{360}, accounts: []string{"gate1", workerAccount}}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, r := range rows {
		if len(r.notes) > 0 || len(r.console) > 0 {
			t.Errorf("%s %s: got notes %q, console %q, want none", r.account, r.page, r.notes, r.console)
		}
		if r.file != "" {
			files = append(files, r.file)
		}
	}
	want := []string{filepath.Join("360", "gate1-gate.png"), filepath.Join("360", "worker-checkin.png")}
	if !slices.Equal(files, want) {
		t.Fatalf("got files %q, want %q", files, want)
	}
	for _, f := range files {
		checkPNG(t, filepath.Join(out, f), 360)
	}
	if _, err := os.Stat(filepath.Join(out, "summary.txt")); err != nil {
		t.Errorf("summary: %v", err)
	}
}

// checkPNG fails unless path is a PNG width pixels wide with more than a few colours (a blank
// or half-drawn page has one or two).
func checkPNG(t *testing.T, path string, width int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got := img.Bounds().Dx(); got != width {
		t.Errorf("%s: got %d px wide, want %d", path, got, width)
	}
	colours := map[[4]uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y && len(colours) <= 16; y += 7 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	if len(colours) <= 16 {
		t.Errorf("%s: got %d colours, want a page with text and colours", path, len(colours))
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// menuEntry is one row of MENU in frontend/src/menu.js: a page and the roles it is shown to.
// The menu is read from the source at run time rather than copied here, so that a page added
// to the menu is photographed without anyone remembering this command.
type menuEntry struct {
	Path  string
	Roles []string
}

// entryRE matches one entry of MENU: its path, then (within the same braces) its roles.
var entryRE = regexp.MustCompile(`\{[^{}]*?path:\s*'([^']+)'[^{}]*?roles:\s*\[([^\]]*)\]`)

// parseMenu reads the entries of MENU from menu.js's text.
func parseMenu(src string) ([]menuEntry, error) {
	start := strings.Index(src, "export const MENU = [")
	if start < 0 {
		return nil, fmt.Errorf("menu.js: no \"export const MENU = [\"")
	}
	body := src[start:]
	if end := strings.Index(body, "\n]"); end >= 0 {
		body = body[:end]
	}
	var menu []menuEntry
	for _, m := range entryRE.FindAllStringSubmatch(body, -1) {
		e := menuEntry{Path: m[1]}
		for _, r := range strings.Split(m[2], ",") {
			if r = strings.Trim(strings.TrimSpace(r), `'"`); r != "" {
				e.Roles = append(e.Roles, r)
			}
		}
		menu = append(menu, e)
	}
	if len(menu) == 0 {
		return nil, fmt.Errorf("menu.js: no entries found in MENU")
	}
	return menu, nil
}

// menuPaths is the pages of role's menu in menu order, each once (two entries may share a
// path under different labels).
func menuPaths(menu []menuEntry, role string) []string {
	var paths []string
	for _, e := range menu {
		if slices.Contains(e.Roles, role) && !slices.Contains(paths, e.Path) {
			paths = append(paths, e.Path)
		}
	}
	return paths
}

// wallRouteRE finds the wall's route in router.js, whether top level ('/wall') or a child of
// the staff layout ('wall').
var wallRouteRE = regexp.MustCompile(`path:\s*'/?wall'`)

// frontend is what the command reads from the frontend's source: the menu, whether /wall is
// routed, and the title of the not-found page (to tell a page the embedded build lacks).
type frontend struct {
	menu          []menuEntry
	hasWall       bool
	notFoundTitle string
}

// readFrontend reads menu.js, router.js and the Chinese messages under dir (frontend/src).
func readFrontend(dir string) (frontend, error) {
	var f frontend
	menuJS, err := os.ReadFile(filepath.Join(dir, "menu.js"))
	if err != nil {
		return f, err
	}
	if f.menu, err = parseMenu(string(menuJS)); err != nil {
		return f, err
	}
	routerJS, err := os.ReadFile(filepath.Join(dir, "router.js"))
	if err != nil {
		return f, err
	}
	f.hasWall = wallRouteRE.Match(routerJS) || slices.ContainsFunc(f.menu, func(e menuEntry) bool { return e.Path == "/wall" })
	zh, err := os.ReadFile(filepath.Join(dir, "locales", "zh-CN.json"))
	if err != nil {
		return f, err
	}
	var msgs struct {
		Errors struct {
			NotFoundTitle string `json:"notFoundTitle"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(zh, &msgs); err != nil {
		return f, fmt.Errorf("zh-CN.json: %w", err)
	}
	f.notFoundTitle = msgs.Errors.NotFoundTitle
	return f, nil
}

// repoRoot finds the module's root from the current directory upwards, so the command runs
// from the repository's root (`go run ./scripts/screens`) and its test from its own folder.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module fugong\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("not inside the fugong module: run from the repository")
		}
		dir = parent
	}
}

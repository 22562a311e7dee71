package api

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// catalogExceptions are the messages the collector finds that need no catalog entry, each
// with the reason. Keyed by the message's shape, parameters written {}.
var catalogExceptions = map[string]string{}

// TestMessageCatalogCoversMessages walks domain/ and api/ for the Chinese messages given to
// the error constructors (Invalid, Problems.Add, NotFound, Conflict, Forbidden,
// Unauthenticated, Message: and msg: fields), so that a new message without an English one
// fails here. Run with FUGONG_CATALOG_DRAFT=1 to print a draft entry for each missing one.
func TestMessageCatalogCoversMessages(t *testing.T) {
	found := map[string]collected{}
	for _, dir := range []string{"../domain", ".", "../report/roster", "../report/internal/ooxml", "../report/daily"} {
		collectMessages(t, dir, found)
	}
	if len(found) < 100 {
		t.Fatalf("collected %d messages, want hundreds: the collector has lost its way", len(found))
	}
	have := map[string]bool{}
	for _, m := range catalog {
		have[shape(m.zh)] = true
	}
	var missing []string
	for _, s := range sortedKeys(found) {
		if have[s] || catalogExceptions[s] != "" || coveredByPattern(found[s].pattern) {
			continue
		}
		missing = append(missing, s)
		t.Errorf("%s: message %q has no catalog entry in messages_en.go", found[s].pos, found[s].pattern)
	}
	if os.Getenv("FUGONG_CATALOG_DRAFT") != "" {
		for _, s := range missing {
			fmt.Printf("\t{%q, %q, %q}, // %s\n", "", found[s].pattern, "", found[s].pos)
		}
	}
	t.Logf("%d messages collected, catalog has %d entries", len(found), len(catalog))
}

// coveredByPattern reports whether a message without parameters (企业不存在) is matched by a
// pattern of the catalog ({what}不存在) whose every parameter is a known term, so that its
// English is whole.
func coveredByPattern(msg string) bool {
	if placeholder.MatchString(msg) {
		return false
	}
	e, params := lookup(msg)
	if e == nil {
		return false
	}
	for _, v := range params {
		if _, ok := terms[v]; !ok {
			return false
		}
	}
	return true
}

// quotesChinese are the entries whose English must quote Chinese: what a roster cell is to
// hold (是, 否, a region's Chinese name, 第1批).
var quotesChinese = map[string]bool{"roster.yes_no": true, "roster.no_such_region": true, "placement.no_such_batch": true,
	"upload.no_data": true}

// TestMessageCatalogEntries keeps the catalog sound: codes and Chinese are unique, and the
// English has the same parameters as the Chinese.
func TestMessageCatalogEntries(t *testing.T) {
	codes, texts := map[string]bool{}, map[string]bool{}
	for _, m := range catalog {
		if m.code == "" || codes[m.code] {
			t.Errorf("code %q: empty or used twice", m.code)
		}
		if texts[shape(m.zh)] {
			t.Errorf("%s: %q is catalogued twice", m.code, m.zh)
		}
		codes[m.code], texts[shape(m.zh)] = true, true
		zh, en := placeholder.FindAllString(m.zh, -1), placeholder.FindAllString(m.en, -1)
		slices.Sort(zh)
		slices.Sort(en)
		if !slices.Equal(zh, en) {
			t.Errorf("%s: English has parameters %v, want %v", m.code, en, zh)
		}
		if hasHan(placeholder.ReplaceAllString(m.en, "")) && !quotesChinese[m.code] {
			t.Errorf("%s: English %q has Chinese in it", m.code, m.en)
		}
	}
}

// collected is one message the collector found: its pattern and where it was first seen.
type collected struct{ pattern, pos string }

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// messageArgs names the constructors and which argument is the message; NotFound's message
// is its argument followed by 不存在.
var messageArgs = map[string]msgArg{"Invalid": {1, ""}, "Add": {1, ""}, "NotFound": {0, "不存在"},
	"Conflict": {0, ""}, "Forbidden": {0, ""}, "Unauthenticated": {0, ""}}

// msgArg is the place of a call's message among its arguments, and what the callee adds to it.
type msgArg struct {
	i      int
	suffix string
}

func collectMessages(t *testing.T, dir string, found map[string]collected) {
	t.Helper()
	collectTexts(t, dir, found, messageArgs, map[string]bool{"Message": true, "msg": true})
}

// collectTexts finds the texts given to the calls of args and to the struct fields of keys.
func collectTexts(t *testing.T, dir string, found map[string]collected, args map[string]msgArg, keys map[string]bool) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	c := collector{fset: token.NewFileSet(), found: found, funcs: map[string][]*ast.FuncDecl{}, args: maps.Clone(args),
		consts: map[string]string{}, keys: keys}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := c.parse(name)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				c.funcs[fd.Name.Name] = append(c.funcs[fd.Name.Name], fd) // methods of two types may share a name
			}
			c.addConsts(d)
		}
	}
	for c.findWrappers(files) {
	}
	for _, f := range files {
		c.collect(f)
	}
}

// collector finds messages in one package. Besides the constructors it follows the package's
// own wrappers (a function, method or closure that hands one of its parameters to a constructor, as
// ParseIDNumber's bad does), local variables (msg := …; msg += …) and functions that build a
// message (capacityMessage).
type collector struct {
	fset   *token.FileSet
	found  map[string]collected
	funcs  map[string][]*ast.FuncDecl
	args   map[string]msgArg
	consts map[string]string // the package's named texts (msgTooBig = "…")
	keys   map[string]bool   // the struct fields that hold a text (Message:)
}

// addConsts keeps the package-level constants and variables of d that are a text, so that a
// message named once and used in several places (ooxml's msgNotWorkbook) is found.
func (c *collector) addConsts(d ast.Decl) {
	g, ok := d.(*ast.GenDecl)
	if !ok {
		return
	}
	for _, spec := range g.Specs {
		vs, ok := spec.(*ast.ValueSpec)
		if !ok || len(vs.Names) != len(vs.Values) {
			continue
		}
		for i, n := range vs.Names {
			if p, ok := patternOf(vs.Values[i]); ok {
				c.consts[n.Name] = p
			}
		}
	}
}

func (c *collector) parse(name string) (*ast.File, error) {
	return parser.ParseFile(c.fset, name, nil, 0)
}

// findWrappers adds to c.args every function or closure that passes one of its parameters as
// the message of a call c.args knows; it reports whether it found a new one.
func (c *collector) findWrappers(files []*ast.File) bool {
	grew := false
	check := func(name string, ft *ast.FuncType, body *ast.BlockStmt) {
		if _, known := c.args[name]; known || body == nil {
			return
		}
		params := paramIndex(ft)
		ast.Inspect(body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			a, ok := c.msgArg(call)
			if !ok {
				return true
			}
			if id, ok := call.Args[a.i].(*ast.Ident); ok {
				if j, ok := params[id.Name]; ok {
					c.args[name], grew = msgArg{j, a.suffix}, true
					return false
				}
			}
			return true
		})
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				check(n.Name.Name, n.Type, n.Body)
			case *ast.AssignStmt:
				if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
					if id, ok := n.Lhs[0].(*ast.Ident); ok {
						if fl, ok := n.Rhs[0].(*ast.FuncLit); ok {
							check(id.Name, fl.Type, fl.Body)
						}
					}
				}
			}
			return true
		})
	}
	return grew
}

func paramIndex(ft *ast.FuncType) map[string]int {
	out := map[string]int{}
	i := 0
	for _, field := range ft.Params.List {
		for _, n := range field.Names {
			out[n.Name] = i
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	return out
}

// msgArg says which argument of call is a message, if call is to a constructor or wrapper.
func (c *collector) msgArg(call *ast.CallExpr) (msgArg, bool) {
	name := funcName(call.Fun)
	a, ok := c.args[name]
	if !ok || len(call.Args) <= a.i || (name == "Add" && len(call.Args) != 2) {
		return msgArg{}, false
	}
	return a, true
}

func (c *collector) collect(f *ast.File) {
	var body *ast.BlockStmt // the function the walk is in, for its local variables
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			body = n.Body
		case *ast.CallExpr:
			a, ok := c.msgArg(n)
			if !ok {
				return true
			}
			for _, p := range c.patterns(n.Args[a.i], body, 0) {
				c.add(p+a.suffix, n.Args[a.i])
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && c.keys[k.Name] {
				for _, p := range c.patterns(n.Value, body, 0) {
					c.add(p, n.Value)
				}
			}
		}
		return true
	})
}

func (c *collector) add(p string, at ast.Expr) {
	if !hasHan(p) {
		return // a value, not words (a conflict field's current status)
	}
	if _, seen := c.found[shape(p)]; !seen {
		c.found[shape(p)] = collected{p, c.fset.Position(at.Pos()).String()}
	}
}

// patterns gives the patterns a message expression can take: one for a literal or a
// concatenation, one for each value of a local variable, one for each result of a function of
// the package that builds it.
func (c *collector) patterns(e ast.Expr, body *ast.BlockStmt, depth int) []string {
	if depth > 3 {
		return nil
	}
	switch e := e.(type) {
	case *ast.Ident:
		if p, ok := c.consts[e.Name]; ok {
			return []string{p}
		}
		if body != nil {
			return c.varPatterns(e.Name, body, depth)
		}
	case *ast.CallExpr:
		if fds, ok := c.funcs[funcName(e.Fun)]; ok {
			var out []string
			for _, fd := range fds {
				if fd.Body == nil {
					continue
				}
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
						out = append(out, c.patterns(r.Results[0], fd.Body, depth+1)...)
					}
					return !isFuncLit(n)
				})
			}
			return out
		}
	}
	if p, ok := patternOf(e); ok {
		return []string{p}
	}
	return nil
}

// varPatterns gives the values a local variable is given by := or =, each followed by each
// text a += adds to it.
func (c *collector) varPatterns(name string, body *ast.BlockStmt, depth int) []string {
	var bases, tails []string
	ast.Inspect(body, func(n ast.Node) bool {
		a, ok := n.(*ast.AssignStmt)
		if !ok || len(a.Lhs) != 1 || len(a.Rhs) != 1 {
			return true
		}
		if id, ok := a.Lhs[0].(*ast.Ident); !ok || id.Name != name {
			return true
		}
		ps := c.patterns(a.Rhs[0], nil, depth+1)
		if a.Tok == token.ADD_ASSIGN {
			tails = append(tails, ps...)
		} else {
			bases = append(bases, ps...)
		}
		return true
	})
	out := slices.Clone(bases)
	for _, b := range bases {
		for _, t := range tails {
			out = append(out, b+t)
		}
	}
	return out
}

func isFuncLit(n ast.Node) bool { _, ok := n.(*ast.FuncLit); return ok }

func funcName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// patternOf writes a message expression as a pattern: its literal text, with {name} for each
// part computed at run time. ok is false when it has no literal text at all.
func patternOf(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return patternOf(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, okx := patternOf(e.X)
		if !okx {
			x = "{" + paramName(e.X) + "}"
		}
		y, oky := patternOf(e.Y)
		if !oky {
			y = "{" + paramName(e.Y) + "}"
		}
		return x + y, okx || oky
	case *ast.CallExpr:
		if funcName(e.Fun) == "Sprintf" && len(e.Args) > 0 {
			format, ok := patternOf(e.Args[0])
			if !ok {
				return "", false
			}
			i := 0
			out := verb.ReplaceAllStringFunc(format, func(v string) string {
				if v == "%%" {
					return "%"
				}
				i++
				if i < len(e.Args) {
					return "{" + paramName(e.Args[i]) + "}"
				}
				return "{p" + strconv.Itoa(i) + "}"
			})
			return out, true
		}
	}
	return "", false
}

var verb = regexp.MustCompile(`%%|%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z]`)

// paramName names a computed part after what it computes: latest for strconv.Itoa(latest),
// today for today.String(), the field for p.Status.
func paramName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.CallExpr:
		if s, ok := e.Fun.(*ast.SelectorExpr); ok && len(e.Args) == 0 {
			return paramName(s.X)
		}
		if len(e.Args) > 0 {
			return paramName(e.Args[0])
		}
		return funcName(e.Fun)
	case *ast.IndexExpr:
		return paramName(e.X)
	}
	return "value"
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// shape is a pattern with its parameters unnamed, so that the catalog may name them better
// than the code's variables do.
func shape(pattern string) string { return placeholder.ReplaceAllString(pattern, "{}") }

// TestPrefersEnglish reads Accept-Language with its q-values; anything but a preference for
// English gets Chinese.
func TestPrefersEnglish(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, "en": true, "en-GB": true, "zh-CN": false, "zh-CN,zh;q=0.9,en;q=0.8": false,
		"en;q=0.5, zh-CN;q=0.9": false, "zh-CN;q=0.2, en-US;q=0.8": true, "fr-FR": false,
		"fr-FR, en;q=0.5": true, "de;q=x": false, "*": false,
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Language", header)
		if got := prefersEnglish(r); got != want {
			t.Errorf("Accept-Language %q: got %v, want %v", header, got, want)
		}
	}
}

// TestLocalized translates parameters that are words or messages of their own, and leaves a
// message the catalog lacks as it is, with no code.
func TestLocalized(t *testing.T) {
	for _, tt := range []struct{ zh, code, en string }{
		{"企业当前状态为“已停工”,停工整顿期间不能提交复工方案,整改后由镇专班恢复", "enterprise.status_needs",
			"The enterprise is \"suspended\": No reopening plan can be submitted while suspended; the town team reopens it after the fixes"},
		{"方案当前状态为“已批准”,不能修改", "plan.state_conflict", "The plan is \"approved\"; it cannot be edited"},
		{"确认复工日期早于首批返岗日期 2026-02-20;在岗 30 人,多于方案截至 2026-02-18 计划返岗的 20 人。请填写理由", "plan.reopen_reason",
			"The reopening date is before the first batch's date 2026-02-20; 30 people on duty, more than the 20 the plan has back by 2026-02-18. Please give a reason"},
		{"口罩仅够 1.5 天,100 人 3 天至少需要 600", "plan.supply_days", "Masks lasts only 1.5 days; 100 people need at least 600 for 3 days"},
		{"以下职工的隔离观察期晚于其返岗批次日期:张三(中风险)隔离观察至 2026-03-01,晚于第1批返岗日期 2026-02-20。确认仍按此安排请勾选“确认隔离安排”后重新提交",
			"placement.isolation_conflict", "These workers' isolation ends after their batch's date: 张三 (medium risk) is in isolation until 2026-03-01, after batch 1's return date 2026-02-20. To keep this plan, confirm the isolation arrangement and submit again"},
		{"类型错误:应为true 或 false", "request.wrong_type", "Wrong type: expected true or false"},
		{"请填写班组名称", "text.required", "Please enter the shift name"},
		{"所选企业不存在", "user.enterprise_not_found", "The chosen enterprise does not exist"},
		{"submitted", "", "submitted"},
	} {
		code, _, en := localized(tt.zh, true)
		if code != tt.code || en != tt.en {
			t.Errorf("%s: got %q %q, want %q %q", tt.zh, code, en, tt.code, tt.en)
		}
	}
}

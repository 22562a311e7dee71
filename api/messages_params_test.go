package api

import (
	"go/ast"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fugong/domain"
)

// A parameter of a catalogued message holds one of four kinds of value, and only the server's
// words must come out in English: what a person wrote stays as written.
const (
	paramUser    = "user"    // written by a person: a name, a typed reason, a cell, a sheet's own header
	paramValue   = "value"   // a number, a date, a time, a code: no words at all
	paramWord    = "word"    // one of the server's words (a record, a status, a role, a label)
	paramMessage = "message" // a catalogued message of its own, nested
)

// paramKinds classifies every parameter of the catalog, by "code.param" or, where a name means
// the same everywhere, by the name alone. A new parameter not listed here fails
// TestMessageParamsInEnglish, so that someone decides whether it is the server's word.
var paramKinds = map[string]string{
	// Written by a person (or their spreadsheet), kept as written.
	"name": paramUser, "zone": paramUser, "department": paramUser, "batch": paramUser, "shift": paramUser,
	"origin": paramUser, "username": paramUser, "symptom": paramUser, "char": paramUser, "rule": paramUser,
	"fields": paramUser, "params": paramUser, "sheet": paramUser, "part": paramUser, "batches": paramUser,
	"roster.bad_date.date":              paramUser, // the cell as typed
	"roster.missing_column.column":      paramUser, // the header the sheet must have, as the template writes it
	"township.no_such_region.code":      paramUser,
	"township.region_repeated.code":     paramUser,
	"channel.unknown_message_type.type": paramUser,
	// Numbers, dates, times and codes.
	"adding": paramValue, "assigned": paramValue, "capacity": paramValue, "count": paramValue, "day": paramValue,
	"days": paramValue, "expected": paramValue, "max": paramValue, "max_rows": paramValue, "on_duty": paramValue,
	"per": paramValue, "planned": paramValue, "row": paramValue, "seconds": paramValue, "since": paramValue,
	"sum": paramValue, "temperature": paramValue, "time": paramValue, "today": paramValue, "until": paramValue,
	"version": paramValue, "workers": paramValue, "date": paramValue, "sheets": paramValue, "parts": paramValue,
	"size":                         paramValue,
	"plan.supply_days.need":        paramValue,
	"plan.thermometers.need":       paramValue,
	"alert.status_conflict.status": paramValue, // the alert's status code: open, acknowledged, resolved
	"alert.status_conflict.to":     paramValue,
	"plan.unknown_status.status":   paramUser, // the status a client asked for
	// The server's words.
	"what": paramWord, "status": paramWord, "role": paramWord, "label": paramWord, "verb": paramWord,
	"supply": paramWord, "why": paramWord, "risk": paramWord, "request.wrong_type.type": paramWord,
	// Messages within a message.
	"enterprise.status_needs.need": paramMessage, "breaches": paramMessage, "warnings": paramMessage,
	"warning": paramMessage, "where": paramMessage,
}

// userSample stands for what a person wrote; the English must keep it, and may keep nothing
// else in Chinese.
const userSample = "张三"

// nestedSamples are messages the domain puts into another, by parameter; each holds userSample
// where a person's words go.
var nestedSamples = map[string][]string{
	"need":     {"停工整顿期间不能提交复工方案,整改后由镇专班恢复", "停工整顿期间不能提交新的复工方案,整改后由镇专班恢复"},
	"breaches": {"确认复工日期早于首批返岗日期 2026-02-20", "确认复工日期早于首批返岗日期 2026-02-20;在岗 30 人,多于方案截至 2026-02-18 计划返岗的 20 人"},
	"warning":  {"张三(中风险)隔离观察至 2026-03-01,晚于第1批返岗日期 2026-02-20", "张三(高风险)尚未返回,即使今天返回也要隔离观察至 2026-03-01,晚于第2批返岗日期 2026-02-20"},
	"warnings": {"第 3 行 张三(中风险)隔离观察至 2026-03-01,晚于第1批返岗日期 2026-02-20"},
	"where":    {"工作表「张三」无法读取", "工作表「张三」读到第 5 行时出错"},
}

// TestMessageParamsInEnglish renders every catalogued message with each value the domain can
// put into it (every record, status, role, field label … it writes, found in its code) and
// requires the English, message and params alike, to hold no Chinese but what a person wrote:
// a client that builds its text from message_code and params says the same as the message.
func TestMessageParamsInEnglish(t *testing.T) {
	words := serverWords(t)
	rendered := 0
	for _, m := range catalog {
		names := placeholder.FindAllString(m.zh, -1)
		base := map[string]string{}
		var variants []map[string]string
		for _, p := range names {
			name := p[1 : len(p)-1]
			kind := paramKinds[m.code+"."+name]
			if kind == "" {
				kind = paramKinds[name]
			}
			switch kind {
			case paramUser:
				base[name] = userSample
			case paramValue:
				base[name] = "3"
			case paramWord, paramMessage:
				values := words[name]
				if kind == paramMessage {
					values = nestedSamples[name]
				}
				if len(values) == 0 {
					t.Errorf("%s: no values known for {%s}", m.code, name)
				}
				for _, v := range values {
					variants = append(variants, map[string]string{name: v})
				}
			default:
				t.Errorf("%s: parameter {%s} is not classified in paramKinds: is it the server's word or a person's?", m.code, name)
			}
		}
		if len(variants) == 0 {
			variants = []map[string]string{{}}
		}
		for _, v := range variants {
			params := map[string]string{}
			for _, p := range names {
				name := p[1 : len(p)-1]
				if val, ok := v[name]; ok {
					params[name] = val
				} else if val, ok := base[name]; ok {
					params[name] = val
				} else {
					params[name] = firstOf(words, nestedSamples, name)
				}
			}
			zh := placeholder.ReplaceAllStringFunc(m.zh, func(p string) string { return params[p[1:len(p)-1]] })
			code, enParams, en := localized(zh, true)
			rendered++
			if e, _ := lookup(zh); code != m.code && (e == nil || e.re != nil) { // else catalogued on its own (消息不存在)
				t.Errorf("%q: got code %q, want %q", zh, code, m.code)
				continue
			}
			if left := han.FindAllString(strings.ReplaceAll(en, userSample, ""), -1); left != nil && !quotesChinese[m.code] {
				t.Errorf("%s: %q reads %q in English, keeping %v", m.code, zh, en, left)
			}
			for k, val := range enParams {
				if left := han.FindAllString(strings.ReplaceAll(val, userSample, ""), -1); left != nil {
					t.Errorf("%s: param %s of %q is %q in English, keeping %v", m.code, k, zh, val, left)
				}
			}
			for k, val := range params {
				if paramKinds[k] == paramUser && enParams[k] != val {
					t.Errorf("%s: param %s got %q, want it as written, %q", m.code, k, enParams[k], val)
				}
			}
		}
	}
	if rendered < len(catalog) {
		t.Errorf("rendered %d messages, want at least the catalog's %d", rendered, len(catalog))
	}
	t.Logf("rendered %d messages", rendered)
}

func firstOf(words, nested map[string][]string, name string) string {
	if v := words[name]; len(v) > 0 {
		return v[0]
	}
	if v := nested[name]; len(v) > 0 {
		return v[0]
	}
	return "3"
}

// serverWords gives, for each parameter that holds one of the server's words, every value the
// domain and api write into it: from the code (each literal given to NotFound, checkText,
// a plan's state check, returned by weakPIN or jsonType, a record's name) and from the labels
// of the domain's codes.
func serverWords(t *testing.T) map[string][]string {
	t.Helper()
	w := map[string][]string{}
	add := func(name string, vs ...string) {
		for _, v := range vs {
			if v != "" && !slices.Contains(w[name], v) {
				w[name] = append(w[name], v)
			}
		}
	}
	for _, s := range []domain.EnterpriseStatus{domain.StatusNotApplied, domain.StatusApplied, domain.StatusApproved, domain.StatusReopened, domain.StatusSuspended} {
		add("status", s.Label())
	}
	for _, s := range []domain.PlanStatus{domain.PlanDraft, domain.PlanSubmitted, domain.PlanApproved, domain.PlanRejected} {
		add("status", s.Label())
	}
	for _, r := range []domain.Role{domain.RolePlatformAdmin, domain.RoleTownAdmin, domain.RoleSupervisor, domain.RoleEnterpriseHR, domain.RoleWorker, domain.RoleGate, domain.RoleViewer} {
		add("role", r.Label())
	}
	for _, r := range []domain.RiskLevel{domain.RiskHigh, domain.RiskMedium, domain.RiskLow} {
		add("risk", r.Label())
	}
	add("verb", "批准", "退回")          // a review's verb, by decision (PlanService.Review)
	add("supply", "口罩", "消毒液", "手套") // the supplies plan_rules.go checks
	lits := codeLiterals(t, []string{"../domain", "."})
	add("what", lits.args["NotFound"][0]...)
	add("what", lits.records...)
	add("label", lits.args["checkText"][2]...)
	add("verb", lits.args["stateConflict"][3]...)
	add("verb", lits.args["wrongState"][1]...)
	add("why", lits.returns["weakPIN"]...)
	add("type", lits.returns["jsonType"]...)
	for _, name := range []string{"what", "label", "verb", "why", "type"} {
		if len(w[name]) < 3 {
			t.Errorf("found %d values for {%s} in the code, want several: the walk lost its way", len(w[name]), name)
		}
	}
	return w
}

// literals are the string literals the code passes to functions, returns from them and names
// records with.
type literals struct {
	args    map[string]map[int][]string // function → argument index → literals
	returns map[string][]string         // function → literals it returns
	records []string                    // the Chinese names of api's records: record{"plan", "复工方案"}
}

func codeLiterals(t *testing.T, dirs []string) literals {
	t.Helper()
	out := literals{args: map[string]map[int][]string{}, returns: map[string][]string{}}
	for _, dir := range dirs {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			c := collector{fset: token.NewFileSet()}
			f, err := c.parse(name)
			if err != nil {
				t.Fatal(err)
			}
			out.collect(f)
		}
	}
	return out
}

func (l *literals) collect(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body == nil {
				return true
			}
			ast.Inspect(n.Body, func(m ast.Node) bool {
				if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
					if s, ok := stringLit(r.Results[0]); ok {
						l.returns[n.Name.Name] = append(l.returns[n.Name.Name], s)
					}
				}
				return !isFuncLit(m)
			})
		case *ast.CallExpr:
			name := funcName(n.Fun)
			for i, a := range n.Args {
				if s, ok := stringLit(a); ok {
					if l.args[name] == nil {
						l.args[name] = map[int][]string{}
					}
					l.args[name][i] = append(l.args[name][i], s)
				}
			}
		case *ast.CompositeLit:
			if id, ok := n.Type.(*ast.Ident); ok && id.Name == "record" && len(n.Elts) == 2 {
				if s, ok := stringLit(n.Elts[1]); ok {
					l.records = append(l.records, s)
				}
			}
		}
		return true
	})
}

func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"fugong/domain/region"
)

// The fields of answers that hold what people typed or named (and the groups' messages as
// they were sent): they stay as written in every language. nameFields are the names among
// them, typedFields the free texts; a server text in English may quote either (an audit
// detail names the enterprise it registered, a revocation's detail quotes the reason typed).
var (
	nameFields = []string{"name", "enterprise_name", "worker_name", "zone", "zone_name", "shift_name",
		"shift_group", "username", "by_name", "actor_name", "checker_name", "inspector_name", "user_name",
		"lead_name", "reviewer_name", "contact_name", "township_name", "supervisors", "department",
		"departments", "workshop", "industry", "channel_name"}
	typedFields = []string{"address", "comment", "isolation_room", "canteen", "dormitory", "disinfection",
		"emergency_plan", "findings", "note", "fever_advice", "symptom_note", "correction_note",
		"isolation_place", "household_region", "origin_region_name", "transport", "pass_revoked_reason",
		"suspension_reason", "title", "markdown", "text", "reason"}
	// serverFields hold the server's own words (tagged text:"server" in api): the only fields
	// whose English answer may differ from the Chinese one.
	serverFields = []string{"label", "color_label", "detail", "note", "hint", "last_error", "reason",
		"risk_reason", "discrepancy", "weight_reason"}
	// serverWritten are the texts the server writes into fields people type in too (an alert's
	// note, a status change's reason): those fields are typed text, but these must not stay.
	serverWritten = []string{"迟报已补报,系统自动关闭", "登记企业"}
)

var hanRun = regexp.MustCompile(`\p{Han}+`)

// labelAsk is one request of the walk, as one demo account.
type labelAsk struct {
	user, method, path string
	body               any
}

// TestEnglishLabels asks, as the demo's accounts, for an answer of every route family that
// carries the server's own texts (alerts, audit, passes and the gate, spot checks and the
// sample, the roster, plans and status history, the dashboard's open alerts, channels and
// messages, users, townships) with Accept-Language: en, zh-CN and none. In English no Han
// character is left but in the fields people typed or named (listed above), and where a
// server text quotes a name, a place (GB/T 2260) or a typed text; the Chinese answer is the
// same as the one without the header; and the English one differs from it only in the
// server's text fields.
func TestEnglishLabels(t *testing.T) {
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "labels.db")})
	tokens := map[string]string{}
	for _, u := range []string{"changshan", "platform", "supervisor1", "hr21", "gate1", "wall1"} {
		status, out := s.login(t, u)
		if status != http.StatusOK {
			t.Fatalf("sign in as %s: got %d", u, status)
		}
		tokens[u], _ = out["access_token"].(string)
	}
	var workers struct {
		Items []struct {
			Phone string `json:"phone"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/enterprises/21/workers?page_size=5", tokens["hr21"], nil, &workers)
	var code struct {
		Code string `json:"code"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/enterprises/21", tokens["hr21"], nil, &code)
	var worker struct {
		AccessToken string `json:"access_token"`
	}
	apiCall(t, s, http.MethodPost, "/api/v1/auth/worker-login", "",
		map[string]string{"enterprise_code": code.Code, "phone": workers.Items[0].Phone, "pin": "258036"}, &worker)
	tokens["worker"] = worker.AccessToken

	asks := []labelAsk{
		{"changshan", "GET", "/api/v1/alerts?page_size=200", nil},
		{"changshan", "GET", "/api/v1/audit?page_size=200", nil},
		{"changshan", "GET", "/api/v1/audit?page_size=200&page=2", nil},
		{"changshan", "GET", "/api/v1/audit?page_size=200&page=3", nil},
		{"platform", "GET", "/api/v1/audit?page_size=200", nil},
		{"platform", "GET", "/api/v1/townships", nil},
		{"changshan", "GET", "/api/v1/channels", nil},
		{"changshan", "GET", "/api/v1/messages?page_size=200", nil},
		{"changshan", "GET", "/api/v1/dashboard/open-alerts?page_size=200", nil},
		{"wall1", "GET", "/api/v1/dashboard/open-alerts", nil},
		{"changshan", "GET", "/api/v1/dashboard/summary", nil},
		{"changshan", "GET", "/api/v1/dashboard/enterprises", nil},
		{"changshan", "GET", "/api/v1/enterprises?page_size=200", nil},
		{"changshan", "GET", "/api/v1/plans?page_size=200", nil},
		{"changshan", "GET", "/api/v1/users?page_size=200", nil},
		{"changshan", "GET", "/api/v1/townships/1", nil},
		{"changshan", "GET", "/api/v1/spot-checks?page_size=200", nil},
		{"changshan", "GET", "/api/v1/notices", nil},
		{"supervisor1", "GET", "/api/v1/alerts?page_size=200", nil},
		{"supervisor1", "GET", "/api/v1/spot-checks/sample", nil},
		{"gate1", "GET", "/api/v1/spot-checks/sample", nil},
		{"hr21", "GET", "/api/v1/alerts?page_size=200", nil},
		{"worker", "GET", "/api/v1/me/pass", nil},
	}
	for id := 1; id <= 36; id++ {
		asks = append(asks, labelAsk{"changshan", "GET", fmt.Sprintf("/api/v1/enterprises/%d/status-history", id), nil},
			labelAsk{"changshan", "GET", fmt.Sprintf("/api/v1/enterprises/%d/workers?page_size=200", id), nil},
			labelAsk{"changshan", "GET", fmt.Sprintf("/api/v1/enterprises/%d/plans", id), nil})
	}
	// The gate's scans write audit events: they come after the audit log was read.
	for _, w := range workers.Items {
		asks = append(asks, labelAsk{"gate1", "POST", "/api/v1/gate/scan", map[string]string{"phone": w.Phone}})
	}

	answers := make([]any, len(asks))
	names, typed := map[string]bool{}, []string{}
	for i, a := range asks {
		en, zh := labelAnswers(t, s, tokens[a.user], a)
		sameButServerText(t, a, "", en, zh)
		answers[i] = en
		collect(zh, "", func(key, v string) {
			switch {
			case slices.Contains(nameFields, key):
				names[v] = true
			case slices.Contains(typedFields, key):
				// The pieces of a typed text, as the server joins it into its own (理由:…;…).
				typed = append(typed, strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ':' })...)
			}
		})
	}
	checked := 0
	for i, en := range answers {
		collect(en, "", func(key, v string) {
			if !hanRun.MatchString(v) {
				return
			}
			switch {
			case slices.Contains(nameFields, key):
			case key == "note" || key == "reason":
				if slices.Contains(serverWritten, v) {
					t.Errorf("%s %s: %s %q is the server's and stays Chinese in English", asks[i].user, asks[i].path, key, v)
				}
			case slices.Contains(serverFields, key):
				checked++
				for _, loc := range hanRun.FindAllStringIndex(v, -1) {
					if run := v[loc[0]:loc[1]]; !quoted(run, v, v[loc[1]:], names, typed) {
						t.Errorf("%s %s: %s %q keeps Chinese %q that is no name, place or typed text", asks[i].user, asks[i].path, key, v, run)
					}
				}
			case slices.Contains(typedFields, key):
			default:
				t.Errorf("%s %s: field %s holds Chinese in English: %q", asks[i].user, asks[i].path, key, v)
			}
		})
	}
	if checked < 50 {
		t.Errorf("checked %d server texts quoting names, want dozens: the demo's answers lost their texts", checked)
	}
}

// labelAnswers asks a in English, in Chinese and with no Accept-Language, and returns the
// English and Chinese answers decoded, failing when the Chinese one differs from the default.
func labelAnswers(t *testing.T, s *server, token string, a labelAsk) (en, zh any) {
	t.Helper()
	ask := func(lang string) (any, string) {
		var rd io.Reader
		if a.body != nil {
			b, _ := json.Marshal(a.body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(a.method, s.url+a.path, rd)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s %s as %s: got %d %s", a.method, a.path, lang, a.user, res.StatusCode, b)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: %v", a.method, a.path, err)
		}
		return v, string(b)
	}
	en, _ = ask("en-US,en;q=0.9")
	zh, zhBody := ask("zh-CN,zh;q=0.9")
	if _, plain := ask(""); plain != zhBody {
		t.Errorf("%s %s as %s: the zh-CN answer differs from the one without Accept-Language:\n%s\n%s", a.method, a.path, a.user, zhBody, plain)
	}
	return en, zh
}

// sameButServerText fails where the English answer en differs from the Chinese zh other than
// in a server text field.
func sameButServerText(t *testing.T, a labelAsk, path string, en, zh any) {
	t.Helper()
	switch z := zh.(type) {
	case map[string]any:
		e, ok := en.(map[string]any)
		if !ok || len(e) != len(z) {
			t.Errorf("%s %s: %s: got %v in English, want the shape of %v", a.user, a.path, path, en, zh)
			return
		}
		for k, v := range z {
			sameButServerText(t, a, path+"."+k, e[k], v)
		}
	case []any:
		e, ok := en.([]any)
		if !ok || len(e) != len(z) {
			t.Errorf("%s %s: %s: got %d items in English, want %d", a.user, a.path, path, len(e), len(z))
			return
		}
		for i := range z {
			sameButServerText(t, a, path+"[]", e[i], z[i])
		}
	default:
		key := strings.TrimSuffix(path[strings.LastIndex(path, ".")+1:], "[]")
		if !reflect.DeepEqual(en, zh) && !slices.Contains(serverFields, key) {
			t.Errorf("%s %s: %s is %v in English, %v in Chinese: only the server's texts may differ", a.user, a.path, path, en, zh)
		}
	}
}

// collect calls f with every string of v and the key it is under (an array's items are
// under the array's key).
func collect(v any, key string, f func(key, v string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			collect(y, k, f)
		}
	case []any:
		for _, y := range x {
			collect(y, key, f)
		}
	case string:
		f(key, x)
	}
}

// quoted reports whether a run of Chinese in a server text v is something it quotes: a name
// of the answers, a masked name (孙*), a place, or part of a piece of typed text that v holds
// whole (of three or more characters: a label as short as 发热 is no quote).
func quoted(run, v, after string, names map[string]bool, typed []string) bool {
	if names[run] || strings.HasPrefix(after, "*") {
		return true
	}
	if code, ok := region.Find(run); ok {
		if n, _ := region.Name(code); n == run {
			return true
		}
	}
	return slices.ContainsFunc(typed, func(p string) bool {
		return utf8.RuneCountInString(p) >= 3 && strings.Contains(p, run) && strings.Contains(v, p)
	})
}

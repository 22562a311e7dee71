package api

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

var han = regexp.MustCompile(`\p{Han}+`)

// TestLabelCatalogCoversLabels makes the domain write every label of a code it has (alert
// types, pass colours and conditions, risk levels) and every text its rules write into an
// answer (alert details of check-ins, discrepancies, the sample's weights, risk reasons), and
// fails when one has no English in labels_en.go: a new code, symptom or shape of text shows
// up here. Values the domain puts into a text (a place, a note typed) stay as they are.
func TestLabelCatalogCoversLabels(t *testing.T) {
	texts := map[string]string{} // the text → what made it
	for _, a := range domain.AlertTypes {
		texts[a.Label()] = "alert type " + string(a)
	}
	for _, c := range domain.PassConditions {
		texts[c.Label()] = "pass condition " + string(c)
	}
	for _, c := range []domain.PassColor{domain.PassGreen, domain.PassYellow, domain.PassRed} {
		texts[c.Label()] = "pass colour " + string(c)
	}
	for _, r := range []domain.RiskLevel{domain.RiskHigh, domain.RiskMedium, domain.RiskLow} {
		texts[r.Label()] = "risk level " + string(r)
	}
	town := domain.Township{Policy: domain.DefaultPolicy}
	town.KeyAreas = []domain.KeyArea{{RegionCode: "420100", RiskLevel: domain.RiskHigh},
		{RegionCode: "330300", RiskLevel: domain.RiskMedium}, {RegionCode: "441300", RiskLevel: domain.RiskLow}}
	hot, _ := domain.ParseTemperature(38.2)
	warm, _ := domain.ParseTemperature(36.5)
	for _, s := range domain.Symptoms {
		c := domain.Checkin{Temperature: warm, Symptoms: []domain.Symptom{s}, SymptomNote: "NOTE"}
		if s == domain.SymptomFever {
			c.Temperature = hot
		}
		for _, a := range town.CheckinAlerts(c, &domain.Checkin{Temperature: hot}) {
			texts[a.Detail] = "alert of symptom " + string(s)
		}
	}
	for _, slot := range []domain.Slot{domain.SlotAM, domain.SlotPM} {
		self := &domain.Checkin{Temperature: warm, Location: domain.AtWork}
		for _, c := range []domain.SpotCheck{
			{Slot: slot, Present: true, Fever: true, Temperature: hot, Color: domain.PassRed},
			{Slot: slot, Present: true, Fever: true, Temperature: hot, Color: domain.PassYellow, SelfReport: self},
			{Slot: slot, Present: false, Color: domain.PassGreen, SelfReport: self},
		} {
			texts[town.Discrepancy(c, c.SelfReport)] = "discrepancy in slot " + string(slot)
		}
	}
	for _, w := range []domain.Worker{{OriginRegion: "420100"}, {OriginRegion: "330300"}, {OriginRegion: "441300"},
		{OriginRegion: "110000", ContactHistory: true}, {OriginRegion: "110000", KeyAreaExposure: true}, {OriginRegion: "110000"}} {
		lvl, why := town.Assess(w)
		texts[why] = "risk reason of " + w.OriginRegion
		_, weight := domain.SampleWeight(domain.SampleCandidate{Worker: domain.Worker{RiskLevel: lvl}, RecentDiscrepancy: true})
		texts[weight] = "sample weight of " + string(lvl)
	}
	places := regexp.MustCompile(`\p{Han}+(省|市|区|县)`) // the region names the texts quote
	for zh, what := range texts {
		if zh == "" {
			continue
		}
		en := places.ReplaceAllString(englishText(zh), "")
		if left := han.FindAllString(en, -1); left != nil {
			t.Errorf("%s: %q reads %q in English, keeping %v: add it to labels_en.go", what, zh, en, left)
		}
	}
	if len(texts) < 40 {
		t.Errorf("made %d texts, want dozens: the domain's texts were not made", len(texts))
	}
}

// TestLabelsLeaveTheValue: the English answer is a copy; the value a handler passed (which a
// cache may hold) keeps its Chinese, and an answer without server text gets no Vary.
func TestLabelsLeaveTheValue(t *testing.T) {
	type item struct {
		Label string   `json:"label" text:"server"`
		Names []string `json:"names"`
	}
	type page struct {
		Items []item          `json:"items"`
		ByKey map[string]item `json:"by_key"`
		Ptr   *item           `json:"ptr"`
	}
	v := page{Items: []item{{Label: "发热", Names: []string{"张三"}}}, ByKey: map[string]item{"a": {Label: "绿码"}}, Ptr: &item{Label: "上午"}}
	e := echo.New()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	if err := (jsonSerializer{}).Serialize(e.NewContext(req, rec), v, ""); err != nil {
		t.Fatal(err)
	}
	want := `{"items":[{"label":"Fever","names":["张三"]}],"by_key":{"a":{"label":"Green pass","names":null}},"ptr":{"label":"Morning","names":null}}`
	if got := strings.TrimSpace(rec.Body.String()); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if rec.Header().Get("Vary") != "Accept-Language" {
		t.Errorf("got Vary %q, want Accept-Language", rec.Header().Get("Vary"))
	}
	if v.Items[0].Label != "发热" || v.ByKey["a"].Label != "绿码" || v.Ptr.Label != "上午" {
		t.Errorf("the value passed was changed: %+v %+v %+v", v.Items[0], v.ByKey["a"], *v.Ptr)
	}
	rec = httptest.NewRecorder()
	if err := (jsonSerializer{}).Serialize(e.NewContext(req, rec), map[string]int{"n": 1}, ""); err != nil {
		t.Fatal(err)
	}
	if rec.Header().Get("Vary") != "" {
		t.Errorf("got Vary %q on an answer without server text, want none", rec.Header().Get("Vary"))
	}
}

// TestLabelsOfChanges: the change lists audit details carry read in English, each field named.
func TestLabelsOfChanges(t *testing.T) {
	for zh, want := range map[string]string{
		"修改 联系人、职工人数":               "Changed contact, headcount",
		"发热标准 37.3→37.5;隔离天数 14→7":  "Fever threshold 37.3 → 37.5; Isolation days 14 → 7",
		"修改 重点地区(共 6 个)、责任区(共 3 个)": "Changed key areas (6 in all), zones (3 in all)",
		"管理员重置密码;理由:手机遗失;经书面申请":     "Password reset by an admin; reason: 手机遗失;经书面申请",
		"指派驻厂监督员 马卫国、高秀芳":           "Assigned supervisors 马卫国、高秀芳", // names: no list of texts
		"修改 长山大街、联系人":               "Changed 长山大街, contact",        // a name stays as written
		"班组“甲班”上午在岗 23 人,超过容量 21 人": "Shift \"甲班\" has 23 on duty this morning, over its capacity of 21",
	} {
		if got := englishText(zh); got != want {
			t.Errorf("englishText(%q): got %q, want %q", zh, got, want)
		}
	}
}

// TestLabelsOfMessageTitles: the titles of the group messages, which message.retry writes into
// the audit log, read in English but for the names in them (an enterprise, a zone, a township).
func TestLabelsOfMessageTitles(t *testing.T) {
	town := domain.Township{Name: "长山镇", Timezone: "Asia/Shanghai", Policy: domain.DefaultPolicy}
	ent := domain.Enterprise{ID: 1, Name: "长山一号纺织有限公司"}
	day := domain.NewDate(2026, 2, 17)
	var titles []string
	for _, a := range domain.AlertTypes {
		titles = append(titles, domain.AlertText(town, ent, domain.Worker{Name: "张三"}, domain.Alert{Type: a, Date: day}, domain.Links{}).Title)
	}
	for _, slot := range []domain.Slot{domain.SlotAM, domain.SlotPM} {
		for _, typ := range []domain.MessageType{domain.MsgReminder, domain.MsgMissed} {
			titles = append(titles, domain.MissingText(town, ent, day, slot, typ, []string{"张三"}, 3, domain.Links{}).Title)
		}
		titles = append(titles, domain.ZoneMissedText(town, "一区", day, slot, nil, domain.Links{}).Title)
	}
	for _, typ := range []domain.MessageType{domain.MsgSummary, domain.MsgReport} {
		titles = append(titles, domain.SummaryText(town, domain.Summary{Date: day}, typ, domain.Links{}).Title)
	}
	titles = append(titles, titles[0]+" 等 3 条消息", "复工平台测试消息")
	for _, zh := range titles {
		en := englishText(zh)
		for _, name := range []string{town.Name, ent.Name, "一区"} {
			en = strings.ReplaceAll(en, name, "")
		}
		if left := han.FindAllString(en, -1); left != nil {
			t.Errorf("%q reads %q in English, keeping %v: add it to labels_en.go", zh, englishText(zh), left)
		}
	}
	if got, want := englishText("【未打卡名单】长山一号纺织有限公司 2月17日上午"), "[Missed check-ins] 长山一号纺织有限公司, 2/17 morning"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestLabelCatalogCoversAuditDetails walks domain/ for every audit detail it composes (the
// detail given to audit.record, an AuditEvent's Detail:, and what the local variables and
// functions that build them hold), puts a plain value into each computed part, and fails when
// the English keeps Chinese: a new shape of detail needs an entry in labels_en.go. The details
// whose parts are words of their own (a batch, a status) are driven through the domain by
// TestAuditDetailsInEnglish.
func TestLabelCatalogCoversAuditDetails(t *testing.T) {
	found := map[string]collected{}
	collectTexts(t, "../domain", found, map[string]msgArg{"record": {7, ""}}, map[string]bool{"Detail": true})
	if len(found) < 40 {
		t.Fatalf("collected %d audit details, want dozens: the collector has lost its way", len(found))
	}
	for _, s := range sortedKeys(found) {
		samples, ok := detailSamples[s]
		if !ok {
			samples = []string{strings.ReplaceAll(s, "{}", "x1")}
		}
		for _, sample := range samples {
			en := englishText(sample)
			if left := han.FindAllString(strings.NewReplacer("张*", "", "同意", "").Replace(en), -1); left != nil {
				t.Errorf("%s: audit detail %q reads %q in English, keeping %v: add it to labels_en.go", found[s].pos, sample, en, left)
			}
		}
	}
	t.Logf("%d audit details collected", len(found))
}

// detailSamples are details as the domain writes them, for the shapes whose computed parts are
// words of their own (a verb, a reading or 未见本人, a note that is empty or names the copy)
// rather than a plain value; what a person wrote in them is 张* (a masked name) or 同意.
var detailSamples = map[string][]string{
	"{} {} {}(批量 {} 条)":    {"发热 2026-02-17 开始处理(批量 3 条)", "发热 2026-02-17 已解决(批量 3 条)"},
	"{}第 {} 版:{}":          {"批准第 2 版:同意", "退回第 2 版:同意"},
	"现场抽查 {}:{}":           {"现场抽查 张*:36.5 °C", "现场抽查 张*:未见本人"},
	"现场抽查 {}:{};不符:{}":     {"现场抽查 张*:38.2 °C;不符:现场测得 38.2 °C,本时段(上午)未自报"},
	"第 {} 版草稿{}":           {"第 2 版草稿", "第 2 版草稿,复制自第 1 版"},
	"第 {} 版草稿{}(修改已批准的方案)": {"第 2 版草稿(修改已批准的方案)", "第 2 版草稿,复制自第 1 版(修改已批准的方案)"},
}

package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// readingsWorker has the demo's hr1 put a local worker on its roster, back yesterday (so due
// today) unless notBack, signs the worker in on their phone, and returns the worker's ID and
// token.
func readingsWorker(t *testing.T, s *server, hrToken string, enterpriseID int64, code, name, id, phone string, notBack bool) (int64, string) {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	var w struct {
		ID int64 `json:"id"`
	}
	body := map[string]any{"name": name, "id_number": id, "phone": phone, "origin_region": "371681"}
	if !notBack {
		body["arrived_on"] = time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
	}
	apiCall(t, s, http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/workers", enterpriseID), hrToken, body, &w)
	var session struct {
		AccessToken string `json:"access_token"`
	}
	apiCall(t, s, http.MethodPost, "/api/v1/auth/worker-enrol", "", map[string]string{
		"enterprise_code": code, "phone": phone, "id_number": id, "pin": testPIN,
	}, &session)
	return w.ID, session.AccessToken
}

// TestBrowserReadings: a worker reports 38.5 °C and then 36.5 °C for the same morning. HR's
// status page shows the normal reading marked 曾发热 (the day stays a fever day); its history
// shows both readings; a correction without a note is refused beside the note field, one with a
// note is kept as a third reading and the slot shows 已更正, no longer a fever. Someone not
// marked back who reported is listed apart under 未登记返岗, not among the due. Then HR reports
// on behalf of a worker who has reported themselves: the page asks before replacing the
// worker's own reading; keeping it writes nothing, confirming writes HR's reading.
func TestBrowserReadings(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "rd.db")})
	_, hr := s.login(t, "hr1")
	hrToken := hr["access_token"].(string)
	var me struct {
		EnterpriseID int64 `json:"enterprise_id"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/me", hrToken, nil, &me)
	var ent struct{ Code string }
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", me.EnterpriseID), hrToken, nil, &ent)

	feverID, feverToken := readingsWorker(t, s, hrToken, me.EnterpriseID, ent.Code, "陈建华", testID("19900315", 31), "13800003131", false)
	for _, temp := range []float64{38.5, 36.5} {
		apiCall(t, s, http.MethodPost, "/api/v1/checkins", feverToken, map[string]any{"slot": "am", "temperature": temp}, nil)
	}
	selfID, selfToken := readingsWorker(t, s, hrToken, me.EnterpriseID, ent.Code, "吴秀英", testID("19920607", 42), "13800004242", false)
	apiCall(t, s, http.MethodPost, "/api/v1/checkins", selfToken, map[string]any{"slot": "am", "temperature": 36.4}, nil)
	// Someone not yet marked back who reports anyway: listed apart, not counted.
	_, earlyToken := readingsWorker(t, s, hrToken, me.EnterpriseID, ent.Code, "孙立新", testID("19870921", 53), "13800005353", true)
	apiCall(t, s, http.MethodPost, "/api/v1/checkins", earlyToken, map[string]any{"slot": "am", "temperature": 36.7}, nil)

	cell := func(worker int64) string { return fmt.Sprintf(`[data-test="cell-am"][data-worker="%d"]`, worker) }
	tag := func(worker int64, name string) string {
		return fmt.Sprintf(`.reading:has(%s) [data-test=%q]`, cell(worker), name)
	}
	exists := func(sel string) string { return fmt.Sprintf(`!!document.querySelector(%q)`, sel) }
	absent := func(sel string) string { return fmt.Sprintf(`!document.querySelector(%q)`, sel) }
	// Dialogs and message boxes fade in and out: a click at a control's coordinates while one
	// is moving can land on an overlay (which closes a dialog, or swallows the click). Wait until
	// no finite animation runs (spinners loop for ever) and, after closing, no overlay shows.
	settled := poll(`document.getAnimations().every((a) => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)`)
	dialogGone := chromedp.Steps(
		poll(`[...document.querySelectorAll('.el-overlay')].every((e) => getComputedStyle(e).display === 'none')`), settled)

	b.do(t, "sign in as hr1 and open 打卡情况", login(s, "hr1"), poll(`location.pathname === "/enterprise"`),
		chromedp.Navigate(s.url+"/checkins"), chromedp.WaitVisible("#status-table"),
		waitText("#status-table", "陈建华"), waitText(cell(feverID), "36.5"),
		chromedp.WaitVisible("#status-summary"), chromedp.WaitVisible(`[data-test="sum-late"]`))
	b.do(t, "the normal reading is marked 曾发热", poll(exists(tag(feverID, "tag-had-fever"))),
		waitText(tag(feverID, "tag-had-fever"), "曾发热"), poll(absent(tag(feverID, "tag-corrected"))))
	b.screenshot(t, "had-fever")
	t.Run("Unregistered", func(t *testing.T) {
		b.do(t, "孙立新 listed apart with the hint, not among the due",
			chromedp.WaitVisible("#status-unregistered"), waitText("#status-unregistered", "未登记返岗（"), // the demo has its own too
			waitText("#status-unregistered", "尚未登记返岗的职工已打卡，不计入打卡人数"),
			waitText("#unregistered-table", "孙立新"), waitText("#unregistered-table", "36.7"),
			chromedp.WaitVisible("#unregistered-roster"),
			poll(`!document.querySelector('#status-table').innerText.includes('孙立新')`))
		b.screenshot(t, "unregistered")
	})

	b.do(t, "the history shows both readings, oldest first", chromedp.Click(cell(feverID)),
		chromedp.WaitVisible("#readings-dialog"), poll(`document.querySelector('#readings-dialog').dataset.count === "2"`), settled,
		poll(`(() => { const r = [...document.querySelectorAll('#readings-dialog [data-test="reading"]')];
			return r.length === 2 && r[0].innerText.includes('38.5') && r[0].dataset.fever === 'yes' &&
				r[1].innerText.includes('36.5') && r[1].dataset.fever === 'no' && r.every((e) => e.innerText.includes('本人')); })()`))
	t.Run("NoteRequired", func(t *testing.T) {
		b.do(t, "correct without a note: the server's message beside the note", chromedp.WaitVisible("#correct-form"),
			chromedp.Click("#correct-submit"), waitText("#correct-form", "请写明更正原因"))
	})
	b.do(t, "correct with a note",
		replaceText(in("correct-temperature"), "36.6"),
		chromedp.SendKeys(in("correct-note"), "体温枪误读,复测正常"),
		chromedp.Click("#correct-submit"),
		poll(`document.querySelector('#readings-dialog').dataset.count === "3"`),
		poll(`(() => { const r = [...document.querySelectorAll('#readings-dialog [data-test="reading"]')];
			const last = r[r.length - 1];
			return last.dataset.source === 'correction' && last.innerText.includes('36.6') &&
				last.innerText.includes('更正') && last.innerText.includes('体温枪误读,复测正常'); })()`))
	b.screenshot(t, "corrected-history")
	b.do(t, "the page shows 已更正 and no kept fever", chromedp.Click("#readings-close"), dialogGone,
		poll(exists(tag(feverID, "tag-corrected"))), waitText(tag(feverID, "tag-corrected"), "已更正"),
		poll(absent(tag(feverID, "tag-had-fever"))),
		poll(fmt.Sprintf(`document.querySelector(%q).innerText.trim() === "36.6"`, cell(feverID))))

	// The batch form preselects everyone missing the slot: leave only the worker who reported.
	pickOnly := func(worker int64) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			poll(`(() => { document.querySelectorAll('#batch-form .el-checkbox.is-checked input').forEach((i) => i.click());
				return !document.querySelector('#batch-form .el-checkbox.is-checked'); })()`),
			pick(fmt.Sprintf(`[data-test="batch-pick-%d"] input`, worker)),
			poll(`document.querySelectorAll('#batch-form .el-checkbox.is-checked').length === 1`),
			replaceText(fmt.Sprintf(`[data-test="batch-temp-%d"] input`, worker), "36.9"),
		)
	}
	openBatch := chromedp.Steps(chromedp.Click("#batch-open"), chromedp.WaitVisible("#batch-form"),
		settled, chromedp.Click(`[data-test="batch-slot-am"]`),
		chromedp.WaitVisible(fmt.Sprintf(`[data-test="batch-pick-%d"]`, selfID)))
	confirmBox := chromedp.Steps(chromedp.WaitVisible(".batch-overwrite-box"),
		waitText(".batch-overwrite-box", "以下职工本人已上报"), waitText("#batch-conflicts", "吴秀英"),
		waitText("#batch-conflicts", "职工本人已于"), settled)

	t.Run("KeepTheirs", func(t *testing.T) {
		b.do(t, "report for 吴秀英, who reported 36.4 herself", openBatch, pickOnly(selfID), chromedp.Click("#batch-submit"), confirmBox)
		b.screenshot(t, "confirm")
		b.do(t, "keep hers: nothing written", pick(".batch-overwrite-box .batch-overwrite-cancel"),
			waitText("body", "写入 0 条，保留本人上报 1 条，失败 0 条"), dialogGone, waitText(cell(selfID), "36.4"))
	})
	b.do(t, "open the batch again", openBatch)
	b.do(t, "pick 吴秀英 again", pickOnly(selfID))
	b.do(t, "submit: asked again", chromedp.Click("#batch-submit"), confirmBox)
	b.do(t, "confirm: HR's reading written", pick(".batch-overwrite-box .batch-overwrite-confirm"),
		waitText("body", "写入 1 条，保留本人上报 0 条，失败 0 条"), dialogGone, waitText(cell(selfID), "36.9*"))
	b.screenshot(t, "overwritten")

	// The server has HR's reading on top of hers, both kept.
	var day struct {
		Items []struct {
			WorkerID int64 `json:"worker_id"`
			AM       *struct {
				ID          int64   `json:"id"`
				Temperature float64 `json:"temperature"`
				SubmittedBy *int64  `json:"submitted_by"`
			} `json:"am"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/checkins", me.EnterpriseID), hrToken, nil, &day)
	for _, it := range day.Items {
		if it.WorkerID != selfID {
			continue
		}
		if it.AM == nil || it.AM.Temperature != 36.9 || it.AM.SubmittedBy == nil {
			t.Fatalf("吴秀英's morning: got %+v, want 36.9 reported by HR", it.AM)
		}
		var rs struct {
			Readings []struct{ Source string } `json:"readings"`
		}
		apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/checkins/%d/readings", it.AM.ID), hrToken, nil, &rs)
		if len(rs.Readings) != 2 || rs.Readings[0].Source != "worker" || rs.Readings[1].Source != "on_behalf" {
			t.Errorf("吴秀英's readings: got %+v, want hers then HR's", rs.Readings)
		}
	}
	b.noProblems(t)
}

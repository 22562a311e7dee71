package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// workerOfHR1 puts a worker, back yesterday, on the demo hr1's roster, sets their PIN through
// the API, and returns the enterprise's ID and code and the worker's ID.
func workerOfHR1(t *testing.T, s *server, hrToken, name, id, phone string) (enterpriseID int64, code string, workerID int64) {
	t.Helper()
	var me struct {
		EnterpriseID int64 `json:"enterprise_id"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/me", hrToken, nil, &me)
	var ent struct{ Code string }
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", me.EnterpriseID), hrToken, nil, &ent)
	workerID, _ = readingsWorker(t, s, hrToken, me.EnterpriseID, ent.Code, name, id, phone, false)
	return me.EnterpriseID, ent.Code, workerID
}

// workerSignsIn signs a worker in on the phone page with the code already in the form or typed.
func workerSignsIn(b *browser, t *testing.T, s *server, code, phone string) {
	t.Helper()
	b.do(t, "the worker signs in", chromedp.Navigate(s.url+"/checkin/login"), chromedp.WaitVisible(in("worker-pin")),
		replaceText(in("worker-code"), code), chromedp.SendKeys(in("worker-phone"), phone),
		chromedp.SendKeys(in("worker-pin"), testPIN), chromedp.Click("#worker-login-submit"), chromedp.WaitVisible("#checkin-submit"))
}

// TestBrowserWorkerFever is issue 21's worker's fever on a 360 px phone: a reading of 38.4 is
// answered in red with the township's advice and the enterprise contact's name and phone, not
// the green 已提交 ✓; symptoms alone likewise; a normal reading gets the green. The town admin
// rewords the advice on the township's settings page, and the next fever shows the new words.
func TestBrowserWorkerFever(t *testing.T) {
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "wf.db")})
	_, hr := s.login(t, "hr1")
	hrToken := hr["access_token"].(string)
	const phoneNo = "13800002101"
	entID, code, _ := workerOfHR1(t, s, hrToken, "冯志强", testID("19860312", 21), phoneNo)
	// The enterprise's contact, as HR keeps it on its own page.
	const contact, contactPhone = "李芳", "13800002100"
	apiCall(t, s, http.MethodPatch, fmt.Sprintf("/api/v1/enterprises/%d", entID), hrToken,
		map[string]any{"contact_name": contact, "contact_phone": contactPhone}, nil)
	_, admin := s.login(t, "changshan")
	adminToken := admin["access_token"].(string)
	var me struct {
		TownshipID int64 `json:"township_id"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/me", adminToken, nil, &me)
	var town struct {
		FeverAdvice string `json:"fever_advice"`
	}
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/townships/%d", me.TownshipID), adminToken, nil, &town)
	if town.FeverAdvice == "" {
		t.Fatal("the demo township has no fever advice")
	}

	phone := newBrowser(t, 360, 740)
	workerSignsIn(phone, t, s, code, phoneNo)
	// After a report the page scrolls smoothly to the top: a click computed before the scroll
	// ends would land beside its target.
	scrolledUp := poll(`window.scrollY === 0`)
	advice := func(what, temp string, wantFever bool, text string) {
		t.Helper()
		phone.do(t, what, replaceText(in("checkin-temperature"), temp), chromedp.Click("#checkin-submit"),
			chromedp.WaitVisible(fmt.Sprintf(`#checkin-advice[data-fever="%t"]`, wantFever)), scrolledUp,
			waitText("#checkin-advice", text), waitText("#checkin-advice", contact), waitText("#checkin-advice", contactPhone),
			poll(fmt.Sprintf(`document.querySelector('[data-test="advice-contact-phone"]').getAttribute('href') === "tel:%s"`, contactPhone)),
			poll(`!document.querySelector('#checkin-done')`),
			// Red: the danger colour's border, not the success one's.
			poll(`getComputedStyle(document.querySelector('#checkin-advice')).borderTopColor === "rgb(245, 108, 108)"`))
	}

	advice("a fever is answered with the township's advice", "38.4", true, town.FeverAdvice)
	phone.do(t, "the advice says the reading", waitText(`[data-test="advice-fever"]`, "38.4"))
	width, err := chromedp.Run(phone.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 360 {
		t.Errorf("page is %d px wide (%v), want no horizontal scrolling at 360 px", width, err)
	}
	phone.screenshot(t, "fever")

	phone.do(t, "tick a symptom", chromedp.Click(`[data-test="symptom-dry_cough"]`),
		poll(`document.querySelector('[data-test="symptom-dry_cough"]').classList.contains('is-checked')`))
	advice("a symptom alone is answered with the advice too", "36.5", false, town.FeverAdvice)
	phone.do(t, "the advice names the symptom", waitText(`[data-test="advice-symptoms"]`, "干咳"))
	phone.screenshot(t, "symptoms")

	phone.do(t, "a normal reading is answered in green", chromedp.Click(`[data-test="symptom-dry_cough"]`),
		poll(`!document.querySelector('[data-test="symptom-dry_cough"]').classList.contains('is-checked')`),
		replaceText(in("checkin-temperature"), "36.5"), chromedp.Click("#checkin-submit"),
		chromedp.WaitVisible("#checkin-done"), waitText("#checkin-done", "已提交 ✓"), poll(`!document.querySelector('#checkin-advice')`), scrolledUp)
	phone.screenshot(t, "normal")

	// The town admin rewords the advice on the township's settings page.
	newText := "请马上停工并戴好口罩，告诉企业联系人，到长山镇卫生院发热门诊就诊，不要乘坐公交车。"
	desk := newBrowser(t, 1920, 1080)
	desk.do(t, "the town admin opens the township's settings", login(s, "changshan"), poll(`location.pathname !== "/login"`),
		chromedp.Navigate(s.url+"/township"), chromedp.WaitVisible(in("township-settings-fever_advice")),
		poll(fmt.Sprintf(`document.querySelector(%q).value === %q`, in("township-settings-fever_advice"), town.FeverAdvice)))
	desk.do(t, "rewords the fever advice and saves", replaceText(in("township-settings-fever_advice"), newText),
		chromedp.Click("#township-settings-save"), chromedp.WaitVisible(".el-message--success"))
	desk.screenshot(t, "township")
	desk.noProblems(t)

	advice("the next fever shows the new words", "38.4", true, newText)
	phone.screenshot(t, "new-advice")
	phone.noProblems(t)
}

// TestBrowserWorkerWayIn is issue 21's worker's way in: the web app manifest is served; the
// staff sign-in links to the worker's; HR's poster shows a QR code that, decoded, is the worker
// sign-in with the enterprise code (企业码) filled in, prints as the poster alone, and opening it
// on a phone fills the code in; the phone remembers the code after signing out; a report HR made
// on the worker's behalf is marked 人事代报 in the worker's history.
func TestBrowserWorkerWayIn(t *testing.T) {
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "wi.db")})

	t.Run("Manifest", func(t *testing.T) {
		res, err := http.Get(s.url + "/manifest.webmanifest")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "json") {
			t.Fatalf("manifest: got %d %q, want 200 JSON", res.StatusCode, res.Header.Get("Content-Type"))
		}
		var m struct {
			Name       string `json:"name"`
			StartURL   string `json:"start_url"`
			Display    string `json:"display"`
			ThemeColor string `json:"theme_color"`
			Icons      []struct {
				Src   string `json:"src"`
				Sizes string `json:"sizes"`
				Type  string `json:"type"`
			} `json:"icons"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("manifest: %v in %s", err, body)
		}
		if m.Name != "复工打卡" || m.StartURL != "/checkin" || m.Display != "standalone" || m.ThemeColor == "" || len(m.Icons) == 0 {
			t.Errorf("manifest: got %+v, want 复工打卡, start_url /checkin, standalone, a theme colour and icons", m)
		}
		pngs := 0
		for _, ic := range m.Icons {
			res, err := http.Get(s.url + ic.Src)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			switch ic.Type {
			case "image/svg+xml":
				if ic.Sizes != "any" || res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
					t.Errorf("icon %s: sizes %q, got %d %q; want any, 200 image/svg+xml", ic.Src, ic.Sizes, res.StatusCode, res.Header.Get("Content-Type"))
				}
			case "image/png": // drawn at run time (api/icons.go): the repository keeps no binaries
				pngs++
				img, err := png.Decode(bytes.NewReader(body))
				if err != nil || res.StatusCode != http.StatusOK || fmt.Sprintf("%dx%d", img.Bounds().Dx(), img.Bounds().Dy()) != ic.Sizes {
					t.Errorf("icon %s: got %d, %v; want a PNG of %s", ic.Src, res.StatusCode, err, ic.Sizes)
				}
			default:
				t.Errorf("icon %s: type %q", ic.Src, ic.Type)
			}
		}
		if pngs == 0 {
			t.Error("the manifest lists no PNG icon (some launchers take only PNGs)")
		}
		// iOS's home-screen icon, which must be a PNG.
		res, err = http.Get(s.url + "/icons/icon-180.png")
		if err != nil {
			t.Fatal(err)
		}
		apple, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if img, err := png.Decode(bytes.NewReader(apple)); err != nil || img.Bounds().Dx() != 180 {
			t.Errorf("apple-touch-icon: %v, want a 180-px PNG", err)
		}
		if res, err := http.Get(s.url + "/icons/icon-181.png"); err != nil || res.StatusCode != http.StatusNotFound {
			t.Errorf("an icon of a size not drawn: got %v %v, want 404", res.StatusCode, err)
		}
		res, err = http.Get(s.url + "/checkin/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(page), `rel="manifest" href="/manifest.webmanifest"`) ||
			!strings.Contains(string(page), `rel="apple-touch-icon" href="/icons/icon-180.png"`) {
			t.Errorf("the worker page names no manifest: %.400s", page)
		}
	})

	_, hr := s.login(t, "hr1")
	hrToken := hr["access_token"].(string)
	const phoneNo = "13800002202"
	entID, code, workerID := workerOfHR1(t, s, hrToken, "韩立新", testID("19900206", 22), phoneNo)

	phone := newBrowser(t, 360, 740)
	phone.do(t, "the staff sign-in links to the worker's", chromedp.Navigate(s.url+"/login"),
		chromedp.WaitVisible("#login-worker-link"), chromedp.Click("#login-worker-link"),
		poll(`location.pathname === "/checkin/login"`), chromedp.WaitVisible(in("worker-code")))
	phone.screenshot(t, "from-staff-login")

	desk := newBrowser(t, 1920, 1080)
	desk.do(t, "hr1 opens the poster from the enterprise page", login(s, "hr1"), poll(`location.pathname === "/enterprise"`),
		chromedp.WaitVisible("#poster-link"), chromedp.Click("#poster-link"), poll(`location.pathname === "/enterprise/poster"`),
		chromedp.WaitVisible(`img[data-test="poster-qr"]`), poll(`document.querySelector('img[data-test="poster-qr"]').complete`),
		waitText(`[data-test="poster-code"]`, code), poll(`document.querySelectorAll('[data-test="poster-step"]').length === 3`))
	desk.screenshot(t, "poster")
	url := decodeQR(t, desk, `img[data-test="poster-qr"]`)
	if want := s.url + "/checkin/login?code=" + code; url != want {
		t.Fatalf("the poster's QR code reads %q, want %q", url, want)
	}
	// Printed, the poster is all there is: no menu, no header, no buttons.
	desk.do(t, "print the poster", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}), poll(`['.aside', '.header', '#poster-print'].every((s) => { const e = document.querySelector(s); return !e || e.offsetParent === null; })
		&& document.querySelector('#poster').offsetParent !== null`))
	desk.screenshot(t, "poster-print")
	desk.noProblems(t)

	phone.do(t, "the poster's link opens the worker sign-in with the code filled in", chromedp.Navigate(url),
		chromedp.WaitVisible(in("worker-pin")), poll(fmt.Sprintf(`document.querySelector(%q).value === %q`, in("worker-code"), code)))
	phone.screenshot(t, "code-filled")
	phone.do(t, "the worker signs in with phone and PIN only", chromedp.SendKeys(in("worker-phone"), phoneNo),
		chromedp.SendKeys(in("worker-pin"), testPIN), chromedp.Click("#worker-login-submit"), chromedp.WaitVisible("#checkin-submit"),
		replaceText(in("checkin-temperature"), "36.5"), chromedp.Click("#checkin-submit"), chromedp.WaitVisible("#checkin-done"))

	// HR reports yesterday's morning for the worker, as for one without a phone.
	loc, _ := time.LoadLocation("Asia/Shanghai")
	yesterday := time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
	var batch struct {
		Created int `json:"created"`
	}
	apiCall(t, s, http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/checkins", entID), hrToken, map[string]any{"items": []map[string]any{
		{"worker_id": workerID, "slot": "am", "temperature": 36.6, "date": yesterday}}}, &batch)
	if batch.Created != 1 {
		t.Fatalf("HR's report on the worker's behalf: got %d created, want 1", batch.Created)
	}
	onBehalf := fmt.Sprintf(`#checkin-history [data-test="history-item"][data-date=%q][data-slot="am"]`, yesterday)
	phone.do(t, "the worker's history marks HR's report 人事代报", chromedp.Reload(), chromedp.WaitVisible(onBehalf),
		poll(fmt.Sprintf(`document.querySelector(%q).dataset.source === "on_behalf"`, onBehalf)), waitText(onBehalf, "人事代报"),
		poll(`[...document.querySelectorAll('#checkin-history [data-source="worker"]')].length === 1
			&& !document.querySelector('#checkin-history [data-source="worker"] [data-test="history-source"]')`))
	phone.screenshot(t, "history")

	phone.do(t, "signed out, the phone remembers the code", chromedp.Click("#checkin-logout"),
		poll(`location.pathname === "/checkin/login" && location.search === ""`), chromedp.WaitVisible(in("worker-pin")),
		poll(fmt.Sprintf(`document.querySelector(%q).value === %q`, in("worker-code"), code)))
	phone.noProblems(t)
}

// decodeQR reads the QR code of the image sel on b's page with ZXing, the library the gate page
// reads codes with, loaded from the frontend's node_modules (npm ci, which the build needs).
func decodeQR(t *testing.T, b *browser, sel string) string {
	t.Helper()
	lib, err := os.ReadFile(filepath.Join("..", "frontend", "node_modules", "@zxing", "library", "umd", "index.min.js"))
	if err != nil {
		t.Fatalf("the QR decoder: %v (run npm ci in frontend/)", err)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(lib)+"\n;typeof ZXing === 'object'")); err != nil {
		t.Fatalf("load the QR decoder: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
		const img = document.querySelector(%q);
		await img.decode();
		const c = document.createElement('canvas');
		c.width = img.naturalWidth;
		c.height = img.naturalHeight;
		const g = c.getContext('2d');
		g.drawImage(img, 0, 0);
		const px = g.getImageData(0, 0, c.width, c.height).data;
		const lum = new Uint8ClampedArray(c.width * c.height);
		for (let i = 0; i < lum.length; i++) lum[i] = (px[4 * i] * 299 + px[4 * i + 1] * 587 + px[4 * i + 2] * 114) / 1000;
		const bitmap = new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(new ZXing.RGBLuminanceSource(lum, c.width, c.height)));
		// The image is the code alone with its quiet zone, which ZXing reads module by module
		// (its corner search mistakes a data pattern for a corner in some codes: see the gate test).
		const hints = new Map([[ZXing.DecodeHintType.PURE_BARCODE, true]]);
		return new ZXing.QRCodeReader().decode(bitmap, hints).getText();
	})()`, sel), chromedp.EvalAwaitPromise))
	if err != nil {
		b.screenshot(t, "qr-unread")
		t.Fatalf("decode the QR code %s: %v", sel, err)
	}
	return text
}

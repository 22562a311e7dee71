package e2e

import (
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserEnglishErrors switches the UI to English (the LangSwitch) and checks that the
// server's own messages come in English too: a failed sign-in's message and a form's field
// error, where they were Chinese before (issue 21).
func TestBrowserEnglishErrors(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "en.db")})

	b.do(t, "switch the login page to English", chromedp.Navigate(s.url+"/login"),
		chromedp.WaitVisible("#lang-switch"), chromedp.Click("#lang-switch"),
		poll(`document.documentElement.lang === 'en'`))
	t.Run("SignInRefused", func(t *testing.T) {
		b.do(t, "sign in with a wrong password",
			chromedp.SendKeys(in("login-username"), "changshan"),
			chromedp.SendKeys(in("login-password"), "wrong-password"),
			chromedp.Click("#login-submit"),
			waitText("#login-error", "Wrong username or password, or the account is disabled"))
	})
	b.do(t, "sign in", replaceText(in("login-password"), "demo1234"), chromedp.Click("#login-submit"),
		waitText("#side-menu", "Enterprises"))
	b.do(t, "open the enterprise form", chromedp.Navigate(s.url+"/enterprises"),
		chromedp.WaitVisible("#enterprise-table"), animationsSettled(),
		chromedp.Click("#enterprise-new"), chromedp.WaitVisible("#enterprise-form"), animationsSettled())
	t.Run("FieldErrorInEnglish", func(t *testing.T) {
		b.do(t, "submit a bad credit code",
			chromedp.SendKeys(in("enterprise-name"), "English Test Co."),
			chromedp.SendKeys(in("enterprise-credit_code"), "91371626MA3C8XXXX0"),
			chromedp.Click("#enterprise-save"),
			waitText("#enterprise-form", "The check digit of the unified social credit code is wrong"),
			poll(`!document.querySelector('#enterprise-form').innerText.includes('校验位')`))
		b.screenshot(t, "field-error")
	})
	b.noProblems(t)
}

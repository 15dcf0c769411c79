package web_test

import (
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/drover-ci/drover/core"
)

// TestBrowserRepos searches the repositories page as the user types
// (htmx, no reload) and presses Synchronize: the progress shows, and the
// outcome and the repository found appear without a reload.
func TestBrowserRepos(t *testing.T) {
	b := browser{t: t, ctx: newBrowser(t)}
	f := newFixture(t)
	t.Cleanup(func() {
		if t.Failed() {
			text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Logf("the page at the failure: %s", text)
		}
	})
	f.remote.AddRepo("tok-owner", "acme/new", core.Perm{Pull: true, Push: true, Admin: true})
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before the fixture's cleanup waits for the sync
	f.remote.Lock()
	f.remote.Err = func(method string) error {
		if method == "Repos" {
			<-release
		}
		return nil
	}
	f.remote.Unlock()
	srv := f.server(t)

	b.do(setCookie(srv.URL, f.cookies["owner"]), chromedp.Navigate(srv.URL+"/repos"), chromedp.WaitVisible(chromedp.CSS("#repo-q")),
		script(`(window.droverSamePage = true)`), chromedp.SendKeys(chromedp.CSS("#repo-q"), "priv"),
		poll(`!document.querySelector('#repos-live a[href="/acme/public"]') && !!document.querySelector('#repos-live a[href="/acme/private"]')`),
		poll(`location.search === "?name=priv&active="`))
	b.check("the search did not reload the page", `window.droverSamePage === true`)

	b.do(chromedp.Navigate(srv.URL+"/repos"), chromedp.WaitVisible(chromedp.CSS("#sync-button")), chromedp.Click(chromedp.CSS("#sync-button")),
		chromedp.WaitVisible(chromedp.CSS("#repos-live progress")), poll(`document.getElementById("sync-button").disabled`),
		script(`(window.droverSamePage = true)`))
	b.check("no new repository yet", `!document.querySelector('#repos-live a[href="/acme/new"]')`)
	free()
	b.do(poll(`!!document.querySelector('#repos-live a[href="/acme/new"]') && !document.querySelector("#repos-live progress")`),
		poll(`document.getElementById("live-announce").textContent.startsWith("Synchronized just now")`))
	b.check("the outcome was drawn without a reload", `window.droverSamePage === true && !document.getElementById("sync-button").disabled`)
}

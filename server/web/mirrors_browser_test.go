package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// noScripts turns the page's JavaScript off (the test's own
// evaluations still run).
func noScripts(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	return err
}

// submit clicks the form's button and waits for the page the form
// answers, until expr is true on it (an evaluation interrupted by the
// navigation is tried again).
func submit(sel, expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Evaluate[bool](`(window.droverBefore = true)`)(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := chromedp.Click(chromedp.CSS(sel))(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			ok, err := chromedp.Evaluate[bool](`!window.droverBefore && document.readyState === "complete" && (`+expr+`)`)(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			if time.Now().After(deadline) {
				return chromedp.Void{}, fmt.Errorf("after pressing %s, waiting for %s: %v", sel, expr, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestBrowserMirrors uses the mirror pages in Chromium with JavaScript
// off, as a system admin: a refused add form shows its error by the
// field, a mirror is added, Update now twice says when to ask again, an
// unconfirmed delete asks for the confirmation, a confirmed one goes back
// to the list, and the runners page shows the runner's mirror share.
func TestBrowserMirrors(t *testing.T) {
	b := browser{t: t, ctx: newBrowser(t)}
	f := newFixture(t)
	f.addMirrors(t)
	t.Cleanup(func() {
		if t.Failed() {
			text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Logf("the page at the failure: %s", text)
		}
	})
	srv := f.server(t)
	const addButton = `form[action="/mirrors"] button[type="submit"]`

	b.do(chromedp.Func(noScripts), setCookie(srv.URL, f.cookies["root"]), chromedp.Navigate(srv.URL+"/mirrors"),
		chromedp.WaitVisible(chromedp.CSS(`details.forms summary`)))
	b.check("the page's scripts are off", `document.getElementById("theme-toggle").textContent === "Theme"`)
	b.check("the list shows the mirrors", `document.querySelector("main table").innerText.includes("acme/secret")`)
	b.do(chromedp.Click(chromedp.CSS(`details.forms summary`)), chromedp.WaitVisible(chromedp.CSS(`#m-url`)),
		chromedp.SendKeys(chromedp.CSS(`#m-url`), "http://git.test/team/tool.git"), chromedp.SendKeys(chromedp.CSS(`#m-branches`), "main, dev"),
		submit(addButton, `!!document.getElementById("m-url-err")`))
	b.check("the error is by the URL field", `document.getElementById("m-url").getAttribute("aria-invalid") === "true" &&
		document.getElementById("m-url").getAttribute("aria-describedby") === "m-url-err" &&
		document.getElementById("m-url-err").textContent.includes("http:// is refused")`)
	b.check("the values typed are kept", `document.getElementById("m-branches").value === "main, dev"`)

	b.do(chromedp.SetValue(chromedp.CSS(`#m-url`), "https://git.test/team/tool.git"),
		submit(addButton, `location.pathname.startsWith("/mirrors/") && !!document.getElementById("mirror-notice")`))
	b.check("the new mirror's page says it was added", `document.querySelector("h1").textContent === "Mirror of team/tool" &&
		document.getElementById("mirror-notice").textContent.startsWith("Mirror added")`)

	b.do(submit(`#mirror-fetch`, `!!document.getElementById("mirror-notice")`))
	b.check("Update now was asked", `document.getElementById("mirror-notice").textContent === "Update asked: its runner fetches at its next heartbeat."`)
	b.do(submit(`#mirror-fetch`, `!!document.getElementById("mirror-notice")`))
	b.check("asked again, the page says when", `document.getElementById("mirror-notice").textContent.includes("you can ask again in 60 seconds")`)
	b.check("the wait is an alert", `document.getElementById("mirror-notice").getAttribute("role") === "alert"`)

	b.do(chromedp.Click(chromedp.CSS(`section[aria-labelledby="delete-heading"] summary`)), chromedp.WaitVisible(chromedp.CSS(`#mirror-delete`)),
		submit(`#mirror-delete`, `!!document.getElementById("cb-confirm-err")`))
	b.check("the mirror is still there", `document.querySelector("h1").textContent === "Mirror of team/tool"`)
	b.do(chromedp.Click(chromedp.CSS(`#cb-confirm`)), submit(`#mirror-delete`, `location.pathname === "/mirrors"`))
	b.check("the list says it was deleted and lists it no more", `document.querySelector("main [role=status]").textContent.includes("deleted") &&
		!document.querySelector("main table").innerText.includes("team/tool") && document.querySelector("main table").innerText.includes("acme/upstream")`)

	b.do(submit(`nav.bar a[href="/runners"]`, `location.pathname === "/runners"`))
	b.check("the runner's mirror share", `document.getElementById("runners-live").innerText.includes("2 held · capacity 5")`)
}

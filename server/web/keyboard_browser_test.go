package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focused describes the focused element: its tag and name, and
// " [no focus ring]" when nothing shows it is focused; "" for none.
const focused = `(function () {
	var e = document.activeElement;
	if (!e || e === document.body || e === document.documentElement) return "";
	var name = (e.getAttribute("aria-label") || e.textContent || e.value || e.name || e.id || "").trim().replace(/\s+/g, " ");
	var s = getComputedStyle(e);
	var ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
	return e.tagName + ":" + name.slice(0, 40) + (ring ? "" : " [no focus ring]");
})()`

// tabThrough presses Tab until the focus leaves the page or comes back
// to where it started, and returns what was focused, in order.
func (b browser) tabThrough(most int) []string {
	b.t.Helper()
	return b.tabTo("", most)
}

// tabTo presses Tab until the element described as stop is focused (""
// for none: see tabThrough), and returns what was focused.
func (b browser) tabTo(stop string, most int) []string {
	b.t.Helper()
	var seen []string
	for range most {
		b.do(chromedp.KeyEvent(kb.Tab))
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](focused))
		if err != nil {
			b.t.Fatalf("browser: %v", err)
		}
		if got == "" || len(seen) > 0 && got == seen[0] {
			break
		}
		seen = append(seen, got)
		if got == stop {
			break
		}
	}
	return seen
}

// inOrder reports whether want appear in got in this order.
func inOrder(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// TestBrowserKeyboard goes through the build page with the keyboard
// only: the skip link first, then every action in order, each with a
// visible focus ring, and a manual build started from its form.
func TestBrowserKeyboard(t *testing.T) {
	b := browser{t: t, ctx: newBrowser(t)}
	f := newFixture(t)
	srv := f.server(t)

	b.do(setCookie(srv.URL, f.cookies["writer"]), chromedp.Navigate(srv.URL+"/acme/public/1"), chromedp.WaitVisible(chromedp.CSS("#act-restart")),
		chromedp.KeyEvent(kb.Tab))
	b.check("the skip link is focused first, and shown", `document.activeElement.classList.contains("skip") &&
		document.activeElement.getBoundingClientRect().left >= 0`)
	b.do(chromedp.KeyEvent(kb.Enter))
	b.check("the skip link moves the focus to the main content", `document.activeElement === document.getElementById("main")`)

	got := b.tabThrough(80)
	t.Logf("focus order: %s", strings.Join(got, " → "))
	want := []string{"BUTTON:Restart", "BUTTON:Restart stage default", "A:✓ success test", "A:✓ success lint", "SUMMARY:Promote this build", "SUMMARY:New build"}
	if !inOrder(got, want) {
		t.Errorf("the focus order %v lacks %v in that order", got, want)
	}
	for _, g := range got {
		if strings.HasSuffix(g, "[no focus ring]") {
			t.Errorf("focused without a visible focus: %s", g)
		}
	}

	// Open the manual build form from the keyboard and start a build.
	b.do(chromedp.Navigate(srv.URL+"/acme/public/1"), chromedp.WaitVisible(chromedp.CSS("#act-restart")))
	if got := b.tabTo("SUMMARY:New build", 80); got[len(got)-1] != "SUMMARY:New build" {
		t.Fatalf("the New build form was not reached: %v", got)
	}
	b.do(chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Tab))
	b.check("the form's first field is next", `document.activeElement.id === "manual-branch"`)
	b.do(script(`(document.activeElement.select(), true)`), chromedp.KeyEvent("dev"), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#error-heading"))) // the fake's build 9 is not stored
	b.check("the form went to the new build", `location.pathname === "/acme/public/9"`)
	if got := fmt.Sprint(f.builder.last.Ref); got != "refs/heads/dev" {
		t.Errorf("the build started from the keyboard is of %s, want refs/heads/dev", got)
	}

	b.do(chromedp.Navigate(srv.URL+"/acme/public/2"), chromedp.WaitVisible(chromedp.CSS("#act-approve")))
	if got := b.tabThrough(80); !inOrder(got, []string{"BUTTON:Approve", "BUTTON:Decline"}) {
		t.Errorf("the blocked build's focus order %v lacks Approve then Decline", got)
	}
}

package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// screenshotDir is where the browser tests save their screenshots:
// $DROVER_SCREENSHOTS, or .cache/screenshots at the top of the tree.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("DROVER_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".cache", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserScreenshots draws every page at phone and desktop width,
// checks none is wider than the screen and axe-core finds no serious or
// critical violation in it, and saves each one's picture.
func TestBrowserScreenshots(t *testing.T) {
	b := browser{t: t, ctx: newBrowser(t)}
	f := newFixture(t)
	f.addDiamond(t)
	m := f.addMirrors(t)
	srv := f.server(t)
	dir := screenshotDir(t)
	pages := []struct{ name, user, path string }{
		{"login", "", "/login"},
		{"dashboard", "writer", "/"},
		{"builds", "writer", "/acme/public"},
		{"repos", "owner", "/repos"},
		{"build-running", "writer", "/acme/public/3"},
		{"build-blocked", "writer", "/acme/public/2"},
		{"build-graph", "writer", "/acme/public/4"},
		{"build-finished", "writer", "/acme/public/1"},
		{"new-build", "writer", "/acme/public/new"},
		{"log", "writer", "/acme/public/1/1/1#L2"},
		{"settings", "owner", "/acme/public/settings"},
		{"mirrors", "root", "/mirrors"},
		{"mirror-failing", "owner", m.path("secret", "")},
		{"mirror-paused", "root", m.path("stalled", "")},
		{"runners", "root", "/runners"},
		{"not-found", "writer", "/acme/private-nothing"},
	}
	for _, width := range []int64{360, 1280} {
		for _, p := range pages {
			steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(width, 800)}
			if p.user != "" {
				steps = append(steps, setCookie(srv.URL, f.cookies[p.user]))
			}
			steps = append(steps, chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main")))
			if p.name == "log" {
				steps = append(steps, poll(`!!document.getElementById("L2") && document.getElementById("L2").textContent.length > 5`))
			}
			b.do(steps...)
			b.check(p.name+" fits the screen at "+itoa(width)+" px", `document.documentElement.scrollWidth <= window.innerWidth`)
			b.checkAxe(p.name + " at " + itoa(width) + " px")
			png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", p.name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, "web-"+p.name+"-"+itoa(width)+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
			b.do(chromedp.Func(clearCookies))
		}
	}
}

// clearCookies logs the browser out.
func clearCookies(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
	return err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

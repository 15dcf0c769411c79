package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/server/api"
)

// bigLog is the browser test's log: this many lines, ANSI colours at
// line 3, a script at line 2 and needle once.
const (
	bigLog = 100000
	needle = "needle-in-the-log"
	// needleAt is the 1-based line of the needle.
	needleAt = 77777
)

// newBrowser starts headless Chromium for the test (make e2e only; in
// CI a missing chromium fails the test, locally it skips).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if os.Getenv("DROVER_E2E") == "" {
		t.Skip("skipping: browser test; run make e2e (or DROVER_E2E=1 go test ./server/web -run Browser)")
	}
	path, err := exec.LookPath("chromium")
	testenv.Need(t, err == nil, "chromium", "apt-get install chromium")
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1280, 900))
	ctx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// addBigLog gives acme/public build 4 with one step whose log has bigLog lines.
func (f *fixture) addBigLog(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	b := &core.Build{RepoID: f.repos["public"].ID, Event: core.EventPush, Ref: "refs/heads/main", Status: core.StatusSuccess, Message: "big log"}
	stage := &core.Stage{Name: "default", Type: "docker", Status: core.StatusSuccess, Number: 1,
		Steps: []*core.Step{{Number: 1, Name: "noisy", Status: core.StatusSuccess}}}
	if err := f.store.Builds().Create(ctx, b, []*core.Stage{stage}); err != nil {
		t.Fatal(err)
	}
	stages, err := f.store.Stages().ListBuild(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	const batch = 5000
	for from := 0; from < bigLog; from += batch {
		lines := make([]*core.LogLine, batch)
		for i := range lines {
			n := from + i + 1
			text := fmt.Sprintf("line %d of the build output, with some words to make it a realistic width", n)
			switch n {
			case 2:
				text = scriptLine + `<img src=x onerror="window.pwned=1">`
			case 3:
				text = "\x1b[1;31mred bold\x1b[0m then plain"
			case needleAt:
				text = "here is the " + needle
			}
			lines[i] = &core.LogLine{Number: int64(n - 1), Time: int64(n), Text: text}
		}
		if err := f.store.Logs().Append(ctx, stages[0].Steps[0].ID, lines); err != nil {
			t.Fatal(err)
		}
	}
}

// browser runs steps in the test's tab, failing the test on an error.
type browser struct {
	t   *testing.T
	ctx context.Context
}

func (b browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

func (b browser) check(what, expr string) {
	b.t.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
	if !ok {
		b.t.Errorf("failed: %s (%s)", what, expr)
	}
}

func (b browser) number(expr string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](expr))
	if err != nil {
		b.t.Fatalf("browser: %s: %v", expr, err)
	}
	return n
}

// poll waits until the expression is true.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))(ctx, t)
		if err != nil {
			err = fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return chromedp.Void{}, err
	}
}

// script runs an expression whose value is true.
func script(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](expr)(ctx, t)
		return chromedp.Void{}, err
	}
}

// setCookie gives the browser the session cookie for the server.
func setCookie(serverURL, secret string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		httpOnly := true
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: api.SessionCookie, Value: secret, URL: serverURL, Path: "/", HTTPOnly: &httpOnly})
		return err
	})
}

// TestBrowserLogViewer opens a 100,000-line log in Chromium: the DOM
// holds only the lines in view, the end is reachable, search finds the
// needle, line links select, and HTML in a line stays text.
func TestBrowserLogViewer(t *testing.T) {
	b := browser{t: t, ctx: newBrowser(t)}
	f := newFixture(t)
	f.addBigLog(t)
	srv := httptest.NewServer(f.handler)
	t.Cleanup(srv.Close)
	page := srv.URL + "/acme/public/4/1/1"

	b.do(setCookie(srv.URL, f.cookies["reader"]), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#log[data-ready="true"]`)),
		poll(`!!document.getElementById("L1") && document.getElementById("L1").textContent.includes("line 1 of")`))
	lines, all := b.number(`document.querySelectorAll("#log .ll").length`), b.number(`document.getElementsByTagName("*").length`)
	t.Logf("DOM with the log open: %d line elements, %d elements", lines, all)
	if lines == 0 || lines >= 1000 {
		t.Errorf("%d line elements in the DOM, want 1 to 999 (only the lines in view)", lines)
	}
	b.check("a line's HTML neither ran nor became elements", `window.pwned !== 1 && document.querySelectorAll("#log script, #log img, #log b").length === 0`)
	b.check("a line's script shows as text", `document.getElementById("L2").textContent.includes('<script>alert("pwned")</script>')`)
	b.check("ANSI bold red drawn", `!!document.querySelector("#L3 .a-b.a-f1") && document.querySelector("#L3 .a-f1").textContent === "red bold"`)

	// The end: the viewer scrolled to its bottom, as End does.
	b.do(script(`(function(){ var l = document.getElementById("log"); l.scrollTop = l.scrollHeight; return true })()`),
		poll(fmt.Sprintf(`(function(){ var l = document.getElementById("L%d"); return !!l && l.textContent.includes("line %d of") })()`, bigLog, bigLog)))
	b.check("the last line is in view at the end", fmt.Sprintf(`(function(){ var v = document.getElementById("log").getBoundingClientRect(),
		r = document.getElementById("L%d").getBoundingClientRect(); return r.top >= v.top && r.bottom <= v.bottom + 1 })()`, bigLog))
	if n := b.number(`document.querySelectorAll("#log .ll").length`); n >= 1000 {
		t.Errorf("%d line elements at the end, want fewer than 1000", n)
	}

	// Search: the needle's one match, counted, marked and scrolled to.
	b.do(chromedp.SendKeys(chromedp.CSS(`#log-q`), needle), poll(`document.getElementById("log-count").textContent === "1 of 1"`),
		poll(fmt.Sprintf(`!!document.querySelector("#L%d mark.now")`, needleAt)))
	b.check("the match is marked", fmt.Sprintf(`document.querySelector("#L%d mark.now").textContent === %q`, needleAt, needle))

	// A line link selects its range.
	b.do(chromedp.Navigate(srv.URL+"/acme/public/4/1/1#L500-L502"), chromedp.Reload(),
		poll(`!!document.querySelector("#L500.sel") && !!document.querySelector("#L502.sel")`))
	b.check("a line link selects just its range", `document.querySelectorAll("#log .ll.sel").length === 3`)
}

// TestBrowserFollow opens the log of a running step: lines the step
// writes later appear at the end, and following stops when it ends.
func TestBrowserFollow(t *testing.T) {
	b := browser{t: t, ctx: newBrowser(t)}
	f := newFixture(t)
	release := make(chan struct{})
	f.queue.tail = func(ctx context.Context, _, offset int64, fn func([]*core.LogLine) error) error {
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		var lines []*core.LogLine
		for n := offset; n < 3; n++ {
			lines = append(lines, &core.LogLine{Number: n, Text: fmt.Sprintf("live line %d", n+1)})
		}
		return fn(lines)
	}
	srv := httptest.NewServer(f.handler)
	t.Cleanup(srv.Close)

	b.do(setCookie(srv.URL, f.cookies["reader"]), chromedp.Navigate(srv.URL+"/acme/public/3/1/1"),
		chromedp.WaitVisible(chromedp.CSS(`#log[data-ready="true"]`)))
	b.check("the running step has no line yet", `document.querySelectorAll("#log .ll").length === 0`)
	b.check("follow is on", `document.getElementById("log-follow").checked`)
	close(release)
	b.do(poll(`!!document.getElementById("L3") && document.getElementById("L3").textContent.includes("live line 3")`),
		poll(`document.getElementById("log-follow").parentNode.hidden`))
	b.check("the live lines are drawn in order", `document.getElementById("L1").textContent.includes("live line 1")`)
}

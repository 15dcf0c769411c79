package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os/exec"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/drover-ci/drover/internal/testenv"
)

// BenchmarkWebLog100k opens a finished 100,000-line log in headless
// Chromium and reports when its first screen was drawn (from navigation
// start), how long End took to draw the last line, and the DOM's size.
func BenchmarkWebLog100k(b *testing.B) {
	if _, err := exec.LookPath("chromium"); err != nil {
		b.Skip("skipping: needs chromium (apt-get install chromium)")
	}
	f := newBenchFixture(b)
	srv := httptest.NewServer(f.handler)
	defer srv.Close()
	ctx, stop := benchBrowser(b)
	defer stop()
	run := func(steps ...chromedp.Action[chromedp.Void]) {
		if err := chromedp.Do(ctx, steps...); err != nil {
			b.Fatal(err)
		}
	}
	num := func(expr string) float64 {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](expr))
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	var first, end, nodes float64
	for i := 0; i < b.N; i++ {
		run(setCookie(srv.URL, f.cookies["reader"]), chromedp.Navigate(srv.URL+"/acme/public/4/1/1"),
			poll(`performance.getEntriesByName("drover-log-first-drawn").length > 0`))
		first = num(`performance.getEntriesByName("drover-log-first-drawn")[0].startTime`)
		nodes = num(`document.getElementsByTagName("*").length`)
		run(script(`(function(){ window.droverEnd = performance.now(); var l = document.getElementById("log"); l.focus(); l.scrollTop = l.scrollHeight; return true })()`),
			poll(`performance.getEntriesByName("drover-log-last-drawn").length > 0`))
		end = num(`performance.getEntriesByName("drover-log-last-drawn")[0].startTime - window.droverEnd`)
	}
	testenv.Bench(b, "web_log_100k_first_render_ms", first, "ms")
	testenv.Bench(b, "web_log_100k_scroll_end_ms", end, "ms")
	testenv.Bench(b, "web_log_100k_dom_nodes", nodes, "elements")
}

// BenchmarkWebFirstLoad reports the dashboard's transferred bytes with a
// cold cache (the page and its assets).
func BenchmarkWebFirstLoad(b *testing.B) {
	if _, err := exec.LookPath("chromium"); err != nil {
		b.Skip("skipping: needs chromium (apt-get install chromium)")
	}
	f := newBenchFixture(b)
	srv := httptest.NewServer(f.handler)
	defer srv.Close()
	ctx, stop := benchBrowser(b)
	defer stop()
	var kb float64
	for i := 0; i < b.N; i++ {
		if err := chromedp.Do(ctx, chromedp.Func(clearCookies), setCookie(srv.URL, f.cookies["writer"]), chromedp.Navigate(srv.URL+"/"),
			poll(`document.readyState === "complete"`)); err != nil {
			b.Fatal(err)
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(performance.getEntriesByType("navigation")[0].transferSize +
			performance.getEntriesByType("resource").reduce(function (n, r) { return n + r.transferSize }, 0)) / 1024`))
		if err != nil {
			b.Fatal(err)
		}
		kb = v
	}
	testenv.Bench(b, "web_first_load_kb", kb, "KiB")
}

// BenchmarkWebBuildPageTTFB serves the build page 500 times over HTTP and
// reports the 99th percentile of the time to its first byte.
func BenchmarkWebBuildPageTTFB(b *testing.B) {
	f := newBenchFixture(b)
	srv := httptest.NewServer(f.handler)
	defer srv.Close()
	var p99 time.Duration
	for i := 0; i < b.N; i++ {
		var ttfb []time.Duration
		for n := 0; n < 500; n++ {
			var start, got time.Time
			trace := &httptrace.ClientTrace{GotFirstResponseByte: func() { got = time.Now() }}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", srv.URL+"/acme/public/3", nil)
			req.AddCookie(&http.Cookie{Name: "drover_session", Value: f.cookies["writer"]})
			start = time.Now()
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("build page = %d", res.StatusCode)
			}
			ttfb = append(ttfb, got.Sub(start))
		}
		sort.Slice(ttfb, func(i, j int) bool { return ttfb[i] < ttfb[j] })
		p99 = ttfb[len(ttfb)*99/100]
	}
	testenv.Bench(b, "web_build_page_ttfb_p99_ms", float64(p99.Microseconds())/1000, "ms")
}

// benchBrowser starts headless Chromium for a benchmark.
func benchBrowser(b *testing.B) (context.Context, func()) {
	path, _ := exec.LookPath("chromium")
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1280, 900))
	ctx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	if err := chromedp.Do(ctx); err != nil {
		b.Fatalf("start chromium: %v", err)
	}
	return ctx, func() { cancelBrowser(); cancelAlloc() }
}

// newBenchFixture is the fixture with the 100,000-line log (build 4).
func newBenchFixture(b *testing.B) *fixture {
	f := newFixture(b)
	f.addBigLog(b)
	return f
}

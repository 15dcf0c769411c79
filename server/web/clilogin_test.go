package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/drover-ci/drover/server/auth"
)

// cliState is a state as drover login --web makes it.
const cliState = "0123456789abcdef0123456789abcdef01234567"

// TestCLILoginPages: the page asks before making a token; confirming
// makes one of the user's and answers with the hand-over form to the
// loopback port only, which may post there and is not stored; bad ports
// and states are refused, and nobody logged in is sent to log in.
func TestCLILoginPages(t *testing.T) {
	f := newFixture(t)
	q := "/cli/login?port=4567&state=" + cliState
	cases := []struct {
		name, user, path string
		want             int
		has              []string
	}{
		{name: "anonymous goes to login and back", path: q, want: 303, has: []string{"/login?next=%2Fcli%2Flogin%3Fport%3D4567"}},
		{name: "asks first", user: "reader", path: q, want: 200, has: []string{"port 4567", "<strong>reader</strong>", `action="/cli/login"`, `name="state" value="` + cliState}},
		{name: "no port", user: "reader", path: "/cli/login?state=" + cliState, want: 400, has: []string{"port: want"}},
		{name: "port out of range", user: "reader", path: "/cli/login?port=70000&state=" + cliState, want: 400, has: []string{"1–65535"}},
		{name: "port not a number", user: "reader", path: "/cli/login?port=1e3&state=" + cliState, want: 400},
		{name: "short state", user: "reader", path: "/cli/login?port=4567&state=abc", want: 400, has: []string{"state: want"}},
		{name: "state with markup", user: "reader", path: "/cli/login?port=4567&state=" + url.QueryEscape(`"><script>`+cliState), want: 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := f.serve(t, request{path: c.path, user: c.user})
			if w.Code != c.want {
				t.Fatalf("status %d, want %d: %.300s", w.Code, c.want, w.Body.String())
			}
			got := w.Body.String() + w.Header().Get("Location")
			for _, s := range c.has {
				if !strings.Contains(got, s) {
					t.Errorf("answer lacks %q: %.500s", s, got)
				}
			}
		})
	}

	form := url.Values{"csrf_token": {f.csrf["reader"]}, "port": {"4567"}, "state": {cliState}}
	if w := f.serve(t, request{method: "POST", path: "/cli/login", user: "reader", form: url.Values{"port": {"4567"}, "state": {cliState}}}); w.Code != http.StatusForbidden {
		t.Errorf("confirm without the CSRF token: %d, want 403", w.Code)
	}
	w := f.serve(t, request{method: "POST", path: "/cli/login", user: "reader", form: form})
	if w.Code != 200 {
		t.Fatalf("confirm: %d %.300s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	if !strings.Contains(body, `action="http://127.0.0.1:4567/callback" data-autosubmit`) {
		t.Errorf("no hand-over form to the loopback port: %.800s", body)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' http://127.0.0.1:4567/callback;") {
		t.Errorf("CSP %q does not allow the hand-over (only)", csp)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no token in the hand-over form")
	}
	tok, err := f.store.Tokens().FindHash(context.Background(), auth.Hash(m[1]))
	if err != nil || !strings.HasPrefix(tok.Name, "drover login ") {
		t.Errorf("the handed token is not a stored token of the user: %+v %v", tok, err)
	}
	if w := f.serve(t, request{path: "/acme/public", user: "reader"}); strings.Contains(w.Header().Get("Content-Security-Policy"), "127.0.0.1") {
		t.Error("another page may post to the loopback port")
	}
}

// TestBrowserCLILogin: in Chromium, the user confirms and the page
// sends the token on its own to the CLI's loopback listener (the CSP
// allows that one post).
func TestBrowserCLILogin(t *testing.T) {
	b := browser{t: t, ctx: newBrowser(t)}
	f := newFixture(t)
	srv := f.server(t)
	got := make(chan url.Values, 1)
	cli := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.URL.Path == "/callback" && r.ParseForm() == nil {
			got <- r.PostForm
		}
		_, _ = w.Write([]byte("<!doctype html><title>CLI</title><p>logged in</p>"))
	}))
	defer cli.Close()
	port := cli.Listener.Addr().String()[strings.LastIndex(cli.Listener.Addr().String(), ":")+1:]
	b.do(setCookie(srv.URL, f.cookies["writer"]), chromedp.Navigate(srv.URL+"/cli/login?port="+port+"&state="+cliState),
		chromedp.WaitVisible(chromedp.CSS(`main button[type="submit"]`)), chromedp.Click(chromedp.CSS(`main button[type="submit"]`)))
	select {
	case form := <-got:
		if form.Get("state") != cliState {
			t.Errorf("state %q, want %q", form.Get("state"), cliState)
		}
		if _, err := f.store.Tokens().FindHash(context.Background(), auth.Hash(form.Get("token"))); err != nil {
			t.Errorf("the token the CLI got is not stored: %v", err)
		}
	case <-time.After(30 * time.Second):
		text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		t.Fatalf("the CLI got no token; the page: %s", text)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/login"
)

// formRE finds a page's form: its action and its hidden fields.
var (
	actionRE = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)
)

// pageForm is the action and fields of the first post form of page.
func pageForm(page string) (string, url.Values, error) {
	page = page[strings.Index(page, "<main"):] // skip the layout's logout form
	m := actionRE.FindStringSubmatch(page)
	if m == nil {
		return "", nil, fmt.Errorf("no form in the page: %.300s", page)
	}
	fields := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(page, -1) {
		fields.Set(h[1], html.UnescapeString(h[2]))
	}
	return html.UnescapeString(m[1]), fields, nil
}

// browserAs is a user's browser logged in to the web UI with a session:
// it opens the CLI login page, confirms, and sends the hand-over form as
// app.js does (the real page runs in Chromium in server/web's tests).
// tamper changes the hand-over form before it is sent.
func browserAs(t *testing.T, e *serverEnv, who string, tamper func(url.Values)) func(string) error {
	u, err := e.app.Store.Users().FindLogin(context.Background(), "fake", who)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := login.NewSessions(e.app.Store.Sessions(), 0).Create(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, target string, form url.Values) (string, error) {
		req, _ := http.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if strings.HasPrefix(target, e.http.URL) {
			req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: secret})
			req.Header.Set("Origin", e.http.URL)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			return "", fmt.Errorf("%s %s: %d %.200s", method, target, res.StatusCode, b)
		}
		return string(b), nil
	}
	return func(page string) error {
		go func() { // a browser does not block the command that opened it
			ask, err := do("GET", page, nil)
			var action string
			var fields url.Values
			if err == nil {
				action, fields, err = pageForm(ask)
			}
			var handOver string
			if err == nil {
				handOver, err = do("POST", e.http.URL+action, fields)
			}
			if err == nil {
				action, fields, err = pageForm(handOver)
			}
			if err == nil {
				if tamper != nil {
					tamper(fields)
				}
				_, err = do("POST", action, fields)
			}
			if err != nil && tamper == nil {
				t.Errorf("browser: %v", err)
			}
		}()
		return nil
	}
}

// TestWebLogin: drover login --web gets a new token of the user logged
// in to the web UI through the loopback hand-over, and saves it; a
// hand-over with another state is refused and the command times out
// saying what to do.
func TestWebLogin(t *testing.T) {
	e := newServerEnv(t)
	none := map[string]string{}
	r := runBrowser(t, e.config, none, "", false, browserAs(t, e, "alice", nil), "login", e.http.URL, "--web", "--name", "web")
	if r.code != 0 || !strings.Contains(r.out, "as alice (context web)") || !strings.Contains(r.err, "/cli/login?port=") {
		t.Fatalf("login --web: exit %d, %q %q", r.code, r.out, r.err)
	}
	r = runCLI(t, e.config, none, "", "info", "--jq", ".user.login")
	if r.code != 0 || r.out != "alice\n" {
		t.Errorf("info with the token from the browser: %d %q %q", r.code, r.out, r.err)
	}
	wrongState := func(f url.Values) { f.Set("state", strings.Repeat("0", 40)) }
	r = runBrowser(t, e.config, none, "", false, browserAs(t, e, "alice", wrongState), "login", e.http.URL, "--web", "--name", "other", "--timeout", "2s")
	if r.code != 1 || !strings.Contains(r.err, "no login from the browser within 2s") {
		t.Errorf("a hand-over with another state: exit %d, %q", r.code, r.err)
	}
	r = runBrowser(t, e.config, none, "", false, func(string) error { return errors.New("no display") }, "login", e.http.URL, "--web", "--timeout", "0s")
	if r.code != 2 || !strings.Contains(r.err, "--timeout") {
		t.Errorf("a zero timeout: exit %d, %q", r.code, r.err)
	}
}

package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// env is a real Gitea and a Drover server (in-process, the Gitea remote
// plugin as a binary, the local engine, the local runner) on loopback,
// with a Gitea user "alice", her token, and Drover's OAuth2 application.
type env struct {
	gitea      *testenv.Gitea
	app        *server.App
	droverURL  string
	adminToken string // Drover's bootstrap admin API token
	user       string // alice
	password   string
	token      string // alice's Gitea access token
	browser    *http.Client
	logs       *syncBuffer

	mu    sync.Mutex
	hooks []hookTiming // webhooks Drover received, in order
}

// hookTiming is when a webhook reached Drover and when Drover answered it.
type hookTiming struct {
	arrived, answered time.Time
	status            int
}

// lastHook returns the latest webhook's timing.
func (e *env) lastHook() (hookTiming, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.hooks) == 0 {
		return hookTiming{}, false
	}
	return e.hooks[len(e.hooks)-1], true
}

// timeHooks records when webhooks arrive and are answered.
func (e *env) timeHooks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/hook/") {
			next.ServeHTTP(w, r)
			return
		}
		h := hookTiming{arrived: time.Now()}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		h.answered, h.status = time.Now(), rec.status
		e.mu.Lock()
		e.hooks = append(e.hooks, h)
		e.mu.Unlock()
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// needGitea makes sure there is a Gitea binary: cached, or built now
// under make e2e (see testenv.NeedGitea), else the test skips or fails.
func needGitea(tb testing.TB) {
	tb.Helper()
	testenv.NeedGitea(tb)
}

type syncBuffer struct {
	bytes.Buffer
	mu chan struct{}
}

func newSyncBuffer() *syncBuffer { b := &syncBuffer{mu: make(chan struct{}, 1)}; return b }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.Buffer.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.Buffer.String()
}

// newEnv starts Gitea and Drover and creates alice with her token and the
// OAuth2 application; nothing is logged in yet.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	needGitea(tb)
	g := testenv.NewGitea(tb)
	e := &env{gitea: g, user: "alice", password: "Alice-pw-" + fmt.Sprint(time.Now().UnixNano()%1e6), logs: newSyncBuffer()}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("drover log:\n%s", tail(e.logs.String(), 6000))
			tb.Logf("gitea log:\n%s", tail(g.Log(), 3000))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// The user, through Gitea's CLI; her token and Drover's OAuth2
	// application through the API (basic auth as her).
	if _, err := g.CLI(ctx, "admin", "user", "create", "--username", e.user, "--password", e.password,
		"--email", e.user+"@example.com", "--must-change-password=false"); err != nil {
		tb.Fatal(err)
	}
	var tok struct {
		SHA1 string `json:"sha1"`
	}
	e.giteaBasic(tb, "POST", "/api/v1/users/"+e.user+"/tokens", map[string]any{"name": "e2e", "scopes": []string{"all"}}, &tok)
	e.token = tok.SHA1

	// Drover listens first, so that its URL is known for the redirect.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	e.droverURL = "http://" + ln.Addr().String()
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	e.giteaBasic(tb, "POST", "/api/v1/user/applications/oauth2", map[string]any{
		"name": "drover", "redirect_uris": []string{e.droverURL + "/login/gitea"}, "confidential_client": true,
	}, &app)

	// The Gitea remote plugin, built as a binary into the plugin dir.
	pluginDir := tb.TempDir()
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(pluginDir, "drover-remote-gitea"), "github.com/drover-ci/drover/plugins/remote-gitea")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("go build the gitea plugin: %v\n%s", err, out)
	}
	dataDir := tb.TempDir()
	cfg := &config.Config{
		HTTPAddr: ln.Addr().String(), ServerURL: e.droverURL, DataDir: dataDir, PluginDir: pluginDir,
		RunnerCapacity: 2, DatabaseWait: time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "e2e-secret-key",
		Remotes: []host.Instance{{Kind: host.KindRemote, Name: "gitea", Plugin: "drover-remote-gitea", Options: map[string]any{
			"url": g.URL, "client_id": app.ClientID, "client_secret": app.ClientSecret,
		}}},
		Engines: []host.Instance{{Kind: host.KindEngine, Name: "local", Plugin: "drover-engine-local"}},
	}
	var w io.Writer = e.logs
	if testing.Verbose() && os.Getenv("E2E_LOG") != "" {
		w = io.MultiWriter(e.logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	bg := context.Background()
	a, err := server.New(bg, cfg, server.Deps{Log: log, Builtin: map[string]any{"drover-engine-local": local.New(local.Config{})}})
	if err != nil {
		ln.Close()
		tb.Fatal(err)
	}
	e.app = a
	tokenPath, err := server.Bootstrap(bg, a.Store, dataDir)
	if err != nil {
		tb.Fatal(err)
	}
	adminToken, _ := os.ReadFile(tokenPath)
	e.adminToken = strings.TrimSpace(string(adminToken))
	if err := a.Start(bg); err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: e.timeHooks(a.API), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close(); _ = a.Close() })

	jar, _ := cookiejar.New(nil)
	e.browser = &http.Client{Jar: jar, Timeout: 30 * time.Second}
	return e
}

// giteaBasic calls Gitea's API as alice with her password.
func (e *env) giteaBasic(tb testing.TB, method, path string, in, out any) {
	tb.Helper()
	e.giteaCall(tb, method, path, func(r *http.Request) { r.SetBasicAuth(e.user, e.password) }, in, out)
}

// giteaAs calls Gitea's API with a token.
func (e *env) giteaAs(tb testing.TB, token, method, path string, in, out any) {
	tb.Helper()
	e.giteaCall(tb, method, path, func(r *http.Request) { r.Header.Set("Authorization", "token "+token) }, in, out)
}

func (e *env) giteaCall(tb testing.TB, method, path string, auth func(*http.Request), in, out any) {
	tb.Helper()
	var body bytes.Buffer
	if in != nil {
		_ = json.NewEncoder(&body).Encode(in)
	}
	req, _ := http.NewRequest(method, e.gitea.URL+path, &body)
	req.Header.Set("Content-Type", "application/json")
	auth(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		tb.Fatalf("gitea %s %s: %s %s", method, path, resp.Status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("gitea %s %s: %v: %s", method, path, err, data)
		}
	}
}

// drover calls Drover's API in alice's browser (session cookie, and the
// CSRF token on writes); it returns the status.
func (e *env) drover(tb testing.TB, method, path string, out any) int {
	tb.Helper()
	req, _ := http.NewRequest(method, e.droverURL+path, nil)
	if method != "GET" {
		req.Header.Set("X-CSRF-Token", e.cookie("drover_csrf"))
	}
	return e.do(tb, e.browser, req, out)
}

// droverAdmin calls Drover's API with the bootstrap admin's token.
func (e *env) droverAdmin(tb testing.TB, method, path string, out any) int {
	tb.Helper()
	req, _ := http.NewRequest(method, e.droverURL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.adminToken)
	return e.do(tb, http.DefaultClient, req, out)
}

func (e *env) do(tb testing.TB, c *http.Client, req *http.Request, out any) int {
	tb.Helper()
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		tb.Logf("drover %s %s: %s %s", req.Method, req.URL.Path, resp.Status, data)
		return resp.StatusCode
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("drover %s %s: %v: %s", req.Method, req.URL.Path, err, data)
		}
	}
	return resp.StatusCode
}

// cookie returns the value of a cookie the browser holds for Drover.
func (e *env) cookie(name string) string {
	req, _ := http.NewRequest("GET", e.droverURL+"/", nil)
	for _, c := range e.browser.Jar.Cookies(req.URL) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/cmd/drover/internal/root"
	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/api/apitest"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/config"
)

// pipelineFile runs on the local engine: two steps, the first sleeping
// for the build's SLEEP parameter, the second failing when FAIL is set.
const pipelineFile = `kind: pipeline
type: exec
name: default
clone:
  disable: true
steps:
- name: greet
  commands:
  - echo hello drover
  - sleep "${SLEEP:-0}"
- name: check
  commands:
  - echo "param FAIL=$FAIL"
  - test -z "$FAIL"
`

// serverEnv is a whole Drover server in-process (SQLite, the fake remote,
// the real local engine, the local runner) behind an HTTP test server on
// 127.0.0.1 that validates every call against the OpenAPI document; and
// the tokens of its admin (a machine user) and of alice, a user of the
// fake remote who administers acme/app and acme/lib there.
type serverEnv struct {
	app    *server.App
	http   *httptest.Server
	remote *remotetest.Fake
	admin  string
	alice  string
	config string // the CLI's configuration file
}

func newServerEnv(t testing.TB) *serverEnv {
	t.Helper()
	ctx := context.Background()
	cfg := &config.Config{
		DataDir: t.TempDir(), RunnerCapacity: 2, PluginDir: t.TempDir(), ServerURL: "http://drover.test",
		DatabaseWait: time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "test-key",
		Remotes: []host.Instance{{Kind: host.KindRemote, Name: "fake", Plugin: "drover-remote-fake"}},
		Engines: []host.Instance{{Kind: host.KindEngine, Name: "local", Plugin: "drover-engine-local"}},
	}
	fake := remotetest.NewFake()
	app, err := server.New(ctx, cfg, server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Builtin: map[string]any{"drover-remote-fake": fake, "drover-engine-local": local.New(local.Config{})}})
	if err != nil {
		t.Fatal(err)
	}
	tokenPath, err := server.Bootstrap(ctx, app.Store, cfg.DataDir)
	if err != nil {
		app.Close()
		t.Fatal(err)
	}
	admin, _ := os.ReadFile(tokenPath)
	if err := app.Start(ctx); err != nil {
		app.Close()
		t.Fatal(err)
	}
	srv := httptest.NewServer(apitest.Handler(t, app.API))
	t.Cleanup(func() { srv.Close(); app.Close() })
	e := &serverEnv{app: app, http: srv, remote: fake, admin: strings.TrimSpace(string(admin)),
		config: filepath.Join(t.TempDir(), "drover", "config.json")}
	e.alice = e.remoteUser(t, "alice", "alice-remote")
	for _, slug := range []string{"acme/app", "acme/lib"} {
		fake.AddRepo("alice-remote", slug, core.Perm{Pull: true, Push: true, Admin: true})
		fake.SetFile(slug, "refs/heads/main", "0123456789abcdef", ".drone.yml", []byte(pipelineFile))
	}
	return e
}

// remoteUser creates an active user of the fake remote, whose remote
// token is remoteToken, and returns an API token of theirs.
func (e *serverEnv) remoteUser(t testing.TB, login, remoteToken string) string {
	t.Helper()
	ctx := context.Background()
	e.remote.AddUser(remoteToken, login)
	u := &core.User{Login: login, Remote: "fake", RemoteID: "u-" + login, Active: true, Creds: core.Creds{Token: remoteToken}}
	if err := e.app.Store.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	if err := e.app.Store.Tokens().Create(ctx, &core.Token{UserID: u.ID, Name: "test", Hash: hash, Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	return secret
}

// result is one run of the drover command.
type result struct {
	code     int
	out, err string
}

// run runs drover in-process with token (DROVER_SERVER is the test
// server; no token when empty), stdin empty.
func (e *serverEnv) run(t testing.TB, token string, args ...string) result {
	t.Helper()
	return e.runIn(t, token, "", args...)
}

func (e *serverEnv) runIn(t testing.TB, token, stdin string, args ...string) result {
	t.Helper()
	env := map[string]string{"DROVER_SERVER": e.http.URL, "DROVER_TOKEN": token}
	if token == "" {
		env = map[string]string{}
	}
	return runCLI(t, e.config, env, stdin, args...)
}

// runCLI runs drover in-process with the environment and configuration file.
func runCLI(t testing.TB, configPath string, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return runTTY(t, configPath, env, stdin, false, args...)
}

// runTTY is runCLI with, when tty, stdout taken for a colour terminal.
func runTTY(t testing.TB, configPath string, env map[string]string, stdin string, tty bool, args ...string) result {
	t.Helper()
	return runBrowser(t, configPath, env, stdin, tty, nil, args...)
}

// runBrowser is runTTY with browser as the user's browser (nil: none).
func runBrowser(t testing.TB, configPath string, env map[string]string, stdin string, tty bool, browser func(string) error, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	s := cmdutil.Test(strings.NewReader(stdin), &out, &errb)
	s.OutTTY, s.Color = tty, tty
	f := &cmdutil.Factory{IO: s,
		Getenv: func(k string) string { return env[k] }, Version: "test", ConfigPath: configPath,
		HTTP: &http.Client{Timeout: 60 * time.Second}, Browser: browser,
		Sleep: func(ctx context.Context, d time.Duration) error {
			select { // polls in tests: quick, yet not a busy loop
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
				return nil
			}
		}}
	record(args)
	code := root.Run(context.Background(), f, args)
	return result{code: code, out: out.String(), err: errb.String()}
}

// ran are the commands the tests ran (TestMain checks each was).
var ran sync.Map

// record notes the command args run, unless it is asked for its help.
func record(args []string) {
	for _, a := range args {
		if a == "--help" || a == "-h" {
			return
		}
	}
	f := &cmdutil.Factory{IO: cmdutil.Test(nil, nil, nil), Getenv: func(string) string { return "" }}
	if cmd, _, err := root.New(f).Find(args); err == nil {
		ran.Store(cmd.CommandPath(), true)
	}
}

// cliCheck is what a run must give: its exit code, and text its stdout
// and stderr contain (none when empty).
type cliCheck struct {
	name    string
	token   string // "admin", "alice", "" (none) or a literal token
	args    []string
	code    int
	stdout  []string
	stderr  string
	oneLine bool // stderr is exactly one line
}

func (e *serverEnv) check(t *testing.T, cases []cliCheck) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := map[string]string{"admin": e.admin, "alice": e.alice}[c.token]
			if tok == "" {
				tok = c.token
			}
			r := e.run(t, tok, c.args...)
			if r.code != c.code {
				t.Errorf("drover %s: exit %d, want %d\nstdout %s\nstderr %s", strings.Join(c.args, " "), r.code, c.code, r.out, r.err)
			}
			for _, want := range c.stdout {
				if !strings.Contains(r.out, want) {
					t.Errorf("drover %s: stdout %q, want it to contain %q", strings.Join(c.args, " "), r.out, want)
				}
			}
			if !strings.Contains(r.err, c.stderr) {
				t.Errorf("drover %s: stderr %q, want it to contain %q", strings.Join(c.args, " "), r.err, c.stderr)
			}
			if c.oneLine && strings.Count(r.err, "\n") != 1 {
				t.Errorf("drover %s: stderr %q is not one line", strings.Join(c.args, " "), r.err)
			}
		})
	}
}

// routeExists says the server's OpenAPI document declares the route (and,
// when query is given, that query parameter of it): commands for routes
// being built on other branches are tested once the route is there.
func routeExists(t *testing.T, e *serverEnv, method, path string, query ...string) bool {
	t.Helper()
	resp, err := http.Get(e.http.URL + apitest.DocPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	op, ok := doc.Paths[path][strings.ToLower(method)]
	if !ok {
		t.Logf("%s %s is not served yet: its command is not tested", method, path)
		return false
	}
	for _, q := range query {
		found := false
		for _, p := range op.Parameters {
			found = found || (p.In == "query" && p.Name == q)
		}
		if !found {
			t.Logf("%s %s has no ?%s yet: its flag is not tested", method, path, q)
			return false
		}
	}
	return true
}

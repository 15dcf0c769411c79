package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/config"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// startServer builds and starts the server for cfg behind an HTTP test
// server, both closed with the test, and returns them with the admin
// token written into cfg.DataDir.
func startServer(tb testing.TB, cfg *config.Config, deps server.Deps) (*server.App, *httptest.Server, string) {
	tb.Helper()
	ctx := context.Background()
	app, err := server.New(ctx, cfg, deps)
	if err != nil {
		tb.Fatal(err)
	}
	tokenPath, err := server.Bootstrap(ctx, app.Store, cfg.DataDir)
	if err != nil {
		app.Close()
		tb.Fatal(err)
	}
	token, _ := os.ReadFile(tokenPath)
	if err := app.Start(ctx); err != nil {
		app.Close()
		tb.Fatal(err)
	}
	srv := httptest.NewServer(app.API)
	tb.Cleanup(func() { srv.Close(); app.Close() })
	return app, srv, strings.TrimSpace(string(token))
}

// createBuilds creates builds of per one-step stages each, of the engine
// type, in repo; the step runs commands (default "echo ok"). It returns
// the builds and their stage ids in order, and does not wake the runners.
func createBuilds(tb testing.TB, app *server.App, repo *core.Repo, typ string, builds, per int, commands ...string) ([]*core.Build, []int64) {
	tb.Helper()
	if len(commands) == 0 {
		commands = []string{"echo ok"}
	}
	spec, _ := json.Marshal(&core.Spec{Name: "p", Type: typ, Clone: core.Clone{Disable: true},
		Steps: []*core.SpecStep{{Name: "run", Commands: commands, RunPolicy: core.RunOnSuccess}}})
	var out []*core.Build
	var ids []int64
	for i := 0; i < builds; i++ {
		stages := make([]*core.Stage, per)
		for j := range stages {
			stages[j] = &core.Stage{Name: fmt.Sprintf("s%d", j), Type: typ, Status: core.StatusPending, Spec: spec,
				Steps: []*core.Step{{Number: 1, Name: "run", Status: core.StatusPending}}}
		}
		b := &core.Build{RepoID: repo.ID, Status: core.StatusPending, Event: core.EventCustom, After: "abc", Ref: "refs/heads/main"}
		if err := app.Store.Builds().Create(context.Background(), b, stages); err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
		for _, st := range stages {
			ids = append(ids, st.ID)
		}
	}
	return out, ids
}

// successCount counts the stages that finished green.
func successCount(tb testing.TB, app *server.App) int {
	tb.Helper()
	n, err := app.Store.DB().NewSelect().Table("stages").Where("status = ?", core.StatusSuccess).Count(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return int(n)
}

// startFakeRemote starts a server whose one remote is an in-process fake
// named "fake", without engines or a local runner; edit, when set, changes
// the configuration first. It returns the app, the HTTP server, the
// admin's token and the fake.
func startFakeRemote(tb testing.TB, edit func(*config.Config)) (*server.App, *httptest.Server, string, *remotetest.Fake) {
	tb.Helper()
	cfg := &config.Config{DataDir: tb.TempDir(), PluginDir: tb.TempDir(), ServerURL: "http://drover.test",
		DatabaseWait: time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "test-key",
		Remotes: []host.Instance{{Kind: host.KindRemote, Name: "fake", Plugin: "drover-remote-fake"}}}
	if edit != nil {
		edit(cfg)
	}
	fake := remotetest.NewFake()
	app, srv, token := startServer(tb, cfg, server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Builtin: map[string]any{"drover-remote-fake": fake}})
	return app, srv, token, fake
}

// apiUser creates an active user of the fake remote whose remote token is
// remoteToken, and returns an API token of theirs.
func apiUser(tb testing.TB, app *server.App, login, remoteToken string) string {
	tb.Helper()
	ctx := context.Background()
	u := &core.User{Login: login, Remote: "fake", RemoteID: login, Active: true, Creds: core.Creds{Token: remoteToken}}
	if err := app.Store.Users().Create(ctx, u); err != nil {
		tb.Fatal(err)
	}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	if err := app.Store.Tokens().Create(ctx, &core.Token{UserID: u.ID, Name: "test", Hash: hash, Prefix: prefix}); err != nil {
		tb.Fatal(err)
	}
	return secret
}

// boundedClient bounds each call of do, generously, so that a route that streams
// when it should refuse fails the test instead of hanging it.
var boundedClient = &http.Client{Timeout: 20 * time.Second}

// do sends a request with the bearer token (none when empty) and returns
// the status and body.
func do(tb testing.TB, method, url, token, body string) (int, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := boundedClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	return resp.StatusCode, data
}

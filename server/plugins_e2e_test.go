package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// pluginServer is an App on real plugin binaries, served over HTTP.
type pluginServer struct {
	app   *server.App
	url   string
	token string
	logs  *pluginLogs
}

// pluginLogs collects the App's log lines (the plugins' are forwarded
// into it) for assertions.
type pluginLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *pluginLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *pluginLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// goBuild compiles the main package pkg into out.
func goBuild(t *testing.T, out, pkg string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if data, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, data)
	}
}

// startPluginServer assembles and starts an App from cfg (no built-in
// plugins: only binaries) with the admin token, serving its API.
func startPluginServer(t *testing.T, cfg *config.Config) *pluginServer {
	t.Helper()
	logs := &pluginLogs{}
	var w io.Writer = logs
	if testing.Verbose() {
		w = io.MultiWriter(logs, os.Stderr)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
	})
	app, srv, token := startServer(t, cfg, server.Deps{Log: slog.New(slog.NewTextHandler(w, nil))})
	return &pluginServer{app: app, url: srv.URL, token: token, logs: logs}
}

// plugins lists the instances through GET /api/plugins with token.
func (s *pluginServer) plugins(t *testing.T, token string) ([]host.Status, int) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+"/api/plugins", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode
	}
	var list []host.Status
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatalf("GET /api/plugins: %v: %s", err, data)
	}
	return list, resp.StatusCode
}

// plugin returns the listed instance, or fails the test.
func (s *pluginServer) plugin(t *testing.T, kind host.Kind, name string) host.Status {
	t.Helper()
	list, code := s.plugins(t, s.token)
	if code != http.StatusOK {
		t.Fatalf("GET /api/plugins = %d", code)
	}
	for _, st := range list {
		if st.Kind == kind && st.Name == name {
			return st
		}
	}
	t.Fatalf("%s %q is not listed: %+v", kind, name, list)
	return host.Status{}
}

func pluginCfg(t *testing.T, pluginDir string) *config.Config {
	return &config.Config{
		DataDir: t.TempDir(), PluginDir: pluginDir, ServerURL: "http://drover.test",
		DatabaseWait: time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "test-key",
	}
}

// TestPluginKilledRestarts: the real local engine plugin, enabled by
// discovery, is killed with SIGKILL while a Wait is in flight. The call
// fails with core.ErrUnavailable, and GET /api/plugins shows the engine
// running again in a new process with restarts 1 within 10 s.
func TestPluginKilledRestarts(t *testing.T) {
	dir := t.TempDir()
	goBuild(t, filepath.Join(dir, "drover-engine-local"), "github.com/drover-ci/drover/plugins/engine-local")
	s := startPluginServer(t, pluginCfg(t, dir)) // no [[engine]] tables: discovery

	if _, code := s.plugins(t, ""); code != http.StatusUnauthorized {
		t.Fatalf("GET /api/plugins without a token = %d, want 401", code)
	}
	list, _ := s.plugins(t, s.token)
	if len(list) != 1 {
		t.Fatalf("instances = %+v, want the discovered engine local only", list)
	}
	before := s.plugin(t, host.KindEngine, "local")
	if before.State != host.StateRunning || before.PID <= 0 || before.InProcess || before.Restarts != 0 ||
		len(before.SHA256) != 64 || before.Version == "" || before.Path != filepath.Join(dir, "drover-engine-local") {
		t.Fatalf("before the kill: %+v", before)
	}

	e, err := s.app.Host.Engine("local")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	stage := fmt.Sprintf("e2e-kill-%d-%d", os.Getpid(), time.Now().UnixNano())
	if err := e.Setup(ctx, &core.Spec{StageID: stage, Clone: core.Clone{Disable: true}}); err != nil {
		t.Fatal(err)
	}
	// The step outlives the killed plugin (its own process group); the
	// restarted plugin's Destroy ends it by the stage's marker.
	t.Cleanup(func() {
		if err := e.Destroy(context.Background(), stage); err != nil {
			t.Errorf("destroy from the restarted plugin: %v", err)
		}
	})
	if err := e.Start(ctx, stage, &core.SpecStep{Name: "slow", Commands: []string{"sleep 60"}}); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() {
		_, err := e.Wait(ctx, stage, "slow")
		waitErr <- err
	}()
	select {
	case err := <-waitErr:
		t.Fatalf("Wait returned before the kill: %v", err)
	case <-time.After(300 * time.Millisecond): // Wait is blocked in the plugin
	}
	if err := syscall.Kill(before.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	select {
	case err := <-waitErr:
		if !errors.Is(err, core.ErrUnavailable) {
			t.Fatalf("the call in flight returned %v, want core.ErrUnavailable", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the call in flight hung after the plugin was killed")
	}

	var after host.Status
	for {
		after = s.plugin(t, host.KindEngine, "local")
		if after.State == host.StateRunning && after.Restarts == 1 {
			break
		}
		if time.Since(killed) > 10*time.Second {
			t.Fatalf("10 s after kill -9: %+v\n%s", after, s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if after.PID <= 0 || after.PID == before.PID || after.SHA256 != before.SHA256 {
		t.Fatalf("after the restart: %+v (before: %+v)", after, before)
	}
	if _, err := e.Info(ctx); err != nil {
		t.Fatalf("a call after the restart: %v", err)
	}
	if !strings.Contains(s.logs.String(), "plugin restarted") {
		t.Errorf("the restart is not logged:\n%s", s.logs)
	}
}

// TestPluginRefusals: through the config file, a plugin speaking a wrong
// handshake protocol version and one whose sha256 pin does not match are
// each refused with a message naming the instance and the reason; the
// server keeps serving and the other instances run. Options the plugin's
// Configure refuses stop the start instead, as a configuration error.
// sdk/host's test plugin serves every case.
func TestPluginRefusals(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "testplugin")
	goBuild(t, bin, "github.com/drover-ci/drover/sdk/host/internal/testplugin")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"drover-engine-fake", "drover-engine-badproto", "drover-remote-fake"} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sum := fmt.Sprintf("%x", sha256.Sum256(data))
	file := filepath.Join(t.TempDir(), "drover.toml")
	toml := fmt.Sprintf(`data_dir = %q
plugin_dir = %q
runner_capacity = 0
secret_key = "test-key"
database_wait = "1s"

[[remote]]
name = "forge"
plugin = "drover-remote-fake"

[[engine]]
name = "good"
plugin = "drover-engine-fake"

[[engine]]
name = "oldproto"
plugin = "drover-engine-badproto"

[[engine]]
name = "pinned"
plugin = "drover-engine-fake"
sha256 = %q

[[engine]]
name = "pinnedok"
plugin = "drover-engine-fake"
sha256 = %q
`, t.TempDir(), dir, strings.Repeat("ab", 32), sum)
	if err := os.WriteFile(file, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load([]string{"--config", file}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := startPluginServer(t, cfg)

	refused := []struct{ name, reason string }{
		{"oldproto", "wrong protocol version"},
		{"pinned", "checksum mismatch"},
	}
	for _, tt := range refused {
		st := s.plugin(t, host.KindEngine, tt.name)
		if st.State != host.StateFailed || st.PID != 0 ||
			!strings.Contains(st.LastError, `"`+tt.name+`"`) || !strings.Contains(st.LastError, tt.reason) {
			t.Errorf("%s: %+v; want failed, naming it and %q", tt.name, st, tt.reason)
		}
		var logged bool
		for _, line := range strings.Split(s.logs.String(), "\n") {
			logged = logged || strings.Contains(line, "plugin refused") &&
				strings.Contains(line, "instance="+tt.name) && strings.Contains(line, tt.reason)
		}
		if !logged {
			t.Errorf("%s: no log line names the refusal and %q:\n%s", tt.name, tt.reason, s.logs)
		}
		e, _ := s.app.Host.Engine(tt.name)
		if _, err := e.Info(context.Background()); !errors.Is(err, core.ErrUnavailable) {
			t.Errorf("%s: a call on the refused instance: %v, want core.ErrUnavailable", tt.name, err)
		}
	}
	for _, ok := range []struct {
		kind host.Kind
		name string
	}{{host.KindEngine, "good"}, {host.KindEngine, "pinnedok"}, {host.KindRemote, "forge"}} {
		if st := s.plugin(t, ok.kind, ok.name); st.State != host.StateRunning || st.PID <= 0 || st.LastError != "" {
			t.Errorf("%s %s: %+v; want running", ok.kind, ok.name, st)
		}
	}
	e, _ := s.app.Host.Engine("good")
	if _, err := e.Info(context.Background()); err != nil {
		t.Errorf("the good engine: %v", err)
	}
	resp, err := http.Get(s.url + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the server stopped answering: %v %v", resp, err)
	}
	resp.Body.Close()
	bad := *cfg
	bad.DataDir = t.TempDir()
	bad.Engines = append(append([]host.Instance{}, cfg.Engines...),
		host.Instance{Kind: host.KindEngine, Name: "badopts", Plugin: "drover-engine-fake", Options: map[string]any{"bogus": true}})
	app, err := server.New(context.Background(), &bad, server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	var cerr *config.Error
	if !errors.As(err, &cerr) || !strings.Contains(err.Error(), `"badopts"`) || !strings.Contains(err.Error(), "bogus") {
		if app != nil {
			app.Close()
		}
		t.Fatalf("refused options: server.New = %v; want a configuration error naming badopts and bogus", err)
	}
}

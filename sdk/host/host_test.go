package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

// A plugin killed with SIGKILL runs again, the call in flight failed with
// ErrUnavailable, and the status counts one restart.
func TestKillRestart(t *testing.T) {
	logs := &logBuffer{}
	h, err := startHost(t, fastOptions(pluginDir(t, "drover-engine-fake"), testLogger(logs)))
	if err != nil {
		t.Fatal(err)
	}
	e, err := h.Engine("fake")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.Setup(ctx, &core.Spec{StageID: "s1"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx, "s1", &core.SpecStep{Name: "slow", Commands: []string{"sleep 1h"}}); err != nil {
		t.Fatal(err)
	}
	before := statusOf(h, KindEngine, "fake")
	if before.State != StateRunning || before.PID == 0 || before.SHA256 == "" {
		t.Fatalf("status before: %+v", before)
	}
	waitErr := make(chan error, 1)
	go func() {
		_, err := e.Wait(ctx, "s1", "slow")
		waitErr <- err
	}()
	time.Sleep(100 * time.Millisecond) // let Wait reach the plugin
	if err := syscall.Kill(before.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waitErr:
		if !errors.Is(err, core.ErrUnavailable) {
			t.Fatalf("in-flight call: %v, want core.ErrUnavailable", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight call hung after the plugin died")
	}
	deadline := time.Now().Add(10 * time.Second)
	var st Status
	for time.Now().Before(deadline) {
		if st = statusOf(h, KindEngine, "fake"); st.State == StateRunning && st.Restarts == 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.State != StateRunning || st.Restarts != 1 || st.PID == before.PID || st.PID == 0 {
		t.Fatalf("status 10s after kill -9: %+v", st)
	}
	if _, err := e.Info(ctx); err != nil {
		t.Fatalf("call after restart: %v", err)
	}
	// The plugin's own slog line, forwarded and tagged with the instance.
	var forwarded bool
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "configuring test plugin") && strings.Contains(l, "instance=fake") && strings.Contains(l, "level=INFO") {
			forwarded = true
		}
	}
	if !forwarded {
		t.Fatalf("the plugin's log line was not forwarded with its instance and level:\n%s", logs.String())
	}
}

// Refused instances are failed with a message naming them and the reason;
// the others run.
func TestRefusals(t *testing.T) {
	dir := pluginDir(t, "drover-engine-fake", "drover-engine-badproto")
	opts := fastOptions(dir, testLogger(&logBuffer{}))
	opts.Instances = []Instance{
		{Kind: KindEngine, Name: "good", Plugin: "drover-engine-fake"},
		{Kind: KindEngine, Name: "oldproto", Plugin: "drover-engine-badproto"},
		{Kind: KindEngine, Name: "badopts", Plugin: "drover-engine-fake", Options: map[string]any{"bogus": true}},
		{Kind: KindEngine, Name: "pinned", Plugin: "drover-engine-fake", SHA256: strings.Repeat("ab", 32)},
		{Kind: KindEngine, Name: "absent", Plugin: "drover-engine-nothere"},
	}
	h, err := startHost(t, opts)
	if err == nil {
		t.Fatal("Start reported no refusals")
	}
	if core.ErrorCode(err) != core.CodeUnavailable {
		t.Fatalf("Start's error has code %q, want unavailable (not a configuration error): %v", core.ErrorCode(err), err)
	}
	tests := []struct {
		name, reason string
	}{
		{"oldproto", "protocol version"},
		{"badopts", "bogus"},
		{"pinned", "checksum mismatch"},
		{"absent", "not found"},
	}
	for _, tt := range tests {
		st := statusOf(h, KindEngine, tt.name)
		if st.State != StateFailed || !strings.Contains(st.LastError, `"`+tt.name+`"`) || !strings.Contains(st.LastError, tt.reason) {
			t.Errorf("%s: state %s, last error %q; want failed naming it and %q", tt.name, st.State, st.LastError, tt.reason)
		}
		if !strings.Contains(err.Error(), tt.name) {
			t.Errorf("Start's error does not name %s: %v", tt.name, err)
		}
		e, _ := h.Engine(tt.name)
		if _, cerr := e.Info(context.Background()); !errors.Is(cerr, core.ErrUnavailable) {
			t.Errorf("%s: call on a failed instance: %v, want unavailable", tt.name, cerr)
		}
	}
	if st := statusOf(h, KindEngine, "good"); st.State != StateRunning {
		t.Fatalf("good: %+v", st)
	}
	e, _ := h.Engine("good")
	if _, err := e.Info(context.Background()); err != nil {
		t.Fatalf("good instance: %v", err)
	}
	// The right pin is accepted.
	sum, _ := fileSHA256(filepath.Join(dir, "drover-engine-fake"))
	opts.Instances = []Instance{{Kind: KindEngine, Name: "pinned", Plugin: "drover-engine-fake", SHA256: sum}}
	if _, err := startHost(t, opts); err != nil {
		t.Fatalf("correct pin refused: %v", err)
	}
}

func TestDiscovery(t *testing.T) {
	dir := t.TempDir()
	for name, mode := range map[string]os.FileMode{
		"drover-engine-docker": 0o755, "drover-engine-ssh": 0o755, "drover-engine-notes.txt": 0o755,
		"drover-engine-noexec": 0o644, "drover-remote-github": 0o755, "other": 0o755,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, mode); err != nil {
			t.Fatal(err)
		}
	}
	builtin := map[string]any{"drover-engine-mem": enginetest.NewFake(), "drover-remote-fake": remotetest.NewFake()}
	tests := []struct {
		name       string
		configured []Instance
		want       string
	}{
		{"engines found", nil, "engine/docker,engine/mem,engine/ssh"},
		{"remotes only configured", []Instance{{Kind: KindRemote, Name: "gh", Plugin: "drover-remote-github"}},
			"remote/gh,engine/docker,engine/mem,engine/ssh"},
		{"configured engines only", []Instance{{Kind: KindEngine, Name: "docker"}}, "engine/docker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolve(dir, tt.configured, builtin)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, in := range got {
				names = append(names, string(in.Kind)+"/"+in.Name)
				if in.Plugin == "" {
					t.Errorf("%s has no plugin", in.Name)
				}
			}
			if strings.Join(names, ",") != tt.want {
				t.Fatalf("got %v, want %s", names, tt.want)
			}
		})
	}
	for _, bad := range [][]Instance{
		{{Kind: KindEngine, Name: "a"}, {Kind: KindEngine, Name: "a"}},
		{{Kind: "thing", Name: "a"}},
		{{Kind: KindEngine, Name: "a", Plugin: "../../bin/sh"}},
	} {
		if _, err := resolve(dir, bad, nil); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("resolve %+v: %v, want invalid", bad, err)
		}
	}
}

// In-process implementations are registered by plugin name.
func TestBuiltin(t *testing.T) {
	fake := enginetest.NewFake()
	opts := fastOptions("", testLogger(&logBuffer{}))
	opts.Builtin = map[string]any{"drover-engine-fake": fake, "drover-remote-fake": remotetest.NewFake()}
	opts.Instances = []Instance{{Kind: KindRemote, Name: "forge", Plugin: "drover-remote-fake", Options: map[string]any{"page_size": 5}}}
	h, err := startHost(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	e, err := h.Engine("fake")
	if err != nil || e != fake {
		t.Fatalf("engine: %v %v", e, err)
	}
	r, err := h.Remote("forge")
	if err != nil || r.RemoteRepos.(*remotetest.Fake).PageSize != 5 {
		t.Fatalf("remote: %v %v", r, err)
	}
	if _, err := h.Remote("fake"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("unknown remote: %v", err)
	}
	if got := strings.Join(h.Names(KindEngine), ","); got != "fake" {
		t.Fatalf("running engines %q", got)
	}
	if st := statusOf(h, KindEngine, "fake"); !st.InProcess || st.State != StateRunning {
		t.Fatalf("status %+v", st)
	}
}

// A remote plugin binary behind the host, through its kit.
func TestRemotePlugin(t *testing.T) {
	opts := fastOptions(pluginDir(t, "drover-remote-fake"), testLogger(&logBuffer{}))
	opts.Instances = []Instance{{Kind: KindRemote, Name: "forge", Plugin: "drover-remote-fake", Options: map[string]any{"name": "forge"}}}
	h, err := startHost(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := h.Remote("forge")
	if _, err := r.User(context.Background(), core.Creds{Token: "nobody"}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("user: %v", err)
	}
	if st := statusOf(h, KindRemote, "forge"); st.State != StateRunning || st.Version != "0.0.0-fake" {
		t.Fatalf("status %+v", st)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if st := statusOf(h, KindRemote, "forge"); st.State != StateStopped {
		t.Fatalf("after close: %+v", st)
	}
	if _, err := r.User(context.Background(), core.Creds{}); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("call after close: %v", err)
	}
}

package sshengine

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

func TestSteps(t *testing.T) {
	f := newFixture(t)
	e := New(f.config())
	spec := f.spec(t, "ssh-steps")
	f.setup(t, e, spec)
	tests := []struct {
		name     string
		step     core.SpecStep
		wantCode int
		wantOut  []string
	}{
		{"workspace", core.SpecStep{Commands: []string{"cat README", "pwd"}}, 0,
			[]string{"+ cat README", "hello from the clone", "/ssh-steps/workspace"}},
		{"env", core.SpecStep{Commands: []string{`echo "$STAGE_VAR [$A] [$B]"`},
			Environment: map[string]string{"A": "it's $x", "B": "two words"}}, 0, []string{"stage [it's $x] [two words]"}},
		{"workdir", core.SpecStep{Commands: []string{"pwd"}, WorkingDir: "/drover/src/sub"}, 0, []string{"/ssh-steps/workspace/sub"}},
		{"stdin-is-not-the-script", core.SpecStep{Commands: []string{"cat", "echo after-cat"}}, 0, []string{"after-cat"}},
		{"fails", core.SpecStep{Commands: []string{"echo before", "false", "echo after"}}, 1, []string{"before"}},
		{"skip-78", core.SpecStep{Commands: []string{"exit 78"}}, 78, nil},
		{"killed", core.SpecStep{Commands: []string{"sh -c 'kill -9 $$'"}}, 137, nil},
		{"stderr", core.SpecStep{Commands: []string{"echo on-stderr >&2"}}, 0, []string{"on-stderr"}},
		{"entrypoint", core.SpecStep{Entrypoint: []string{"/bin/sh", "-c"}, Command: []string{"echo direct; exit 3"}}, 3, []string{"direct"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := tt.step
			step.Name = tt.name
			out, st := run(t, e, spec.StageID, &step)
			if st.ExitCode != tt.wantCode {
				t.Errorf("exit code %d, want %d (output %q, error %q)", st.ExitCode, tt.wantCode, out, st.Error)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			if tt.name == "fails" && strings.Contains(out, "after") {
				t.Errorf("the script went on after a failure: %q", out)
			}
		})
	}
}

func TestHostKeys(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name     string
		cfg      func(c *Config)
		server   func(s map[string]any)
		wantErr  error
		wantText string
	}{
		{"known-hosts", nil, nil, nil, ""},
		{"pinned", func(c *Config) { c.KnownHosts = "/nonexistent" }, func(s map[string]any) { s["fingerprint"] = f.sshd.Fingerprint() }, nil, ""},
		{"pinned-wrong", nil, func(s map[string]any) { s["fingerprint"] = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }, core.ErrUnauthenticated, "does not match"},
		{"unknown-host", func(c *Config) { c.KnownHosts = "/dev/null" }, nil, core.ErrUnauthenticated, "127.0.0.1"},
		{"no-check-configured", func(c *Config) { c.KnownHosts = "/nonexistent" }, nil, core.ErrInvalid, "insecure_ignore_host_key"},
		{"insecure-explicit", func(c *Config) { c.KnownHosts = "/nonexistent"; c.InsecureIgnoreHostKey = true }, nil, nil, ""},
		{"bad-key", nil, func(s map[string]any) { s["ssh_key"] = "not a key" }, core.ErrInvalid, "ssh_key"},
		{"unresolved-secret", nil, func(s map[string]any) { s["password"] = map[string]any{"from_secret": "pw"} }, core.ErrInvalid, "not resolved"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := f.config()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			e := New(cfg)
			spec := f.spec(t, "ssh-hostkey-"+string(rune('a'+i)))
			if tt.server != nil {
				tt.server(spec.Options["server"].(map[string]any))
			}
			err := e.Setup(context.Background(), spec)
			if err == nil {
				defer e.Destroy(context.Background(), spec.StageID)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("setup: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("setup: %v, want %v mentioning %q", err, tt.wantErr, tt.wantText)
			}
		})
	}
}

func TestConnectionRetried(t *testing.T) {
	f := newFixture(t)
	f.sshd.Stop()
	cfg := f.config()
	cfg.Retries = 2
	e := New(cfg)
	err := e.Setup(context.Background(), f.spec(t, "ssh-down"))
	if !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("setup against a stopped server: %v, want unavailable", err)
	}
	for _, w := range []string{f.sshd.Host, "port " + itoa(f.sshd.Port), "3 attempts", "refused"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

func TestStopKillsGroup(t *testing.T) {
	f := newFixture(t)
	e := New(f.config())
	spec := f.spec(t, "ssh-stop")
	f.setup(t, e, spec)
	ctx := context.Background()
	step := &core.SpecStep{Name: "long", Commands: []string{"sleep 300 &", "sh -c 'trap \"\" TERM; sleep 300' &", "echo started", "sleep 300"}}
	if err := e.Start(ctx, spec.StageID, step); err != nil {
		t.Fatal(err)
	}
	rc, err := e.Tail(ctx, spec.StageID, "long")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 256)
	var seen string
	for !strings.Contains(seen, "started") {
		n, err := rc.Read(buf)
		if err != nil {
			t.Fatalf("read: %v (%q)", err, seen)
		}
		seen += string(buf[:n])
	}
	if n := len(testenv.ProcessesIn(f.remoteRoot + "/ssh-stop")); n < 3 {
		t.Fatalf("want at least 3 processes in the stage, got %d", n)
	}
	if err := e.Stop(ctx, spec.StageID, "long", 300*time.Millisecond); err != nil {
		t.Fatalf("stop: %v", err)
	}
	st, err := e.Wait(ctx, spec.StageID, "long")
	if err != nil {
		t.Fatal(err)
	}
	if st.ExitCode == 0 {
		t.Errorf("a stopped step exited 0")
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(testenv.ProcessesIn(f.remoteRoot+"/ssh-stop")) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("processes left after stop: %v", testenv.ProcessesIn(f.remoteRoot+"/ssh-stop"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDestroyFromFreshEngine leaves a service running and destroys the
// stage from an engine that never saw it (sharing the state directory, as
// a restarted plugin does).
func TestDestroyFromFreshEngine(t *testing.T) {
	f := newFixture(t)
	e := New(f.config())
	spec := f.spec(t, "ssh-fresh")
	ctx := context.Background()
	if err := e.Setup(ctx, spec); err != nil {
		t.Fatal(err)
	}
	svc := &core.SpecStep{Name: "svc", Detach: true, Commands: []string{"sleep 300 & sleep 300"}}
	if err := e.Start(ctx, spec.StageID, svc); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(testenv.ProcessesIn(f.remoteRoot+"/ssh-fresh")) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	fresh := New(f.config())
	for i := range 2 {
		if err := fresh.Destroy(ctx, spec.StageID); err != nil {
			t.Fatalf("destroy #%d: %v", i+1, err)
		}
	}
	f.assertNothingLeft(t, spec.StageID)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := e.Wait(wctx, spec.StageID, "svc"); err != nil {
		t.Errorf("the first engine did not see its step end: %v", err)
	}
	if err := e.Destroy(ctx, spec.StageID); err != nil {
		t.Errorf("destroy by the first engine: %v", err)
	}
	f.assertNothingLeft(t, spec.StageID)
}

func itoa(i int) string { return strconv.Itoa(i) }

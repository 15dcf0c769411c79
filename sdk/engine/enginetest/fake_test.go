package enginetest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// The fake behind real gRPC: scripted steps, commands, errors and Stop.
func TestFakeThroughGRPC(t *testing.T) {
	f := NewFake()
	f.Steps["scripted"] = FakeStep{Output: "hello\n", ExitCode: 3}
	e := Connect(t, f)
	ctx := context.Background()
	if err := e.Start(ctx, "s1", &core.SpecStep{Name: "x"}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("start before setup: %v, want not found", err)
	}
	if err := e.Setup(ctx, &core.Spec{StageID: "s1"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		step     *core.SpecStep
		wantOut  string
		wantCode int
	}{
		{&core.SpecStep{Name: "scripted"}, "hello\n", 3},
		{&core.SpecStep{Name: "cmds", Commands: []string{"echo a b", "make", "exit 78", "echo never"}}, "a b\n+ make\n", 78},
		{&core.SpecStep{Name: "ok", Commands: []string{"sleep 1ms"}}, "", 0},
	}
	for _, tt := range tests {
		if err := e.Start(ctx, "s1", tt.step); err != nil {
			t.Fatal(err)
		}
		rc, err := e.Tail(ctx, "s1", tt.step.Name)
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		st, err := e.Wait(ctx, "s1", tt.step.Name)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tt.wantOut || st.ExitCode != tt.wantCode {
			t.Errorf("%s: output %q exit %d, want %q %d", tt.step.Name, out, st.ExitCode, tt.wantOut, tt.wantCode)
		}
	}
	// Stop ends a sleeping step with 137.
	if err := e.Start(ctx, "s1", &core.SpecStep{Name: "long", Commands: []string{"sleep 1h"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(ctx, "s1", "long", time.Second); err != nil {
		t.Fatal(err)
	}
	if st, err := e.Wait(ctx, "s1", "long"); err != nil || st.ExitCode != 137 {
		t.Fatalf("stopped: %v %+v", err, st)
	}
	// A deadline crosses the boundary.
	f.Steps["hang"] = FakeStep{Delay: time.Hour}
	if err := e.Start(ctx, "s1", &core.SpecStep{Name: "hang"}); err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := e.Wait(dctx, "s1", "hang"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait past deadline: %v", err)
	}
	f.DestroyErr = func(string) error { return core.Errorf(core.CodeUnavailable, "daemon down") }
	if err := e.Destroy(ctx, "s1"); !errors.Is(err, core.ErrUnavailable) || err.Error() != "daemon down" {
		t.Fatalf("destroy error: %v", err)
	}
	f.DestroyErr = nil
	if err := e.Destroy(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	calls := strings.Join(f.CallLog(), ";")
	if !strings.HasPrefix(calls, "start s1/x;setup s1;start s1/scripted;tail s1/scripted;wait s1/scripted") {
		t.Fatalf("calls %s", calls)
	}
}

func TestFakeConfigure(t *testing.T) {
	e := Connect(t, NewFake())
	ctx := context.Background()
	err := e.Configure(ctx, map[string]any{"bogus": 1})
	if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("unknown option: %v", err)
	}
	if err := e.Configure(ctx, map[string]any{"name": "mine", "steps": map[string]any{"a": map[string]any{"exit_code": 2, "delay": "1ms"}}}); err != nil {
		t.Fatal(err)
	}
	info, err := e.Info(ctx)
	if err != nil || info.Name != "mine" || info.OS == "" {
		t.Fatalf("info %+v %v", info, err)
	}
}

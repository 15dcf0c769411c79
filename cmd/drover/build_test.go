package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// TestBuildCommands: builds started with the CLI run on the local
// runner; watch exits with their result; ls, info, last and logs show
// them as tables and JSON; restart, cancel, approve and decline change them.
func TestBuildCommands(t *testing.T) {
	e := newServerEnv(t)
	activeRepo(t, e)
	e.check(t, []cliCheck{
		{name: "create", token: "alice", args: []string{"build", "create", "acme/app"}, stdout: []string{"Build acme/app#1 started (pending)"}},
		{name: "watch exits 0 on success", token: "alice", args: []string{"build", "watch", "acme/app", "1", "--interval", "10ms"}, stdout: []string{"Build acme/app#1 success in "}},
		{name: "create failing", token: "alice", args: []string{"build", "create", "acme/app", "-p", "FAIL=yes", "--json=number", "--jq", ".number"}, stdout: []string{"2\n"}},
		{name: "watch exits 1 on failure", token: "alice", args: []string{"build", "watch", "acme/app", "--interval", "10ms"}, code: 1, stdout: []string{"Build acme/app#2 failure"}},
		{name: "ls", token: "alice", args: []string{"build", "ls", "acme/app"}, stdout: []string{"NUMBER  STATUS   EVENT", "2       failure  custom  main", "1       success  custom  main"}},
		{name: "ls json", token: "alice", args: []string{"build", "ls", "acme/app", "--json", "number,status"}, stdout: []string{`"number": 2,`, `"status": "failure"`}},
		{name: "ls jq", token: "alice", args: []string{"build", "ls", "acme/app", "--jq", `map(select(.status == "success")) | .[].number`}, stdout: []string{"1\n"}},
		{name: "ls filtered", token: "alice", args: []string{"build", "ls", "acme/app", "--status", "failure", "--jq", ".[].number"}, stdout: []string{"2\n"}},
		{name: "ls limit", token: "alice", args: []string{"build", "ls", "acme/app", "-L", "1", "--jq", "length"}, stdout: []string{"1\n"}},
		{name: "info", token: "alice", args: []string{"build", "info", "acme/app", "2"}, stdout: []string{"Build:", "#2", "Status:", "failure",
			"STAGE      STEP     STATUS   EXIT", "1 default", "1 greet  success  0", "2 check  failure  1"}},
		{name: "info json", token: "alice", args: []string{"build", "info", "acme/app", "2", "--jq", ".stages[0].steps[1].exit_code"}, stdout: []string{"1\n"}},
		{name: "last", token: "alice", args: []string{"build", "last", "acme/app", "--json=number,params"}, stdout: []string{`"number": 2`, `"FAIL": "yes"`}},
		{name: "logs of a build", token: "alice", args: []string{"build", "logs", "acme/app", "2"}, stdout: []string{"[default/greet] hello drover\n", "[default/check] param FAIL=yes\n"}},
		{name: "logs of a step", token: "alice", args: []string{"build", "logs", "acme/app", "1", "default", "2"}, stdout: []string{"param FAIL=\n"}},
		{name: "logs failed only", token: "alice", args: []string{"build", "logs", "acme/app", "2", "--failed", "--jq", ".[].step"}, stdout: []string{"check\n"}},
		{name: "logs json", token: "alice", args: []string{"build", "logs", "acme/app", "1", "1", "greet", "--json=out", "--jq", ".[0].out"}, stdout: []string{"hello drover\n"}},
		{name: "logs follow a finished build", token: "alice", args: []string{"build", "logs", "acme/app", "1", "-f"}, stdout: []string{"[default/greet] hello drover\n", "[default/check] param FAIL=\n"}},
		{name: "logs no such stage", token: "alice", args: []string{"build", "logs", "acme/app", "1", "nope"}, code: 1, stderr: `build 1 has no stage "nope"`, oneLine: true},
		{name: "logs json and follow", token: "alice", args: []string{"build", "logs", "acme/app", "1", "-f", "--json"}, code: 2, stderr: "not with --follow", oneLine: true},
		{name: "restart", token: "alice", args: []string{"build", "restart", "acme/app", "2", "--json=number,parent"}, stdout: []string{`"number": 3`, `"parent": 2`}},
		{name: "watch the restart", token: "alice", args: []string{"build", "watch", "acme/app", "3", "--interval", "10ms", "--json=status", "--jq", ".status"}, code: 1, stdout: []string{"failure\n"}},
		{name: "no such build", token: "alice", args: []string{"build", "info", "acme/app", "99"}, code: 1, stderr: "(404)", oneLine: true},
		{name: "bad number", token: "alice", args: []string{"build", "info", "acme/app", "x"}, code: 2, stderr: `build "x" is not a positive number`, oneLine: true},
		{name: "bad param", token: "alice", args: []string{"build", "create", "acme/app", "-p", "NOEQUALS"}, code: 2, stderr: "want KEY=VALUE", oneLine: true},
		{name: "inactive repository", token: "alice", args: []string{"build", "create", "acme/lib"}, code: 1, stderr: "acme/lib is not active in Drover", oneLine: true},
	})

	// A long build followed live, then cancelled.
	r := e.run(t, e.alice, "build", "create", "acme/app", "-p", "SLEEP=60", "--jq", ".number")
	if r.code != 0 || strings.TrimSpace(r.out) != "4" {
		t.Fatalf("create a long build: %d %q %q", r.code, r.out, r.err)
	}
	waitStep(t, e, 4, "greet", core.StatusRunning)
	e.check(t, []cliCheck{
		{name: "cancel", token: "alice", args: []string{"build", "cancel", "acme/app", "4"}, stdout: []string{"Build acme/app#4 is "}}, // killed, or still stopping: watch says,
		{name: "watch a cancelled build", token: "alice", args: []string{"build", "watch", "acme/app", "4", "--interval", "10ms"}, code: 1, stdout: []string{"#4 killed"}},
	})

	// Cron builds of a protected repository wait for approval.
	protect(t, e)
	e.check(t, []cliCheck{
		{name: "cron add", token: "alice", args: []string{"cron", "add", "acme/app", "nightly", "@daily"}, stdout: []string{"Saved schedule nightly"}},
		{name: "cron run", token: "alice", args: []string{"cron", "run", "acme/app", "nightly"}, stdout: []string{"Build acme/app#5 started (blocked)"}},
		{name: "approve", token: "alice", args: []string{"build", "approve", "acme/app", "5", "--jq", `.status != "blocked"`}, stdout: []string{"true\n"}}, // pending, or running already
		{name: "watch approved", token: "alice", args: []string{"build", "watch", "acme/app", "5", "--interval", "10ms"}, stdout: []string{"#5 success"}},
		{name: "cron run again", token: "alice", args: []string{"cron", "run", "acme/app", "nightly", "--jq", ".number"}, stdout: []string{"6\n"}},
		{name: "decline", token: "alice", args: []string{"build", "decline", "acme/app", "6"}, stdout: []string{"Build acme/app#6 is declined."}},
		{name: "approve a declined build", token: "alice", args: []string{"build", "approve", "acme/app", "6"}, code: 1, oneLine: true},
	})
	if routeExists(t, e, "POST", "/api/repos/{owner}/{name}/builds/{number}/promote") {
		e.check(t, []cliCheck{{name: "promote", token: "alice", args: []string{"build", "promote", "acme/app", "1", "production", "--jq", ".event"}, stdout: []string{"promote\n"}}})
	}
	if routeExists(t, e, "POST", "/api/repos/{owner}/{name}/builds/{number}", "stage") {
		e.check(t, []cliCheck{{name: "restart a stage", token: "alice", args: []string{"build", "restart", "acme/app", "1", "--stage", "default", "--jq", ".parent"}, stdout: []string{"1\n"}}})
	}
	if routeExists(t, e, "GET", "/api/repos/{owner}/{name}/builds/{number}/logs/{stage}/{step}/raw") {
		e.check(t, []cliCheck{{name: "raw log", token: "alice", args: []string{"build", "logs", "acme/app", "1", "default", "greet", "--raw"}, stdout: []string{"hello drover"}}})
	}
}

// TestBuildLogsFollowLive: logs -f of a running build prints its lines as
// they come and returns once the build ended.
func TestBuildLogsFollowLive(t *testing.T) {
	e := newServerEnv(t)
	activeRepo(t, e)
	if r := e.run(t, e.alice, "build", "create", "acme/app", "-p", "SLEEP=1"); r.code != 0 {
		t.Fatal(r.err)
	}
	r := e.run(t, e.alice, "build", "logs", "acme/app", "1", "--follow")
	greet, check := strings.Index(r.out, "[default/greet] hello drover\n"), strings.Index(r.out, "[default/check] param FAIL=\n")
	if r.code != 0 || greet < 0 || check < greet {
		t.Fatalf("logs -f: exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}
}

// waitStep waits until the step of the build has the status.
func waitStep(t *testing.T, e *serverEnv, number int, step string, want core.Status) {
	t.Helper()
	for i := 0; ; i++ {
		r := e.run(t, e.alice, "build", "info", "acme/app", fmt.Sprint(number), "--jq",
			fmt.Sprintf(`.stages[0].steps[] | select(.name == %q) | .status`, step))
		if strings.TrimSpace(r.out) == string(want) {
			return
		}
		if i > 3000 {
			t.Fatalf("step %s of build %d is %q, not %s", step, number, r.out, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// protect makes acme/app protected: builds but custom ones need approval.
func protect(t *testing.T, e *serverEnv) {
	t.Helper()
	ctx := context.Background()
	repo, err := e.app.Store.Repos().FindSlug(ctx, "fake", "acme/app")
	if err != nil {
		t.Fatal(err)
	}
	repo.Protected = true
	if err := e.app.Store.Repos().Update(ctx, repo); err != nil {
		t.Fatal(err)
	}
}

// TestBuildWatchFollowsTheStream: watch learns of the build's end from
// the event stream: with reads every hour as the fallback, it still
// returns as soon as the build ends.
func TestBuildWatchFollowsTheStream(t *testing.T) {
	e := newServerEnv(t)
	activeRepo(t, e)
	if r := e.run(t, e.alice, "build", "create", "acme/app", "-p", "SLEEP=2"); r.code != 0 {
		t.Fatal(r.err)
	}
	done := make(chan result, 1)
	go func() { done <- e.run(t, e.alice, "build", "watch", "acme/app", "1", "--interval", "1h") }()
	select {
	case r := <-done:
		if r.code != 0 || !strings.Contains(r.out, "Build acme/app#1 success in ") {
			t.Errorf("watch: exit %d, %q %q", r.code, r.out, r.err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("watch did not return after the build ended: the stream's events were not followed")
	}
}

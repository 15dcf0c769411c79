package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// runnerAnswer is a runner as the list shows it.
type runnerAnswer struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Status  string `json:"status"`
	Paused  bool   `json:"paused"`
	Labels  map[string]string
	Running []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"running"`
}

func TestRunnerStatusAndPause(t *testing.T) {
	f := newRoleFixture(t)
	ctx := context.Background()
	now := time.Now()
	runners := map[string]*core.Runner{}
	for _, r := range []*core.Runner{
		{Name: "idle", TokenHash: "h-idle", Version: "1.2.3", Labels: map[string]string{"zone": "a"}},
		{Name: "busy", TokenHash: "h-busy"},
		{Name: "gone", TokenHash: "h-gone"},
		{Name: "local", TokenHash: "h-local", Local: true},
	} {
		if err := f.store.Runners().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		runners[r.Name] = r
	}
	for _, name := range []string{"idle", "busy"} {
		if err := f.store.Runners().Touch(ctx, runners[name].ID, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.Runners().Touch(ctx, runners["gone"].ID, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	b := &core.Build{RepoID: f.repo.ID, Status: core.StatusRunning, Event: core.EventPush}
	st := &core.Stage{Name: "test", Status: core.StatusPending}
	if err := f.store.Builds().Create(ctx, b, []*core.Stage{st}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.DB().NewUpdate().Table("stages").Set("status = ?", core.StatusRunning).
		Set("runner_id = ?", runners["busy"].ID).Where("id = ?", st.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	status := func() map[string]runnerAnswer {
		t.Helper()
		code, body := f.raw(t, "GET", "/api/runners", f.token, "")
		var list []runnerAnswer
		if code != 200 || json.Unmarshal([]byte(body), &list) != nil {
			t.Fatalf("list = %d %s", code, body)
		}
		out := map[string]runnerAnswer{}
		for _, r := range list {
			out[r.Name] = r
		}
		return out
	}
	got := status()
	for name, want := range map[string]string{"idle": "online", "busy": "busy", "gone": "offline", "local": "online"} {
		if got[name].Status != want {
			t.Errorf("%s: status %q, want %q", name, got[name].Status, want)
		}
	}
	if r := got["busy"]; len(r.Running) != 1 || r.Running[0].ID != st.ID || r.Running[0].Name != "test" {
		t.Errorf("busy runs %+v", r.Running)
	}
	if r := got["idle"]; r.Version != "1.2.3" || r.Labels["zone"] != "a" || r.Running == nil {
		t.Errorf("idle shows %+v", r)
	}

	busy := "/api/runners/" + itoa(runners["busy"].ID)
	if code, body := f.raw(t, "POST", busy+"/pause", f.tokens["owner"], ""); code != 403 {
		t.Fatalf("a repository admin pausing = %d %s, want 403", code, body)
	}
	if code, r := f.do(t, "POST", busy+"/pause", f.token, ""); code != 200 || r["status"] != "paused" || r["paused"] != true {
		t.Fatalf("pause = %d %v", code, r)
	}
	if p, _ := f.store.RunnerStates().Paused(ctx, runners["busy"].ID); !p {
		t.Fatal("pause not stored")
	}
	if code, r := f.do(t, "GET", busy, f.token, ""); code != 200 || r["status"] != "paused" {
		t.Fatalf("get = %d %v", code, r)
	}
	if code, r := f.do(t, "POST", busy+"/resume", f.token, ""); code != 200 || r["status"] != "busy" {
		t.Fatalf("resume = %d %v", code, r)
	}
	for _, path := range []string{"/api/runners/999/pause", "/api/runners/999"} {
		method := "POST"
		if path == "/api/runners/999" {
			method = "GET"
		}
		if code, _ := f.raw(t, method, path, f.token, ""); code != 404 {
			t.Errorf("%s %s = %d, want 404", method, path, code)
		}
	}
	code, body := f.raw(t, "POST", "/api/runners/1x/pause", f.token, "")
	wantError(t, "a malformed id", code, body, 400)
}

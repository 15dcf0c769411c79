package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/drover-ci/drover/core"
)

const repoCron = "/api/repos/acme/app/cron"

// cronAnswer is a schedule as the API answers it.
type cronAnswer struct {
	Name     string      `json:"name"`
	Expr     string      `json:"expr"`
	Branch   string      `json:"branch"`
	Enabled  bool        `json:"enabled"`
	NextRuns []time.Time `json:"next_runs"`
}

func decodeCron(t *testing.T, body string) cronAnswer {
	t.Helper()
	var c cronAnswer
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	return c
}

func TestCronLifecycle(t *testing.T) {
	f := newRoleFixture(t)
	tok := f.tokens["owner"]
	code, body := f.raw(t, "POST", repoCron, tok, `{"name":"nightly","expr":"0 3 * * *","branch":"release"}`)
	if code != 201 {
		t.Fatalf("create = %d %s", code, body)
	}
	c := decodeCron(t, body)
	if !c.Enabled || c.Branch != "release" || len(c.NextRuns) != 3 {
		t.Fatalf("created %+v", c)
	}
	for i, run := range c.NextRuns {
		if run.UTC().Hour() != 3 || run.Minute() != 0 || (i > 0 && run.Sub(c.NextRuns[i-1]) != 24*time.Hour) {
			t.Fatalf("next runs %v are not three days at 03:00", c.NextRuns)
		}
	}
	code, body = f.raw(t, "PATCH", repoCron+"/nightly", tok, `{"expr":"@every 90m","enabled":false}`)
	if c := decodeCron(t, body); code != 200 || c.Enabled || c.Expr != "@every 90m" || c.NextRuns[1].Sub(c.NextRuns[0]) != 90*time.Minute {
		t.Fatalf("update = %d %s", code, body)
	}
	stored, _ := f.store.Crons().List(context.Background(), f.repo.ID)
	if len(stored) != 1 || !stored[0].Disabled || stored[0].Expr != "@every 90m" || time.Until(stored[0].Next) > 91*time.Minute {
		t.Fatalf("stored %+v", stored)
	}
	if list := f.list(t, repoCron, tok); len(list) != 1 || list[0]["name"] != "nightly" {
		t.Fatalf("list %v", list)
	}
	// Run now: a cron build of the schedule's branch, also when disabled.
	code, body = f.raw(t, "POST", repoCron+"/nightly", tok, "")
	if code != 201 || len(f.builder.tmpls) != 1 {
		t.Fatalf("run now = %d %s", code, body)
	}
	if b := f.builder.tmpls[0]; b.Event != core.EventCron || b.Cron != "nightly" || b.Ref != "refs/heads/release" {
		t.Fatalf("run now built %+v", b)
	}
	if code, _ := f.raw(t, "POST", repoCron+"/nightly", f.tokens["writer"], ""); code != 403 {
		t.Fatalf("run now by a writer = %d, want 403", code)
	}
	if code, _ := f.raw(t, "DELETE", repoCron+"/nightly", tok, ""); code != 204 {
		t.Fatalf("delete = %d", code)
	}
	if code, _ := f.raw(t, "POST", repoCron+"/nightly", tok, ""); code != 404 {
		t.Fatalf("run a deleted schedule = %d, want 404", code)
	}
}

func TestCronRunNeedsActiveRepo(t *testing.T) {
	f := newRoleFixture(t)
	tok := f.tokens["owner"]
	if code, _ := f.raw(t, "POST", repoCron, tok, `{"name":"n","expr":"@daily"}`); code != 201 {
		t.Fatal("seed failed")
	}
	f.repo.Active = false
	if err := f.store.Repos().Update(context.Background(), f.repo); err != nil {
		t.Fatal(err)
	}
	code, body := f.raw(t, "POST", repoCron+"/n", tok, "")
	wantError(t, "run now on an inactive repository", code, body, 400)
	if len(f.builder.tmpls) != 0 {
		t.Fatal("a build was started")
	}
}

func TestCronBadInput(t *testing.T) {
	f := newRoleFixture(t)
	tok := f.tokens["owner"]
	if code, _ := f.raw(t, "POST", repoCron, tok, `{"name":"keep","expr":"@daily"}`); code != 201 {
		t.Fatal("seed failed")
	}
	before, _ := f.store.Crons().List(context.Background(), f.repo.ID)
	for name, tc := range badInputCases("name", map[string]string{
		"invalid expression":   `{"name":"x","expr":"61 * * * *"}`,
		"too many fields":      `{"name":"x","expr":"* * * * * * *"}`,
		"unknown descriptor":   `{"name":"x","expr":"@fortnightly"}`,
		"no expression":        `{"name":"x"}`,
		"illegal name":         `{"name":"a b","expr":"@daily"}`,
		"bad branch":           `{"name":"x","expr":"@daily","branch":"a..b"}`,
		"enabled not a bool":   `{"name":"x","expr":"@daily","enabled":"yes"}`,
		"duplicate (conflict)": `{"name":"keep","expr":"@daily"}`,
	}) {
		if name == "duplicate (conflict)" {
			tc.want = 409
		}
		code, body := f.raw(t, "POST", repoCron, tok, tc.body)
		wantError(t, "create: "+name, code, body, tc.want)
	}
	for name, body := range map[string]string{
		"invalid expression": `{"expr":"every day"}`,
		"rename":             `{"name":"other"}`,
		"wrong type":         `{"expr":5}`,
	} {
		code, answer := f.raw(t, "PATCH", repoCron+"/keep", tok, body)
		wantError(t, "update: "+name, code, answer, 400)
	}
	after, _ := f.store.Crons().List(context.Background(), f.repo.ID)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("bad requests changed the store:\n%s", diff)
	}
}

// Package queuetest is the conformance suite of core.Queue: every
// implementation runs it on every database it supports (see Run). Its
// tests reach the queue through core.Store, which seeds what they claim.
package queuetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// runner registers a runner and returns its id.
func runner(t *testing.T, s core.Store) int64 {
	t.Helper()
	r := &core.Runner{Name: "r", TokenHash: fmt.Sprintf("hash-%d", time.Now().UnixNano())}
	if err := s.Runners().Create(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

var repoSeq int

// seedBuild creates a repository and a build of it in the given status
// with the stages.
func seedBuild(t *testing.T, s core.Store, status core.Status, stages ...*core.Stage) (*core.Build, *core.Repo) {
	t.Helper()
	ctx := context.Background()
	repoSeq++
	repo := &core.Repo{Remote: "fake", RemoteID: fmt.Sprint("q", repoSeq), Owner: "acme", Name: fmt.Sprint("q", repoSeq)}
	if err := s.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	b := &core.Build{Status: status, Event: core.EventPush, RepoID: repo.ID}
	if err := s.Builds().Create(ctx, b, stages); err != nil {
		t.Fatal(err)
	}
	return b, repo
}

// heldStep creates a build of one one-step stage, claims it for a new
// runner and returns the runner and the step.
func heldStep(t *testing.T, s core.Store) (int64, *core.Step) {
	t.Helper()
	ctx := context.Background()
	b, _ := seedBuild(t, s, core.StatusPending, &core.Stage{Name: "a", Type: "fake", Status: core.StatusPending,
		Spec: []byte("{}"), Steps: []*core.Step{{Name: "one", Status: core.StatusPending}}})
	holder := runner(t, s)
	if _, _, err := s.Queue().Claims().Claim(ctx, []core.Filter{{RunnerID: holder, Engines: []string{"fake"}}}, time.Now().Add(time.Minute), nil); err != nil {
		t.Fatal(err)
	}
	stages, err := s.Stages().ListBuild(ctx, b.ID)
	if err != nil || len(stages) != 1 || len(stages[0].Steps) != 1 {
		t.Fatalf("the seeded stage: %v, %v", stages, err)
	}
	return holder, stages[0].Steps[0]
}

// Claim gives the i-th stage it claims to filters[i]: the row
// records that runner and machine, whether the stage was claimed with
// others in one statement or alone because a limit counts it; and the
// claim loads each stage's details.
func testClaimMapsStagesToFilters(t *testing.T, s core.Store) {
	ctx := context.Background()
	var stages []*core.Stage
	for i, limit := range []int{0, 1, 0, 0, 2} {
		spec, _ := json.Marshal(&core.Spec{Name: "s", Type: "fake"})
		stages = append(stages, &core.Stage{Name: string(rune('a' + i)), Type: "fake", Status: core.StatusPending,
			Limit: limit, Spec: spec, Steps: []*core.Step{{Name: "one", Status: core.StatusPending}}})
	}
	b, repo := seedBuild(t, s, core.StatusPending, stages...)
	var filters []core.Filter
	for r := int64(1); r <= 5; r++ {
		id := runner(t, s)
		if r == 2 {
			id = 1 << 40 // revoked: gets nothing
		}
		filters = append(filters, core.Filter{RunnerID: id, Machine: "host-" + string(rune('0'+r)), Engines: []string{"fake"}})
	}
	claimed, gone, err := s.Queue().Claims().Claim(ctx, filters, time.Now().Add(time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 4 || len(gone) != 1 || gone[0] != 1 {
		t.Fatalf("claimed %d stages, gone %v; want 4 and the revoked runner's filter [1]", len(claimed), gone)
	}
	started := 0
	for n, c := range claimed {
		i := c.For
		if want := []int{0, 2, 3, 4}[n]; i != want {
			t.Fatalf("claim %d went to filter %d, want %d", n, i, want)
		}
		row, err := s.Stages().Find(ctx, c.Stage.ID)
		if err != nil {
			t.Fatal(err)
		}
		if row.Status != core.StatusRunning || row.RunnerID != filters[i].RunnerID || row.Machine != filters[i].Machine ||
			c.Stage.RunnerID != row.RunnerID || row.Attempts != 1 {
			t.Fatalf("claim %d: row %s for runner %d on %q (attempt %d), answer for runner %d; want running for runner %d on %q",
				i, row.Status, row.RunnerID, row.Machine, row.Attempts, c.Stage.RunnerID, filters[i].RunnerID, filters[i].Machine)
		}
		if c.BuildStarted {
			started++
		}
	}
	if started != 1 {
		t.Fatalf("%d claims say they started the build, want 1", started)
	}
	if got, _ := s.Builds().Find(ctx, b.ID); got.Status != core.StatusRunning {
		t.Fatalf("build %s after its first claims, want running", got.Status)
	}
	ds, err := s.Queue().Claims().Details(ctx, []*core.Stage{claimed[0].Stage, claimed[1].Stage})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if d.Build.ID != b.ID || d.Repo.ID != repo.ID || len(d.Stage.Steps) != 1 || len(d.Stage.Spec) == 0 {
			t.Fatalf("details %d: %+v", i, d)
		}
	}
}

// Logs are stored only for the runner holding the step's stage, a retried
// batch adds nothing, and past the cap one marker line says the log was
// cut.
func testAppendLogs(t *testing.T, s core.Store) {
	ctx := context.Background()
	holder, held := heldStep(t, s)
	step := held.ID
	batch := func(from, to int64) []*core.LogLine {
		var out []*core.LogLine
		for n := from; n < to; n++ {
			out = append(out, &core.LogLine{Number: n, Time: n * 10, Text: "it's line " + string(rune('a'+n))})
		}
		return out
	}
	if err := s.Queue().Reports().AppendLogs(ctx, holder+1, step, batch(0, 2), core.LogLimits{Lines: 5}); core.ErrorCode(err) != core.CodeConflict {
		t.Fatalf("another runner's lines = %v, want conflict", err)
	}
	for _, b := range [][2]int64{{0, 3}, {0, 3}, {3, 9}, {9, 12}} { // a retried batch, then past the cap
		if err := s.Queue().Reports().AppendLogs(ctx, holder, step, batch(b[0], b[1]), core.LogLimits{Lines: 5}); err != nil {
			t.Fatalf("lines %d..%d: %v", b[0], b[1], err)
		}
	}
	got, err := s.Logs().Read(ctx, step, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || got[4].Text != "it's line e" || got[5].Number != 5 || got[5].Text != core.TruncatedMarker(5) {
		var texts []string
		for _, l := range got {
			texts = append(texts, l.Text)
		}
		t.Fatalf("stored %d lines %q; want lines 0-4 then the marker", len(got), texts)
	}
}

// A stage's final report stores the lines its steps carry, capped as
// AppendLogs caps them, in the same transaction: a report refused
// (another runner's, or one carrying a step of another stage) stores none.
func testFinishStoresCarriedLogs(t *testing.T, s core.Store) {
	ctx := context.Background()
	holder, step := heldStep(t, s)
	otherHolder, otherStep := heldStep(t, s)
	lines := func(n int64) []*core.LogLine {
		var out []*core.LogLine
		for i := int64(0); i < n; i++ {
			out = append(out, &core.LogLine{Number: i, Time: i, Text: fmt.Sprintf("line %d", i)})
		}
		return out
	}
	report := func(steps ...*core.Step) *core.Stage {
		return &core.Stage{ID: step.StageID, Status: core.StatusSuccess, Steps: steps}
	}
	ended := func(st *core.Step, n int64) *core.Step {
		return &core.Step{ID: st.ID, Status: core.StatusSuccess, Finished: time.Now(), Logs: lines(n)}
	}
	stored := func(stepID int64) int {
		got, err := s.Logs().Read(ctx, stepID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	refused := []struct {
		name     string
		runnerID int64
		stage    *core.Stage
	}{
		{"another runner", otherHolder, report(ended(step, 3))},
		{"a step of another stage", holder, report(ended(step, 3), ended(otherStep, 3))},
	}
	for _, tc := range refused {
		if _, _, err := s.Queue().Reports().Finish(ctx, tc.runnerID, tc.stage, core.LogLimits{Lines: 5}); err == nil {
			t.Fatalf("%s: report accepted", tc.name)
		}
		if n, m := stored(step.ID), stored(otherStep.ID); n+m != 0 {
			t.Fatalf("%s: a refused report stored %d and %d lines", tc.name, n, m)
		}
	}
	if _, _, err := s.Queue().Reports().Finish(ctx, holder, report(ended(step, 8)), core.LogLimits{Lines: 5}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Logs().Read(ctx, step.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || got[4].Text != "line 4" || got[5].Text != core.TruncatedMarker(5) {
		t.Fatalf("stored %d lines (%+v); want lines 0-4 then the marker", len(got), got)
	}
	if row, _ := s.Steps().Find(ctx, step.ID); row.Status != core.StatusSuccess || len(row.Logs) != 0 {
		t.Fatalf("step after the report: %s with %d lines on the row", row.Status, len(row.Logs))
	}
}

// Concurrent reports of a stage's runner and of a runner that does not
// hold it: on SQLite they are committed in batches, and each still commits
// or fails on its own.
func testConcurrentReportsFailAlone(t *testing.T, s core.Store) {
	ctx := context.Background()
	holder, step := heldStep(t, s)
	other := runner(t, s)
	const n = 40
	errs := make(chan error, 2*n)
	for i := 0; i < n; i++ {
		go func() {
			line := []*core.LogLine{{Number: int64(i), Text: fmt.Sprintf("line %d", i)}}
			if i%2 == 0 {
				errs <- s.Queue().Reports().AppendLogs(ctx, holder, step.ID, line, core.LogLimits{})
			} else {
				errs <- s.Queue().Reports().AppendLogs(ctx, other, step.ID, line, core.LogLimits{})
			}
			upd := *step
			upd.Status = core.StatusRunning
			if i%2 == 0 {
				errs <- s.Queue().Reports().UpdateStep(ctx, holder, &upd)
			} else {
				errs <- s.Queue().Reports().UpdateStep(ctx, other, &upd)
			}
		}()
	}
	refused := 0
	for i := 0; i < 2*n; i++ {
		if err := <-errs; err != nil {
			if core.ErrorCode(err) != core.CodeConflict {
				t.Fatalf("unexpected error: %v", err)
			}
			refused++
		}
	}
	if refused != n {
		t.Fatalf("%d reports refused, want the other runner's %d", refused, n)
	}
	got, _ := s.Logs().Read(ctx, step.ID, 0, 100)
	if len(got) != n/2 {
		t.Fatalf("%d lines stored, want the holder's %d", len(got), n/2)
	}
	for _, l := range got {
		if l.Number%2 != 0 {
			t.Fatalf("the other runner's line %d was stored", l.Number)
		}
	}
	if row, _ := s.Steps().Find(ctx, step.ID); row.Status != core.StatusRunning || row.Version != step.Version+int64(n/2) {
		t.Fatalf("step %s v%d, want running at v%d", row.Status, row.Version, step.Version+int64(n/2))
	}
}

// Settle finishes a build whose stages all ended but whose settle was
// missed (its retry after a failure), and promotes a waiting stage.
func testSettleCatchesUp(t *testing.T, s core.Store) {
	ctx := context.Background()
	stages := []*core.Stage{
		{Name: "a", Type: "fake", Status: core.StatusSuccess, Spec: []byte("{}")},
		{Name: "b", Type: "fake", Status: core.StatusWaiting, DependsOn: []string{"a"}, Spec: []byte("{}")},
	}
	b, _ := seedBuild(t, s, core.StatusRunning, stages...)
	promoted, finished, err := s.Queue().Reports().Settle(ctx, b.ID)
	if err != nil || !promoted || finished {
		t.Fatalf("settle = %v, %v, %v; want b promoted, the build not finished", promoted, finished, err)
	}
	if promoted, _, _ := s.Queue().Reports().Settle(ctx, b.ID); promoted {
		t.Fatal("a second settle promoted the stage again")
	}
	list, _ := s.Stages().ListBuild(ctx, b.ID)
	list[1].Status = core.StatusSuccess
	if err := s.Stages().Update(ctx, list[1]); err != nil {
		t.Fatal(err)
	}
	if _, finished, err := s.Queue().Reports().Settle(ctx, b.ID); err != nil || !finished {
		t.Fatalf("settle after the last stage = %v, %v; want the build finished", finished, err)
	}
	if got, _ := s.Builds().Find(ctx, b.ID); got.Status != core.StatusSuccess || got.Finished.IsZero() {
		t.Fatalf("build %s (finished %v), want success", got.Status, got.Finished)
	}
}

// Run runs the suite, each test as a subtest on a fresh store from open.
func Run(t *testing.T, open func(t testing.TB) core.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s core.Store)
	}{
		{"ClaimMapsStagesToFilters", testClaimMapsStagesToFilters},
		{"AppendLogs", testAppendLogs},
		{"FinishStoresCarriedLogs", testFinishStoresCarriedLogs},
		{"ConcurrentReportsFailAlone", testConcurrentReportsFailAlone},
		{"SettleCatchesUp", testSettleCatchesUp},
		{"NothingMatches", testNothingMatches},
		{"ClaimExactlyOnce", testClaimExactlyOnce},
		{"Release", testRelease},
		{"Leases", testLeases},
		{"GiveUpClosesSteps", testGiveUpClosesSteps},
		{"LogByteCaps", testLogByteCaps},
		{"RequeueKeepsAttemptLogs", testRequeueKeepsAttemptLogs},
		{"Control", testControl},
		{"FinishOnce", testFinishOnce},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

package queuetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// texts reads a step's stored lines' texts.
func texts(t *testing.T, s core.Store, stepID int64) []string {
	t.Helper()
	got, err := s.Logs().Read(context.Background(), stepID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(got))
	for i, l := range got {
		out[i] = l.Text
	}
	return out
}

// A step's log keeps the lines whose text fits in limits.Bytes, across
// batches and the final report, then one marker; a retried batch is not
// counted twice; a line longer than LineBytes is cut on a character
// boundary, with a marker.
func testLogByteCaps(t *testing.T, s core.Store) {
	ctx := context.Background()
	limits := core.LogLimits{Bytes: 60, LineBytes: 9}
	holder, step := heldStep(t, s)
	line := func(n int64, text string) *core.LogLine { return &core.LogLine{Number: n, Time: n, Text: text} }
	batches := [][]*core.LogLine{
		{line(0, "012345678")},                              // 9 bytes
		{line(0, "012345678")},                              // retried: not counted again
		{line(1, "héllo wörld, long line"), line(2, "abc")}, // cut to 8 bytes (ö would straddle 9), with its marker 38; then 3
		{line(3, "this one does not fit")},                  // past 60: the marker
		{line(4, "dropped")},
	}
	for i, b := range batches {
		if err := s.Queue().Reports().AppendLogs(ctx, holder, step.ID, b, limits); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	final := &core.Stage{ID: step.StageID, Status: core.StatusSuccess, Steps: []*core.Step{
		{ID: step.ID, Status: core.StatusSuccess, Finished: time.Now(), Logs: []*core.LogLine{line(5, "after the cut")}}}}
	if _, _, err := s.Queue().Reports().Finish(ctx, holder, final, limits); err != nil {
		t.Fatal(err)
	}
	got := texts(t, s, step.ID)
	want := []string{"012345678", core.CutLine("héllo wörld, long line", 9), "abc", core.BytesMarker(60)}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("stored %q\nwant   %q", got, want)
	}
	if want[1] != "héllo w [drover: line cut at 9 bytes]" {
		t.Fatalf("cut line %q: want 8 bytes, on the character boundary before ö, and the marker", want[1])
	}
}

// A requeued stage's steps start over with empty logs, and the lines of
// the attempt that was interrupted stay readable under its number.
func testRequeueKeepsAttemptLogs(t *testing.T, s core.Store) {
	ctx := context.Background()
	b, _ := seedBuild(t, s, core.StatusPending, &core.Stage{Name: "a", Type: "fake", Status: core.StatusPending,
		Spec: []byte("{}"), Steps: []*core.Step{{Name: "one", Status: core.StatusPending}}})
	r := runner(t, s)
	run := func(text string) (*core.Stage, int64) {
		st := claimOne(t, s, r, time.Now().Add(-time.Minute))
		stages, err := s.Stages().ListBuild(ctx, b.ID)
		if err != nil || len(stages) != 1 || len(stages[0].Steps) != 1 {
			t.Fatalf("stages: %v, %v", stages, err)
		}
		steps := stages[0].Steps
		lines := []*core.LogLine{{Number: 0, Text: text}, {Number: 1, Text: text + " again"}}
		if err := s.Queue().Reports().AppendLogs(ctx, r, steps[0].ID, lines, core.LogLimits{Bytes: 1 << 20}); err != nil {
			t.Fatal(err)
		}
		return st, steps[0].ID
	}
	st, stepID := run("first try")
	if ok, err := s.Queue().Leases().Requeue(ctx, st, 3); err != nil || !ok {
		t.Fatalf("requeue = %v, %v", ok, err)
	}
	if got := texts(t, s, stepID); len(got) != 0 {
		t.Fatalf("the new attempt starts with %q, want an empty log", got)
	}
	if _, again := run("second try"); again != stepID {
		t.Fatalf("the second attempt ran step %d, not %d", again, stepID)
	}
	for attempt, want := range map[int][]string{1: {"first try", "first try again"}, 2: nil, 3: nil} {
		got, err := s.Logs().ReadAttempt(ctx, stepID, attempt, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var gotTexts []string
		for _, l := range got {
			gotTexts = append(gotTexts, l.Text)
		}
		if strings.Join(gotTexts, "|") != strings.Join(want, "|") {
			t.Errorf("attempt %d: %q, want %q", attempt, gotTexts, want)
		}
	}
	if got := texts(t, s, stepID); strings.Join(got, "|") != "second try|second try again" {
		t.Fatalf("the current attempt's log: %q", got)
	}
}

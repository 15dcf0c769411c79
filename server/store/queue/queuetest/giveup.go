package queuetest

import (
	"context"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// A stage that used all its attempts ends as error with its steps: none
// is left running or pending, and each says why.
func testGiveUpClosesSteps(t *testing.T, s core.Store) {
	ctx := context.Background()
	b, _ := seedBuild(t, s, core.StatusPending, &core.Stage{Name: "a", Type: "fake", Status: core.StatusPending,
		Spec: []byte("{}"), Steps: []*core.Step{{Name: "one", Status: core.StatusPending}, {Name: "two", Status: core.StatusPending}}})
	r := runner(t, s)
	st := claimOne(t, s, r, time.Now().Add(-time.Minute))
	stages, err := s.Stages().ListBuild(ctx, b.ID)
	if err != nil || len(stages) != 1 || len(stages[0].Steps) != 2 {
		t.Fatalf("the claimed stage: %v, %v", stages, err)
	}
	step := stages[0].Steps[0]
	step.Status, step.Started = core.StatusRunning, time.Now()
	if err := s.Queue().Reports().UpdateStep(ctx, r, step); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Queue().Leases().Requeue(ctx, st, st.Attempts); err != nil || ok {
		t.Fatalf("requeue after the last attempt = %v, %v; want false", ok, err)
	}
	stages, err = s.Stages().ListBuild(ctx, b.ID)
	if err != nil || len(stages) != 1 {
		t.Fatalf("the stage given up: %v, %v", stages, err)
	}
	for _, sp := range stages[0].Steps {
		if sp.Status != core.StatusError || sp.Error == "" || sp.Finished.IsZero() {
			t.Errorf("step %q after the stage was given up: %s (%q), finished %v; want error with a reason, finished",
				sp.Name, sp.Status, sp.Error, sp.Finished)
		}
	}
}

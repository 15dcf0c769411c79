package scheduler_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/scheduler"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

// A paused runner takes no stage, also when it was already waiting as it
// was paused; another runner takes the stage, and once resumed the paused
// one takes stages again.
func TestPausedRunnerTakesNoStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sc := start(t, s, scheduler.Options{})
		waiting := make(chan *core.StageDetails, 1)
		go func() {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			d, _ := sc.Request(ctx, filter(1))
			waiting <- d
		}()
		if err := s.RunnerStates().Pause(ctx, 1, 0); err != nil {
			t.Fatal(err)
		}
		_, b := seed(t, s, stage("build"))
		if st := request(t, sc, filter(1), time.Second); st != nil {
			t.Fatalf("the paused runner got stage %d", st.ID)
		}
		if st := request(t, sc, filter(2), 10*time.Second); st == nil || st.BuildID != b.ID {
			t.Fatalf("another runner got %+v, want the build's stage", st)
		}
		if d := <-waiting; d != nil {
			t.Fatalf("the runner paused while waiting got stage %d", d.Stage.ID)
		}
		if err := s.RunnerStates().Resume(ctx, 1); err != nil {
			t.Fatal(err)
		}
		_, next := seed(t, s, stage("build"))
		if st := request(t, sc, filter(1), 10*time.Second); st == nil || st.BuildID != next.ID {
			t.Fatalf("the resumed runner got %+v, want the next build's stage", st)
		}
	})
}

// withRegistries is a Secrets that also gives registry credentials.
type withRegistries struct{ regs []core.RegistryAuth }

func (withRegistries) Resolve(context.Context, *core.Repo, *core.Build, []string) (map[string]string, error) {
	return nil, nil
}

func (w withRegistries) Registries(context.Context, *core.Repo, *core.Build) ([]core.RegistryAuth, error) {
	return w.regs, nil
}

// A stage's spec reaches its runner with the registry credentials when a
// step pulls an image; a stage without images gets none.
func TestDetailsCarryRegistries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		regs := []core.RegistryAuth{{Address: "ghcr.io", Username: "u", Password: "p"}}
		sc := start(t, s, scheduler.Options{Secrets: withRegistries{regs}})
		plain := stage("plain")
		plain.Spec, _ = json.Marshal(&core.Spec{Name: "plain", Steps: []*core.SpecStep{{Name: "one"}}})
		seed(t, s, plain)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if d, err := sc.Request(ctx, filter(1)); err != nil || len(d.Spec.Registries) != 0 {
			t.Fatalf("a stage without images: registries %+v, %v", d, err)
		}
		image := stage("image")
		image.Spec, _ = json.Marshal(&core.Spec{Name: "image", Steps: []*core.SpecStep{{Name: "one", Image: "ghcr.io/acme/tool"}}})
		seed(t, s, image)
		d, err := sc.Request(ctx, filter(1))
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Spec.Registries) != 1 || d.Spec.Registries[0] != regs[0] {
			t.Fatalf("spec registries %+v", d.Spec.Registries)
		}
		again, err := sc.Details(ctx, 1, d.Stage.ID)
		if err != nil || len(again.Spec.Registries) != 1 {
			t.Fatalf("details again: %+v %v", again, err)
		}
	})
}

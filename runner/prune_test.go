package runner

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// prunerFake is the fake engine with the Prune capability; it records the
// order of Prune and Setup calls.
type prunerFake struct {
	*enginetest.Fake
	prune func(ctx context.Context, keep []string) ([]string, error)

	mu    sync.Mutex
	calls []string
	keeps [][]string
}

func (p *prunerFake) Prune(ctx context.Context, keep []string) ([]string, error) {
	p.mu.Lock()
	p.calls = append(p.calls, "prune")
	p.keeps = append(p.keeps, keep)
	p.mu.Unlock()
	return p.prune(ctx, keep)
}

func (p *prunerFake) Setup(ctx context.Context, spec *core.Spec) error {
	p.mu.Lock()
	p.calls = append(p.calls, "setup")
	p.mu.Unlock()
	return p.Fake.Setup(ctx, spec)
}

func (p *prunerFake) history() ([]string, [][]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls), slices.Clone(p.keeps)
}

// The runner prunes once when it starts, before it sets up any stage,
// keeping none; an engine's failing prune neither stops the runner nor the
// other engines' prunes.
func TestPrunesLeftoversAtStart(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"prune succeeds", nil},
		{"prune fails", core.Errorf(core.CodeUnavailable, "daemon down")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeClient()
			c.add(1, spec("docker", step("build")), false, nil)
			eng := &prunerFake{Fake: enginetest.NewFake(), prune: func(context.Context, []string) ([]string, error) {
				return []string{"7"}, tt.err
			}}
			other := &prunerFake{Fake: enginetest.NewFake(), prune: func(context.Context, []string) ([]string, error) {
				return nil, nil
			}}
			start(t, Options{Client: c, Engines: StaticEngines{"docker": eng, "other": other, "plain": enginetest.NewFake()}})
			c.waitFinished(t, 1)
			if st := c.finalOf(1); st.Status != core.StatusSuccess {
				t.Fatalf("stage = %s (%s)", st.Status, st.Error)
			}
			calls, keeps := eng.history()
			if !slices.Equal(calls, []string{"prune", "setup"}) {
				t.Fatalf("engine calls = %v, want one prune before the setup", calls)
			}
			if len(keeps[0]) != 0 {
				t.Fatalf("prune kept %v at start, want none", keeps[0])
			}
			if calls, _ := other.history(); !slices.Equal(calls, []string{"prune"}) {
				t.Fatalf("the other engine's calls = %v, want one prune", calls)
			}
		})
	}
}

package runner

import (
	"context"
	"time"

	"github.com/drover-ci/drover/core"
)

// PruneTimeout bounds each engine's prune when the agent starts.
const PruneTimeout = time.Minute

// prune asks every engine that can (core.Pruner) to remove what this
// runner left behind for stages it no longer holds: it runs when the agent
// starts, before any stage is taken, so only the stages it holds (none)
// are kept. A failure is logged; the runner still starts.
func (a *Agent) prune(ctx context.Context) {
	running := a.jobs()
	keep := make([]string, 0, len(running))
	for _, j := range running {
		keep = append(keep, j.engineID) // the ids the engines know the stages by
	}
	for _, name := range a.o.Engines.Names() {
		if ctx.Err() != nil {
			return
		}
		eng, err := a.o.Engines.Engine(name)
		if err != nil {
			continue
		}
		p, ok := eng.(core.Pruner)
		if !ok {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, PruneTimeout)
		pruned, err := p.Prune(pctx, keep)
		cancel()
		switch {
		case err != nil:
			a.log.Warn("prune the leftovers of earlier stages", "engine", name, "pruned", pruned, "err", err)
		case len(pruned) > 0:
			a.log.Info("pruned the leftovers of earlier stages", "engine", name, "stages", pruned)
		}
	}
}

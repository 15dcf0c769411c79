package server

import (
	"context"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/metrics"
)

// metricsState reads the gauges of /metrics from the store: pending and
// running builds and stages (two indexed counts), and the runners in
// contact and busy (the runners' list, as GET /api/runners shows them:
// a paused runner is not online; one silent for api.OfflineAfter is
// offline unless it is this server's own).
func (a *App) metricsState(ctx context.Context) (metrics.State, error) {
	builds, stages, err := a.Store.ActiveCounts(ctx)
	if err != nil {
		return metrics.State{}, err
	}
	runners, err := a.Store.Runners().List(ctx)
	if err != nil {
		return metrics.State{}, err
	}
	states, err := a.Store.RunnerStates().States(ctx)
	if err != nil {
		return metrics.State{}, err
	}
	st := metrics.State{BuildsPending: builds[core.StatusPending], BuildsRunning: builds[core.StatusRunning],
		StagesPending: stages[core.StatusPending], StagesRunning: stages[core.StatusRunning]}
	now := time.Now()
	for _, r := range runners {
		s := states[r.ID]
		if (s != nil && s.Paused) || (!r.Local && now.Sub(r.LastSeen) > api.OfflineAfter) {
			continue
		}
		st.RunnersOnline++
		if s != nil && len(s.Running) > 0 {
			st.RunnersBusy++
		}
	}
	return st, nil
}

// pluginRestarts are the plugin instances' restarts, for /metrics.
func (a *App) pluginRestarts() []metrics.PluginRestarts {
	var out []metrics.PluginRestarts
	for _, s := range a.Host.Status() {
		out = append(out, metrics.PluginRestarts{Kind: string(s.Kind), Name: s.Name, Restarts: s.Restarts})
	}
	return out
}

package metrics

import (
	"context"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// BuildChanged counts a build's new status (a change seen for the first
// time across the replicas: the outgoing webhooks' OnChange) and, for a
// finished build, its duration. Changes of stages and builds' creations
// (counted by BuildsCreated) are left out.
func (m *Metrics) BuildChanged(c core.BuildChange, b *core.Build) {
	if c.StageID != 0 || c.Status == "created" {
		return
	}
	m.BuildsByStatus.WithLabelValues(string(c.Status)).Inc()
	if c.Status.Done() && b != nil && !b.Started.IsZero() && b.Finished.After(b.Started) {
		m.BuildDuration.Observe(b.Finished.Sub(b.Started).Seconds())
	}
}

// StageClaimed observes how long a stage waited before a runner took it.
func (m *Metrics) StageClaimed(st *core.Stage) {
	if !st.Created.IsZero() && st.Started.After(st.Created) {
		m.QueueWait.Observe(st.Started.Sub(st.Created).Seconds())
	}
}

// Middleware observes each request's duration by method, route template
// (c.FullPath(), so that /api/repos/acme/app is one route with every
// other repository; "unmatched" for requests no route took) and status.
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.HTTPDuration.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Observe(time.Since(start).Seconds())
	}
}

// ObserveSyncs returns s with its sync store observed: each repository
// sync's recorded outcome adds its duration to SyncDuration.
func (m *Metrics) ObserveSyncs(s core.Store) core.Store { return syncObserved{Store: s, m: m} }

type syncObserved struct {
	core.Store
	m *Metrics
}

func (s syncObserved) Syncs() core.SyncStore {
	return observedSyncs{SyncStore: s.Store.Syncs(), m: s.m}
}

type observedSyncs struct {
	core.SyncStore
	m *Metrics
}

func (o observedSyncs) SaveOutcome(ctx context.Context, out *core.SyncOutcome) error {
	if !out.Finished.IsZero() && !out.Finished.Before(out.Started) {
		result := "ok"
		if out.Error != "" {
			result = "error"
		}
		o.m.SyncDuration.WithLabelValues(result).Observe(out.Finished.Sub(out.Started).Seconds())
	}
	return o.SyncStore.SaveOutcome(ctx, out)
}

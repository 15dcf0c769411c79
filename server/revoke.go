package server

import (
	"context"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/scheduler"
	"github.com/drover-ci/drover/server/store"
)

// revokeNotifier is the store as the API sees it: revoking a runner also
// announces it on the bus, where the runner protocol (on SQLite, the one
// server) empties its cache of runner tokens before its next call.
type revokeNotifier struct {
	*store.Store
	bus *scheduler.Bus
}

// Runners returns the runner store whose Delete announces the revocation.
func (r revokeNotifier) Runners() core.RunnerStore {
	return notifyingRunners{RunnerStore: r.Store.Runners(), bus: r.bus}
}

type notifyingRunners struct {
	core.RunnerStore
	bus *scheduler.Bus
}

// Delete revokes the runner and tells every replica.
func (n notifyingRunners) Delete(ctx context.Context, id int64) error {
	if err := n.RunnerStore.Delete(ctx, id); err != nil {
		return err
	}
	n.bus.Publish(ctx, scheduler.TopicRunners)
	return nil
}

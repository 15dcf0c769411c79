package queue

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// settle brings a build up to date after one of its stages changed:
// waiting stages whose dependencies are all done become pending (or are
// skipped when their run policy says so), repeatedly, since a skip can
// settle further stages; when every stage is done the build finishes. It
// reports whether a stage became pending and whether it finished the
// build.
//
// It runs after the change committed (on Postgres), or in the one
// writer's transaction (SQLite), and every change it makes is conditional
// on the row still being what it read: stages only move towards done, so
// of two stages of a build ending at once, the one whose settle reads
// last sees both ended, and when both see it, one change wins and the
// other finds nothing to do. No lock on the build is needed.
func settle(ctx context.Context, db bun.IDB, buildID int64, now time.Time) (promoted, finished bool, err error) {
	var rows []*tables.Stage
	if err := db.NewSelect().Model(&rows).Column("id", "name", "status", "depends_on", "run_policy").
		Where("build_id = ?", buildID).Order("number").Scan(ctx); err != nil {
		return false, false, dbutil.MapErr(err, "stages")
	}
	byName := make(map[string]*tables.Stage, len(rows))
	for _, r := range rows {
		byName[r.Name] = r
	}
	for changed := true; changed; {
		changed = false
		for _, r := range rows {
			if r.Status != core.StatusWaiting {
				continue
			}
			next, ready := promotion(r, byName)
			if !ready {
				continue
			}
			q := db.NewUpdate().Model((*tables.Stage)(nil)).Set("status = ?", next).
				Set("updated = ?", now).Set("version = version + 1").
				Where("id = ? AND status = ?", r.ID, core.StatusWaiting)
			if next == core.StatusSkipped {
				q = q.Set("finished = ?", now)
			}
			res, err := q.Exec(ctx)
			if err != nil {
				return false, false, dbutil.MapErr(err, "stage")
			}
			n, err := dbutil.Affected(res)
			if err != nil {
				return false, false, err
			}
			// Decided from final statuses: another settle that got there
			// first decided the same.
			r.Status = next
			changed = true
			promoted = promoted || (n == 1 && next == core.StatusPending)
		}
	}
	finished, err = finishBuild(ctx, db, buildID, rows, now)
	return promoted, finished, err
}

// settleCommitted settles a build after a change of it committed (see
// settle); a failure is a SettleError, since the change stands.
func (s *Queue) settleCommitted(ctx context.Context, buildID int64, now time.Time) (promoted, finished bool, err error) {
	promoted, finished, err = settle(ctx, s.db, buildID, now)
	if err != nil {
		return false, false, &core.SettleError{BuildID: buildID, Err: err}
	}
	return promoted, finished, nil
}

// Settle brings a build up to date (see settle): waiting stages whose
// dependencies are done are promoted or skipped, and the build finishes
// when every stage is done. It reports whether a stage became pending and
// whether it finished the build.
func (s reports) Settle(ctx context.Context, buildID int64) (promoted, finished bool, err error) {
	return settle(ctx, s.db, buildID, time.Now().UTC())
}

// promotion decides what a waiting stage becomes once every stage it
// depends on is done.
func promotion(r *tables.Stage, byName map[string]*tables.Stage) (core.Status, bool) {
	failed := false
	for _, dep := range r.DependsOn {
		d, ok := byName[dep]
		if !ok {
			continue // the compiler drops unknown names; be lenient with old rows
		}
		if !d.Status.Done() {
			return "", false
		}
		failed = failed || d.Status.Failed()
	}
	switch {
	case r.RunPolicy == core.RunAlways:
		return core.StatusPending, true
	case r.RunPolicy == core.RunOnFailure && failed, r.RunPolicy != core.RunOnFailure && !failed:
		return core.StatusPending, true
	}
	return core.StatusSkipped, true
}

// finalBuildStatuses are those of a finished build ("killed" is not one
// until its running stages end).
var finalBuildStatuses = []core.Status{core.StatusSuccess, core.StatusFailure, core.StatusError, core.StatusDeclined}

// finishBuild sets the build's final status once every stage is done:
// killed stays killed; any failed stage fails the build (error when the
// failure was the infrastructure's); otherwise success.
func finishBuild(ctx context.Context, db bun.IDB, buildID int64, rows []*tables.Stage, now time.Time) (bool, error) {
	status := core.StatusSuccess
	for _, r := range rows {
		switch {
		case !r.Status.Done():
			return false, nil
		case r.Status == core.StatusFailure, r.Status == core.StatusKilled:
			status = core.StatusFailure
		case r.Status == core.StatusError && status == core.StatusSuccess:
			status = core.StatusError
		}
	}
	res, err := db.NewUpdate().Model((*tables.Build)(nil)).
		Set("status = CASE WHEN status = ? THEN status ELSE ? END", core.StatusKilled, status).
		Set("finished = ?", now).Set("updated = ?", now).Set("version = version + 1").
		Where("id = ? AND status NOT IN (?)", buildID, bun.List(finalBuildStatuses)).
		Exec(ctx)
	if err != nil {
		return false, dbutil.MapErr(err, "build")
	}
	n, err := dbutil.Affected(res)
	return n == 1, err
}

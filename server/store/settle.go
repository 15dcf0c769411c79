package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/drover-ci/drover/core"
)

// settle brings a build up to date after one of its stages changed:
// waiting stages whose dependencies are all done become pending (or are
// skipped when their run policy says so), repeatedly, since a skip can
// settle further stages; when every stage is done the build finishes. It
// reports whether a stage became pending.
func settle(ctx context.Context, tx bun.Tx, buildID int64, now time.Time) (promoted, finished bool, err error) {
	// On Postgres, hold the build's row first: two of its stages ending
	// at once would otherwise each see the other still running (neither
	// change committed) and neither would finish the build. The second
	// waits here, then reads the first's change. SQLite has one writer.
	if tx.Dialect().Name() == dialect.PG {
		if _, err := tx.NewSelect().Model((*buildRow)(nil)).Column("id").
			Where("id = ?", buildID).For("UPDATE").Exec(ctx); err != nil {
			return false, false, mapErr(err, "build")
		}
	}
	return settleHeld(ctx, tx, buildID, now)
}

// settleHeld is settle once the build's row is held (on Postgres).
func settleHeld(ctx context.Context, tx bun.Tx, buildID int64, now time.Time) (promoted, finished bool, err error) {
	var rows []*stageRow
	if err := tx.NewSelect().Model(&rows).Column("id", "name", "status", "depends_on", "run_policy").
		Where("build_id = ?", buildID).Order("number").Scan(ctx); err != nil {
		return false, false, mapErr(err, "stages")
	}
	byName := make(map[string]*stageRow, len(rows))
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
			q := tx.NewUpdate().Model((*stageRow)(nil)).Set("status = ?", next).
				Set("updated = ?", now).Set("version = version + 1").Where("id = ?", r.ID)
			if next == core.StatusSkipped {
				q = q.Set("finished = ?", now)
			}
			if _, err := q.Exec(ctx); err != nil {
				return false, false, mapErr(err, "stage")
			}
			r.Status = next
			changed = true
			promoted = promoted || next == core.StatusPending
		}
	}
	finished, err = finishBuild(ctx, tx, buildID, rows, now)
	return promoted, finished, err
}

// promotion decides what a waiting stage becomes once every stage it
// depends on is done.
func promotion(r *stageRow, byName map[string]*stageRow) (core.Status, bool) {
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

// finishBuild sets the build's final status once every stage is done:
// killed stays killed; any failed stage fails the build (error when the
// failure was the infrastructure's); otherwise success.
func finishBuild(ctx context.Context, tx bun.Tx, buildID int64, rows []*stageRow, now time.Time) (bool, error) {
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
	res, err := tx.NewUpdate().Model((*buildRow)(nil)).
		Set("status = CASE WHEN status = ? THEN status ELSE ? END", core.StatusKilled, status).
		Set("finished = ?", now).Set("updated = ?", now).Set("version = version + 1").
		Where("id = ? AND status NOT IN (?)", buildID,
			bun.List([]core.Status{core.StatusSuccess, core.StatusFailure, core.StatusError, core.StatusDeclined})).
		Exec(ctx)
	if err != nil {
		return false, mapErr(err, "build")
	}
	n, err := affected(res)
	return n == 1, err
}

package queue

import (
	"context"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// Pending returns up to limit pending stages, oldest first.
func (s claims) Pending(ctx context.Context, limit int) ([]*core.Stage, error) {
	var rows []*tables.Stage
	err := s.db.NewSelect().Model(&rows).Where("status = ?", core.StatusPending).
		Order("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbutil.MapErr(err, "stages")
	}
	return tables.StagesCore(rows), nil
}

// Release gives back a stage claimed for a runner that never received
// it: pending again, without counting the attempt. It changes nothing
// once the stage changed since the claim (st.Version).
func (s claims) Release(ctx context.Context, st *core.Stage) error {
	_, err := s.db.NewUpdate().Model((*tables.Stage)(nil)).
		Set("status = ?", core.StatusPending).
		Set("runner_id = 0").
		Set("machine = ''").
		Set("started = NULL").
		Set("lease_expires = NULL").
		Set("attempts = attempts - 1").
		Set("version = version + 1").
		Where("id = ? AND runner_id = ? AND status = ? AND version = ?", st.ID, st.RunnerID, core.StatusRunning, st.Version).Exec(ctx)
	return dbutil.MapErr(err, "stage")
}

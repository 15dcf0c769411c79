package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// ActiveCounts returns how many builds and how many stages are pending
// and running, by status (a status with none is absent): two counts on
// indexes (builds_active, stages_status), cheap enough for every scrape
// of /metrics.
func (s *Store) ActiveCounts(ctx context.Context) (builds, stages map[core.Status]int, err error) {
	active := bun.List([]core.Status{core.StatusPending, core.StatusRunning})
	count := func(table string) (map[core.Status]int, error) {
		var rows []struct {
			Status core.Status `bun:"status"`
			N      int         `bun:"n"`
		}
		err := s.db.NewSelect().Table(table).Column("status").ColumnExpr("COUNT(*) AS n").
			Where("status IN (?)", active).Group("status").Scan(ctx, &rows)
		if err != nil {
			return nil, dbutil.MapErr(err, table)
		}
		out := map[core.Status]int{}
		for _, r := range rows {
			out[r.Status] = r.N
		}
		return out, nil
	}
	if builds, err = count("builds"); err != nil {
		return nil, nil, err
	}
	if stages, err = count("stages"); err != nil {
		return nil, nil, err
	}
	return builds, stages, nil
}

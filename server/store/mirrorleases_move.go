package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// moveBatch bounds the moves applied in one transaction, so that a first
// assignment of thousands of mirrors does not hold the lock for long.
const moveBatch = 500

func (ls leaseStore) Move(ctx context.Context, moves []core.MirrorMove, expires time.Time) (int, error) {
	total := 0
	for len(moves) > 0 {
		batch := moves[:min(len(moves), moveBatch)]
		moves = moves[len(batch):]
		n := 0
		err := ls.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			if err := ls.s.lockMirrors(ctx, tx); err != nil {
				return err
			}
			n = 0
			now := stamp(time.Now())
			for _, mv := range batch {
				ok, err := ls.move(ctx, tx, mv, stamp(expires), now)
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// move applies one move if the mirror is still held by mv.From.
func (ls leaseStore) move(ctx context.Context, tx bun.Tx, mv core.MirrorMove, expires, now time.Time) (bool, error) {
	if mv.From == mv.To {
		return false, nil
	}
	if mv.From != 0 {
		res, err := tx.NewDelete().Model((*leaseRow)(nil)).Where("mirror_id = ? AND runner_id = ?", mv.MirrorID, mv.From).Exec(ctx)
		if err != nil {
			return false, dbutil.MapErr(err, "mirror lease")
		}
		if n, err := dbutil.Affected(res); err != nil || n == 0 {
			return false, err
		}
		if err := addLeaseEvent(ctx, tx, mv.From, mv.MirrorID, false); err != nil {
			return false, err
		}
	}
	if mv.To == 0 {
		return true, nil
	}
	// Only a mirror still there and not paused, held by nobody, goes to a
	// runner still registered.
	res, err := tx.NewRaw(`INSERT INTO mirror_leases (mirror_id, runner_id, expires, created)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM mirrors WHERE id = ? AND NOT paused)
		AND EXISTS (SELECT 1 FROM runners WHERE id = ?)
		AND NOT EXISTS (SELECT 1 FROM mirror_leases WHERE mirror_id = ?)`,
		mv.MirrorID, mv.To, expires, now, mv.MirrorID, mv.To, mv.MirrorID).Exec(ctx)
	if err != nil {
		return false, dbutil.MapErr(err, "mirror lease")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return mv.From != 0, err
	}
	return true, addLeaseEvent(ctx, tx, mv.To, mv.MirrorID, true)
}

func (ls leaseStore) Resend(ctx context.Context, mirrorID int64) error {
	return ls.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := ls.s.lockMirrors(ctx, tx); err != nil {
			return err
		}
		var rows []*leaseRow
		if err := tx.NewSelect().Model(&rows).Where("mirror_id = ?", mirrorID).Scan(ctx); err != nil {
			return dbutil.MapErr(err, "mirror lease")
		}
		if len(rows) == 0 {
			return nil
		}
		return addLeaseEvent(ctx, tx, rows[0].RunnerID, mirrorID, true)
	})
}

package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// headRow is a row of mirror_heads: a branch's last commit built (or
// recorded when the mirror was added).
type headRow struct {
	bun.BaseModel `bun:"table:mirror_heads"`

	MirrorID int64  `bun:"mirror_id,pk"`
	Branch   string `bun:"branch,pk"`
	Commit   string `bun:"commit_sha"`
}

func (ms mirrorStore) Record(ctx context.Context, id, runnerID int64, f *core.MirrorFetch, maxFailures int) (*core.MirrorRecord, error) {
	rec := &core.MirrorRecord{}
	err := ms.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := ms.s.lockMirrors(ctx, tx); err != nil {
			return err
		}
		m, err := ms.find(ctx, tx, id)
		if err != nil {
			return err
		}
		if m.RunnerID != runnerID {
			return core.Errorf(core.CodeConflict, "mirror %d is not held by runner %d", id, runnerID)
		}
		var row mirrorRow
		if err := tx.NewSelect().Model(&row).Column("imported").Where("id = ?", id).Scan(ctx); err != nil {
			return dbutil.MapErr(err, "mirror")
		}
		at := f.At
		if at.IsZero() {
			at = time.Now()
		}
		m.LastFetch, m.NextFetch = stamp(at), stamp(f.Next)
		if f.Error != "" {
			m.Failures++
			m.LastError = f.Error
			if maxFailures > 0 && m.Failures >= maxFailures {
				m.Paused, rec.Paused = true, true
				if err := ms.s.dropLease(ctx, tx, id, runnerID); err != nil {
					return err
				}
				m.RunnerID = 0
			}
		} else {
			m.Failures, m.LastError = 0, ""
			if rec.Moved, err = ms.heads(ctx, tx, id, f.Heads, row.Imported); err != nil {
				return err
			}
			rec.Imported = !row.Imported
			if len(rec.Moved) > 0 {
				m.Changed = stamp(at)
			}
		}
		q := tx.NewUpdate().Model((*mirrorRow)(nil)).
			Set("last_fetch = ?, next_fetch = ?, failures = ?, last_error = ?", m.LastFetch, m.NextFetch, m.Failures, m.LastError).
			Set("paused = ?, imported = ?", m.Paused, row.Imported || f.Error == "").
			Where("id = ?", id)
		if !m.Changed.IsZero() {
			q = q.Set("changed = ?", m.Changed)
		}
		if _, err := q.Exec(ctx); err != nil {
			return dbutil.MapErr(err, "mirror")
		}
		rec.Mirror = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// heads applies reported heads: gone branches are forgotten; before the
// mirror is imported every head is stored; after, the heads that differ
// from the stored ones are returned (Claim stores them).
func (ms mirrorStore) heads(ctx context.Context, tx bun.Tx, id int64, heads []*core.MirrorHead, imported bool) ([]*core.MirrorHead, error) {
	if len(heads) == 0 {
		return nil, nil
	}
	var stored []*headRow
	if err := tx.NewSelect().Model(&stored).Where("mirror_id = ?", id).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "mirror heads")
	}
	known := make(map[string]string, len(stored))
	for _, h := range stored {
		known[h.Branch] = h.Commit
	}
	var moved []*core.MirrorHead
	for _, h := range heads {
		switch {
		case h.Commit == "":
			if _, err := tx.NewDelete().Model((*headRow)(nil)).Where("mirror_id = ? AND branch = ?", id, h.Branch).Exec(ctx); err != nil {
				return nil, dbutil.MapErr(err, "mirror head")
			}
		case !imported:
			if err := upsertHead(ctx, tx, id, h); err != nil {
				return nil, err
			}
		case known[h.Branch] != h.Commit:
			moved = append(moved, h)
		}
	}
	return moved, nil
}

func upsertHead(ctx context.Context, db bun.IDB, id int64, h *core.MirrorHead) error {
	_, err := db.NewInsert().Model(&headRow{MirrorID: id, Branch: h.Branch, Commit: h.Commit}).
		On("CONFLICT (mirror_id, branch) DO UPDATE").Set("commit_sha = EXCLUDED.commit_sha").Exec(ctx)
	return dbutil.MapErr(err, "mirror head")
}

// claimRow is a row of mirror_builds: a commit of a branch built once.
type claimRow struct {
	bun.BaseModel `bun:"table:mirror_builds"`

	MirrorID int64     `bun:"mirror_id,pk"`
	Branch   string    `bun:"branch,pk"`
	Commit   string    `bun:"commit_sha,pk"`
	Created  time.Time `bun:"created"`
}

func (ms mirrorStore) Claim(ctx context.Context, id int64, head *core.MirrorHead) (bool, error) {
	claimed := false
	err := ms.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(&claimRow{MirrorID: id, Branch: head.Branch, Commit: head.Commit, Created: stamp(time.Now())}).
			On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "mirror build")
		}
		n, err := dbutil.Affected(res)
		if err != nil {
			return err
		}
		claimed = n > 0
		return upsertHead(ctx, tx, id, head)
	})
	return claimed, err
}

func (ms mirrorStore) Release(ctx context.Context, id int64, head *core.MirrorHead) error {
	return ms.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*claimRow)(nil)).
			Where("mirror_id = ? AND branch = ? AND commit_sha = ?", id, head.Branch, head.Commit).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "mirror build")
		}
		_, err := tx.NewDelete().Model((*headRow)(nil)).
			Where("mirror_id = ? AND branch = ? AND commit_sha = ?", id, head.Branch, head.Commit).Exec(ctx)
		return dbutil.MapErr(err, "mirror head")
	})
}

package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// leaseRow is a row of mirror_leases: the runner watching a mirror.
type leaseRow struct {
	bun.BaseModel `bun:"table:mirror_leases"`

	MirrorID int64     `bun:"mirror_id,pk"`
	RunnerID int64     `bun:"runner_id"`
	Expires  time.Time `bun:"expires"`
	Created  time.Time `bun:"created"`
}

// offerRow is a row of mirror_runners: a runner's weight and last beat.
type offerRow struct {
	bun.BaseModel `bun:"table:mirror_runners"`

	RunnerID int64     `bun:"runner_id,pk"`
	Capacity int       `bun:"capacity"`
	DiskFull bool      `bun:"disk_full"`
	Seen     time.Time `bun:"seen"`
}

// eventRow is a row of mirror_lease_events: a lease a runner gained
// (or whose settings changed) or lost, until it learns of it.
type eventRow struct {
	bun.BaseModel `bun:"table:mirror_lease_events"`

	ID       int64     `bun:"id,pk,autoincrement"`
	RunnerID int64     `bun:"runner_id"`
	MirrorID int64     `bun:"mirror_id"`
	Added    bool      `bun:"added"`
	Created  time.Time `bun:"created"`
}

// addLeaseEvent records a change the runner is to learn; the caller
// holds the mirror lock.
func addLeaseEvent(ctx context.Context, tx bun.Tx, runnerID, mirrorID int64, added bool) error {
	_, err := tx.NewInsert().Model(&eventRow{RunnerID: runnerID, MirrorID: mirrorID, Added: added, Created: stamp(time.Now())}).Exec(ctx)
	return dbutil.MapErr(err, "mirror lease event")
}

// MirrorLeases returns the mirror lease store.
func (s *Store) MirrorLeases() core.MirrorLeaseStore { return leaseStore{s} }

type leaseStore struct{ s *Store }

func (ls leaseStore) Beat(ctx context.Context, runnerID int64, offer core.MirrorOffer, now, liveAfter, expires time.Time) (bool, error) {
	capacity := offer.Capacity
	if offer.DiskFull {
		capacity = 0
	}
	joined := false
	err := ls.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var old []*offerRow
		if err := tx.NewSelect().Model(&old).Where("runner_id = ?", runnerID).Scan(ctx); err != nil {
			return dbutil.MapErr(err, "mirror runner")
		}
		joined = len(old) == 0 || old[0].Seen.Before(liveAfter)
		_, err := tx.NewInsert().Model(&offerRow{RunnerID: runnerID, Capacity: capacity, DiskFull: offer.DiskFull, Seen: stamp(now)}).
			On("CONFLICT (runner_id) DO UPDATE").Set("capacity = EXCLUDED.capacity, disk_full = EXCLUDED.disk_full, seen = EXCLUDED.seen").Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "mirror runner")
		}
		_, err = tx.NewUpdate().Model((*leaseRow)(nil)).Set("expires = ?", stamp(expires)).Where("runner_id = ?", runnerID).Exec(ctx)
		return dbutil.MapErr(err, "mirror leases")
	})
	return joined, err
}

func (ls leaseStore) Delta(ctx context.Context, runnerID, since int64) (*core.MirrorDelta, error) {
	d := &core.MirrorDelta{Cursor: since}
	err := ls.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if since <= 0 {
			return ls.reset(ctx, tx, runnerID, d)
		}
		var events []*eventRow
		if err := tx.NewSelect().Model(&events).Where("runner_id = ? AND id >= ?", runnerID, since).Order("id").Scan(ctx); err != nil {
			return dbutil.MapErr(err, "mirror lease events")
		}
		if _, err := tx.NewDelete().Model((*eventRow)(nil)).Where("runner_id = ? AND id < ?", runnerID, since).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "mirror lease events")
		}
		last := map[int64]bool{}
		var order []int64
		for _, e := range events {
			if _, seen := last[e.MirrorID]; !seen {
				order = append(order, e.MirrorID)
			}
			last[e.MirrorID] = e.Added
			d.Cursor = e.ID + 1
		}
		var added []int64
		for _, id := range order {
			if last[id] {
				added = append(added, id)
			} else {
				d.Removed = append(d.Removed, id)
			}
		}
		if len(added) == 0 {
			return nil
		}
		got, err := ls.assignments(ctx, tx, runnerID, added)
		if err != nil {
			return err
		}
		held := map[int64]bool{}
		for _, a := range got {
			held[a.ID] = true
		}
		for _, id := range added {
			if !held[id] { // moved on, or deleted, since
				d.Removed = append(d.Removed, id)
			}
		}
		d.Added = got
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// reset answers the runner's whole share, with the cursor after every
// change stored so far, and forgets the runner's earlier changes.
func (ls leaseStore) reset(ctx context.Context, tx bun.Tx, runnerID int64, d *core.MirrorDelta) error {
	var last int64
	if err := tx.NewSelect().Model((*eventRow)(nil)).ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &last); err != nil {
		return dbutil.MapErr(err, "mirror lease events")
	}
	d.Cursor, d.Reset = last+1, true
	if _, err := tx.NewDelete().Model((*eventRow)(nil)).Where("runner_id = ? AND id <= ?", runnerID, last).Exec(ctx); err != nil {
		return dbutil.MapErr(err, "mirror lease events")
	}
	var err error
	d.Added, err = ls.assignments(ctx, tx, runnerID, nil)
	return err
}

// assignments returns the mirrors of ids (nil: all) the runner holds.
func (ls leaseStore) assignments(ctx context.Context, tx bun.Tx, runnerID int64, ids []int64) ([]*core.MirrorAssignment, error) {
	ms := mirrorStore(ls)
	var rows []*mirrorRow
	q := ms.selectMirrors(tx, &rows).Where("l.runner_id = ? AND NOT mirror_row.paused", runnerID).Order("mirror_row.id")
	if ids != nil {
		q = q.Where("mirror_row.id IN (?)", bun.List(ids))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "mirrors")
	}
	out := make([]*core.MirrorAssignment, 0, len(rows))
	for _, r := range rows {
		m, err := ms.core(r)
		if err != nil {
			return nil, err
		}
		out = append(out, &core.MirrorAssignment{ID: m.ID, RepoID: m.RepoID, Repo: m.Repo, URL: m.URL, Username: m.Username,
			Credential: m.Credential, Branches: m.Branches, Interval: m.Interval, ConfigPath: m.ConfigPath,
			Failures: m.Failures, NextFetch: m.NextFetch, Changed: m.Changed})
	}
	return out, nil
}

func (ls leaseStore) Runners(ctx context.Context, after time.Time) ([]*core.MirrorRunner, error) {
	var rows []*offerRow
	if err := ls.s.db.NewSelect().Model(&rows).Where("seen > ?", stamp(after)).Order("runner_id").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "mirror runners")
	}
	out := make([]*core.MirrorRunner, len(rows))
	for i, r := range rows {
		out[i] = &core.MirrorRunner{RunnerID: r.RunnerID, Capacity: r.Capacity, DiskFull: r.DiskFull, Seen: r.Seen}
	}
	return out, nil
}

func (ls leaseStore) Leases(ctx context.Context) ([]*core.MirrorLease, error) {
	var out []*core.MirrorLease
	err := ls.s.db.NewSelect().Model((*mirrorRow)(nil)).
		ColumnExpr("mirror_row.id AS mirror_id, COALESCE(l.runner_id, 0) AS runner_id, l.expires AS expires").
		Join("LEFT JOIN mirror_leases AS l ON l.mirror_id = mirror_row.id").
		Where("NOT mirror_row.paused").Order("mirror_row.id").Scan(ctx, &out)
	if err != nil {
		return nil, dbutil.MapErr(err, "mirror leases")
	}
	return out, nil
}

func (ls leaseStore) Stale(ctx context.Context, now time.Time) (bool, error) {
	stale, err := ls.s.db.NewSelect().Model((*mirrorRow)(nil)).
		Join("LEFT JOIN mirror_leases AS l ON l.mirror_id = mirror_row.id").
		Where("NOT mirror_row.paused AND (l.mirror_id IS NULL OR l.expires < ?)", stamp(now)).Exists(ctx)
	return stale, dbutil.MapErr(err, "mirror leases")
}

func (ls leaseStore) Forget(ctx context.Context, before time.Time) error {
	return ls.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*offerRow)(nil)).Where("seen < ?", stamp(before)).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "mirror runners")
		}
		_, err := tx.NewDelete().Model((*eventRow)(nil)).
			Where("runner_id NOT IN (SELECT runner_id FROM mirror_runners)").Exec(ctx)
		return dbutil.MapErr(err, "mirror lease events")
	})
}

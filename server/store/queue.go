package store

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// claimBatch is how many pending candidates one claim looks at; labels are
// matched in Go, so a runner whose labels rule out the oldest stages still
// finds one further back in a later batch.
const claimBatch = 64

// LimitsFunc returns the build limits of a repository (see core.Limiter).
type LimitsFunc func(ctx context.Context, repo *core.Repo) (perRepo, perOwner int, err error)

// Claimed is a stage handed to a runner by ClaimStages.
type Claimed struct {
	Stage        *core.Stage
	For          int  // the index of the filter (the runner) it went to
	BuildStarted bool // it was the build's first stage to start
}

// ClaimStages hands pending stages, oldest first, to runners that can take
// the same stages (filters differ only in RunnerID and Machine), in the
// order of the filters; each claim says which filter it went to (For).
// Filters whose runner was revoked get nothing and are listed in gone. Its status becomes running, held by the
// filter's runner with its machine recorded, with a lease until
// leaseUntil. Stage, repository and owner concurrency limits are checked
// in the same transaction, with the rows the counts depend on locked
// (Postgres), or under SQLite's single writer, so concurrent claimers
// cannot exceed them. Claims on Postgres skip rows other claimers hold
// (FOR UPDATE SKIP LOCKED) instead of queueing behind them. One
// transaction for many runners keeps a busy queue cheap.
func (s *Store) ClaimStages(ctx context.Context, all []core.Filter, leaseUntil time.Time, limits LimitsFunc) (claimed []Claimed, gone []int, err error) {
	if len(all) == 0 || len(all[0].Engines) == 0 {
		return nil, nil, nil
	}
	f := all[0]
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		claimed, gone = claimed[:0], gone[:0]
		filters, index, err := s.liveRunners(ctx, tx, all)
		if err != nil {
			return err
		}
		for i := range all {
			if !slices.Contains(index, i) {
				gone = append(gone, i)
			}
		}
		if len(filters) == 0 {
			return nil
		}
		defer func() {
			for i := range claimed {
				claimed[i].For = index[i]
			}
		}()
		// chosen are claimed together, the i-th for filters[len(claimed)+i].
		var chosen []*core.Stage
		flush := func() error {
			err := claimAll(ctx, tx, chosen, filters[len(claimed):], leaseUntil, &claimed)
			chosen = chosen[:0]
			return err
		}
		var after int64
		for {
			var rows []*stageRow
			q := tx.NewSelect().Model(&rows).ExcludeColumn("spec").
				Where("status = ?", core.StatusPending).
				Where("type IN (?)", bun.List(f.Engines)).
				Where("id > ?", after).
				Order("id").Limit(claimBatch)
			if f.OS != "" {
				q = q.Where("(os = '' OR os = ?)", f.OS)
			}
			if f.Arch != "" {
				q = q.Where("(arch = '' OR arch = ?)", f.Arch)
			}
			if s.dialect == Postgres {
				q = q.For("UPDATE SKIP LOCKED")
			}
			if err := q.Scan(ctx); err != nil {
				return mapErr(err, "pending stages")
			}
			for _, r := range rows {
				st := r.core()
				if !f.Matches(st) {
					continue
				}
				if limits == nil && st.Limit == 0 {
					// No count depends on it: claimed with the others below.
					chosen = append(chosen, st)
				} else {
					// Limits count running stages: claim what was chosen,
					// then this one if it fits, before the next is counted.
					if err := flush(); err != nil {
						return err
					}
					ok, err := s.withinLimits(ctx, tx, st, limits)
					if err != nil {
						return err
					}
					if !ok {
						continue
					}
					if err := claimAll(ctx, tx, []*core.Stage{st}, filters[len(claimed):], leaseUntil, &claimed); err != nil {
						return err
					}
				}
				if len(claimed)+len(chosen) == len(filters) {
					return flush()
				}
			}
			if len(rows) < claimBatch {
				return flush()
			}
			after = rows[len(rows)-1].ID
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return claimed, gone, nil
}

// liveRunners returns the filters whose runner still exists, and their
// indexes in filters. On Postgres the runners' rows are held (FOR SHARE)
// until the claim commits, so a revocation waits for it and then requeues
// what it claimed.
func (s *Store) liveRunners(ctx context.Context, tx bun.Tx, filters []core.Filter) ([]core.Filter, []int, error) {
	ids := make([]int64, 0, len(filters))
	for _, f := range filters {
		ids = appendNew(ids, f.RunnerID)
	}
	var live []int64
	q := tx.NewSelect().Model((*runnerRow)(nil)).Column("id").Where("id IN (?)", bun.List(ids))
	if s.dialect == Postgres {
		q = q.For("SHARE")
	}
	if err := q.Scan(ctx, &live); err != nil {
		return nil, nil, mapErr(err, "runners")
	}
	var out []core.Filter
	var index []int
	for i, f := range filters {
		if slices.Contains(live, f.RunnerID) {
			out = append(out, f)
			index = append(index, i)
		}
	}
	return out, index, nil
}

// claimAll marks the stages running, the i-th for filters[i] (its runner
// and machine), in one statement, starts the builds that were pending in
// another, and appends them to claimed.
func claimAll(ctx context.Context, tx bun.Tx, stages []*core.Stage, filters []core.Filter, leaseUntil time.Time, claimed *[]Claimed) error {
	if len(stages) == 0 {
		return nil
	}
	now := time.Now().UTC()
	ids := make([]int64, len(stages))
	runner := make([]any, 0, 2*len(stages))
	machine := make([]any, 0, 2*len(stages))
	var buildIDs []int64
	for i, st := range stages {
		ids[i] = st.ID
		runner = append(runner, st.ID, filters[i].RunnerID)
		machine = append(machine, st.ID, filters[i].Machine)
		buildIDs = appendNew(buildIDs, st.BuildID)
	}
	cases := strings.Repeat(" WHEN ? THEN ?", len(stages))
	if _, err := tx.NewUpdate().Model((*stageRow)(nil)).
		Set("status = ?", core.StatusRunning).
		Set("runner_id = CASE id"+cases+" END", runner...).
		Set("machine = CASE id"+cases+" END", machine...).
		Set("lease_expires = ?", leaseUntil.UTC()).
		Set("attempts = attempts + 1").
		Set("started = ?", now).
		Set("updated = ?", now).
		Set("version = version + 1").
		Where("id IN (?)", bun.List(ids)).Exec(ctx); err != nil {
		return mapErr(err, "stages")
	}
	// A build starts with its first stage.
	var started []int64
	if err := tx.NewUpdate().Model((*buildRow)(nil)).
		Set("status = ?", core.StatusRunning).
		Set("started = ?", now).
		Set("updated = ?", now).
		Set("version = version + 1").
		Where("id IN (?) AND status = ?", bun.List(buildIDs), core.StatusPending).
		Returning("id").Scan(ctx, &started); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return mapErr(err, "builds")
	}
	for i, st := range stages {
		st.Status, st.RunnerID, st.Machine, st.LeaseEnds, st.Started, st.Updated =
			core.StatusRunning, filters[i].RunnerID, filters[i].Machine, leaseUntil.UTC(), now, now
		st.Attempts++
		st.Version++
		first := slices.Contains(started, st.BuildID)
		if first {
			started = slices.DeleteFunc(started, func(id int64) bool { return id == st.BuildID })
		}
		*claimed = append(*claimed, Claimed{Stage: st, BuildStarted: first})
	}
	return nil
}

// withinLimits checks the stage's concurrency.limit (running stages of the
// same pipeline name in the repository) and the repository's and owner's
// limits. On Postgres the repository row, and an advisory lock per owner,
// are taken for the rest of the transaction, so two claimers cannot both
// count the same free slot.
func (s *Store) withinLimits(ctx context.Context, tx bun.Tx, st *core.Stage, limits LimitsFunc) (bool, error) {
	perRepo, perOwner := 0, 0
	var repo *repoRow
	if limits != nil || st.Limit > 0 {
		repo = new(repoRow)
		q := tx.NewSelect().Model(repo).Where("id = ?", st.RepoID)
		if s.dialect == Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return false, mapErr(err, "repository")
		}
		if limits != nil {
			var err error
			if perRepo, perOwner, err = limits(ctx, repo.core()); err != nil {
				return false, err
			}
		}
	}
	running := func(q *bun.SelectQuery) (int, error) {
		n, err := q.Model((*stageRow)(nil)).Where("stage_row.status = ?", core.StatusRunning).Count(ctx)
		return int(n), mapErr(err, "running stages")
	}
	if st.Limit > 0 {
		n, err := running(tx.NewSelect().Where("stage_row.repo_id = ? AND stage_row.name = ?", st.RepoID, st.Name))
		if err != nil || n >= st.Limit {
			return false, err
		}
	}
	if perRepo > 0 {
		n, err := running(tx.NewSelect().Where("stage_row.repo_id = ?", st.RepoID))
		if err != nil || n >= perRepo {
			return false, err
		}
	}
	if perOwner > 0 {
		if s.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", ownerLockKey(repo.Owner)); err != nil {
				return false, mapErr(err, "owner lock")
			}
		}
		n, err := running(tx.NewSelect().
			Where("stage_row.repo_id IN (SELECT id FROM repos WHERE remote = ? AND owner = ?)", repo.Remote, repo.Owner))
		if err != nil || n >= perOwner {
			return false, err
		}
	}
	return true, nil
}

func ownerLockKey(owner string) int64 {
	h := fnv.New64a()
	h.Write([]byte("owner:" + owner))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}

// RenewLeases extends the lease of every running stage the runner holds
// and returns their ids.
func (s *Store) RenewLeases(ctx context.Context, runnerID int64, until time.Time) ([]int64, error) {
	ids := []int64{}
	err := s.db.NewUpdate().Model((*stageRow)(nil)).
		Set("lease_expires = ?", until.UTC()).
		Where("runner_id = ? AND status = ?", runnerID, core.StatusRunning).
		Returning("id").Scan(ctx, &ids)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, mapErr(err, "stages")
	}
	return ids, nil
}

// ExpiredStages returns running stages whose lease ended before now.
func (s *Store) ExpiredStages(ctx context.Context, now time.Time, limit int) ([]*core.Stage, error) {
	var rows []*stageRow
	err := s.db.NewSelect().Model(&rows).
		Where("status = ? AND lease_expires < ?", core.StatusRunning, now.UTC()).
		Order("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "stages")
	}
	out := make([]*core.Stage, len(rows))
	for i, r := range rows {
		out[i] = r.core()
	}
	return out, nil
}

// PendingStages returns up to limit pending stages, oldest first.
func (s *Store) PendingStages(ctx context.Context, limit int) ([]*core.Stage, error) {
	var rows []*stageRow
	err := s.db.NewSelect().Model(&rows).Where("status = ?", core.StatusPending).
		Order("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "stages")
	}
	out := make([]*core.Stage, len(rows))
	for i, r := range rows {
		out[i] = r.core()
	}
	return out, nil
}

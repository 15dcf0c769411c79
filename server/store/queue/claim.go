package queue

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// claimBatch is how many pending candidates one claim looks at; labels are
// matched in Go, so a runner whose labels rule out the oldest stages still
// finds one further back in a later batch.
const claimBatch = 64

// Claim hands pending stages, oldest first, to runners that can take
// the same stages (filters differ only in RunnerID and Machine), in the
// order of the filters; each claim says which filter it went to (For).
// Its status becomes running, held by the filter's runner with its
// machine recorded, with a lease until leaseUntil. A filter whose runner
// was revoked gets nothing and is listed in gone once a stage was there
// for it. Stage, repository and owner concurrency limits are checked in
// the same transaction, with the rows the counts depend on locked
// (Postgres), or under SQLite's single writer, so concurrent claimers
// cannot exceed them. Claims on Postgres skip rows other claimers hold
// (FOR UPDATE SKIP LOCKED) instead of queueing behind them. One
// transaction for many runners keeps a busy queue cheap.
func (s claims) Claim(ctx context.Context, all []core.Filter, leaseUntil time.Time, limits core.LimitsFunc) (claimed []core.Claim, gone []int, err error) {
	if len(all) == 0 || len(all[0].Engines) == 0 {
		return nil, nil, nil
	}
	f := all[0]
	var r *claimRound
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r = &claimRound{s: s.Queue, tx: tx, filters: all, leaseUntil: leaseUntil}
		var chosen []*core.Stage // claimed together
		var after int64
		for {
			var rows []*tables.Stage
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
			if s.postgres {
				q = q.For("UPDATE SKIP LOCKED")
			}
			if err := q.Scan(ctx); err != nil {
				return dbutil.MapErr(err, "pending stages")
			}
			for _, row := range rows {
				st := row.Core()
				if !f.Matches(st) {
					continue
				}
				free, err := r.free(ctx)
				if err != nil {
					return err
				}
				if free == 0 {
					return r.take(ctx, chosen)
				}
				if limits == nil && st.Limit == 0 {
					// No count depends on it: claimed with the others.
					chosen = append(chosen, st)
					if len(chosen) == free {
						return r.take(ctx, chosen)
					}
					continue
				}
				// Limits count running stages: claim what was chosen, then
				// this one if it fits, before the next is counted.
				if err := r.take(ctx, chosen); err != nil {
					return err
				}
				chosen = nil
				ok, err := s.withinLimits(ctx, tx, st, limits)
				if err != nil {
					return err
				}
				if ok {
					if err := r.take(ctx, []*core.Stage{st}); err != nil {
						return err
					}
				}
			}
			if len(rows) < claimBatch {
				return r.take(ctx, chosen)
			}
			after = rows[len(rows)-1].ID
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return r.claimed, r.gone, nil
}

// claimRound is the state of one Claim transaction.
type claimRound struct {
	s          *Queue
	tx         bun.Tx
	filters    []core.Filter
	leaseUntil time.Time
	next       int  // filters[next:] are still waiting
	checked    bool // the runners were checked (SQLite)
	claimed    []core.Claim
	gone       []int // filters whose runner was revoked
}

// free counts the filters still waiting whose runner is not known gone.
// On SQLite the runners are checked the first time (there is a stage for
// them): one writer, so the answer holds until the commit. On Postgres a
// revoked runner is found by the claim itself (see take).
func (r *claimRound) free(ctx context.Context) (int, error) {
	if !r.s.postgres && !r.checked {
		r.checked = true
		if err := r.checkRunners(ctx); err != nil {
			return 0, err
		}
	}
	n := 0
	for i := r.next; i < len(r.filters); i++ {
		if !slices.Contains(r.gone, i) {
			n++
		}
	}
	return n, nil
}

// checkRunners marks the filters whose runner no longer exists.
func (r *claimRound) checkRunners(ctx context.Context) error {
	var live []int64
	if err := r.tx.NewSelect().Model((*tables.Runner)(nil)).Column("id").
		Where("id IN (?)", bun.List(runnerIDs(r.filters))).Scan(ctx, &live); err != nil {
		return dbutil.MapErr(err, "runners")
	}
	for i, f := range r.filters {
		if !slices.Contains(live, f.RunnerID) {
			r.gone = append(r.gone, i)
		}
	}
	return nil
}

// runnerIDs returns the filters' runners, each once.
func runnerIDs(filters []core.Filter) []int64 {
	ids := make([]int64, 0, len(filters))
	for _, f := range filters {
		ids = appendNew(ids, f.RunnerID)
	}
	return ids
}

// take claims the stages (no more than free), each for the next waiting
// filter, and starts the builds that were pending.
func (r *claimRound) take(ctx context.Context, stages []*core.Stage) error {
	if len(stages) == 0 {
		return nil
	}
	to := make([]int, len(stages)) // the filter of each stage
	for i := range stages {
		for slices.Contains(r.gone, r.next) {
			r.next++
		}
		to[i] = r.next
		r.next++
	}
	now := time.Now().UTC()
	var got []claimedRow
	var err error
	if r.s.postgres {
		got, err = r.claimPostgres(ctx, stages, to, now)
	} else {
		got, err = r.claimSQLite(ctx, stages, to, now)
	}
	if err != nil {
		return err
	}
	byID := make(map[int64]claimedRow, len(got))
	for _, g := range got {
		byID[g.ID] = g
	}
	started := map[int64]bool{}
	for i, st := range stages {
		g, ok := byID[st.ID]
		if !ok { // its runner was revoked meanwhile: the stage stays pending
			r.gone = append(r.gone, to[i])
			continue
		}
		f := r.filters[to[i]]
		st.Status, st.RunnerID, st.Machine, st.LeaseEnds, st.Started, st.Updated =
			core.StatusRunning, f.RunnerID, f.Machine, r.leaseUntil.UTC(), now, now
		st.Spec = g.Spec
		st.Attempts++
		st.Version++
		first := g.Started && !started[st.BuildID]
		started[st.BuildID] = true
		r.claimed = append(r.claimed, core.Claim{Stage: st, For: to[i], BuildStarted: first})
	}
	return nil
}

// claimedRow is what a claim reads back of a stage it claimed; the spec
// was left out of the candidates' rows.
type claimedRow struct {
	ID      int64  `bun:"id"`
	Spec    []byte `bun:"spec"`
	BuildID int64  `bun:"build_id"`
	Started bool   `bun:"started"` // the claim started its build
}

// claimSet is the SET of a claim: stages[i] goes to the runner of
// filters[to[i]].
func (r *claimRound) claimSet(stages []*core.Stage, to []int, now time.Time) (set sqlPart, runnerCase sqlPart) {
	cases := strings.Repeat(" WHEN ? THEN ?", len(stages))
	runner := make([]any, 0, 2*len(stages))
	machine := make([]any, 0, 2*len(stages))
	for i, st := range stages {
		runner = append(runner, st.ID, r.filters[to[i]].RunnerID)
		machine = append(machine, st.ID, r.filters[to[i]].Machine)
	}
	runnerCase = sqlPart{"CASE id" + cases + " END", runner}
	args := append([]any{core.StatusRunning}, runner...)
	args = append(append(args, machine...), r.leaseUntil.UTC(), now, now)
	return sqlPart{"status = ?, runner_id = " + runnerCase.sql + ", machine = CASE id" + cases + " END, " +
		"lease_expires = ?, attempts = attempts + 1, started = ?, updated = ?, version = version + 1", args}, runnerCase
}

// claimPostgres claims in one statement, which also holds the runners'
// rows (FOR SHARE) until the commit: a revocation waits for the claim and
// then requeues what it claimed, and a stage whose runner was revoked
// before is not claimed.
func (r *claimRound) claimPostgres(ctx context.Context, stages []*core.Stage, to []int, now time.Time) ([]claimedRow, error) {
	set, runnerCase := r.claimSet(stages, to, now)
	ids := make([]int64, len(stages))
	chosen := make([]core.Filter, len(stages))
	for i, st := range stages {
		ids[i], chosen[i] = st.ID, r.filters[to[i]]
	}
	query := "WITH held AS MATERIALIZED (SELECT id FROM runners WHERE id IN (?) FOR SHARE), " +
		"claim AS (UPDATE stages SET " + set.sql + " WHERE id IN (?) AND " + runnerCase.sql + " IN (SELECT id FROM held) " +
		"RETURNING id, spec, build_id), " +
		"begun AS (UPDATE builds SET status = ?, started = ?, updated = ?, version = version + 1 " +
		"WHERE id IN (SELECT build_id FROM claim) AND status = ? RETURNING id) " +
		"SELECT id, spec, build_id, build_id IN (SELECT id FROM begun) AS started FROM claim"
	args := append([]any{bun.List(runnerIDs(chosen))}, set.args...)
	args = append(append(args, bun.List(ids)), runnerCase.args...)
	args = append(args, core.StatusRunning, now, now, core.StatusPending)
	var got []claimedRow
	if err := r.tx.NewRaw(query, args...).Scan(ctx, &got); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, dbutil.MapErr(err, "stages")
	}
	return got, nil
}

// claimSQLite claims in two statements under the one writer.
func (r *claimRound) claimSQLite(ctx context.Context, stages []*core.Stage, to []int, now time.Time) ([]claimedRow, error) {
	set, _ := r.claimSet(stages, to, now)
	ids := make([]int64, len(stages))
	var buildIDs []int64
	for i, st := range stages {
		ids[i] = st.ID
		buildIDs = appendNew(buildIDs, st.BuildID)
	}
	var got []claimedRow
	if err := r.tx.NewUpdate().Model((*tables.Stage)(nil)).Set(set.sql, set.args...).Where("id IN (?)", bun.List(ids)).
		Returning("id, spec, build_id").Scan(ctx, &got); err != nil {
		return nil, dbutil.MapErr(err, "stages")
	}
	var begun []int64
	err := r.tx.NewUpdate().Model((*tables.Build)(nil)).
		Set("status = ?, started = ?, updated = ?, version = version + 1", core.StatusRunning, now, now).
		Where("id IN (?) AND status = ?", bun.List(buildIDs), core.StatusPending).
		Returning("id").Scan(ctx, &begun)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, dbutil.MapErr(err, "builds")
	}
	for i := range got {
		got[i].Started = slices.Contains(begun, got[i].BuildID)
	}
	return got, nil
}

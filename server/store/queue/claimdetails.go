package queue

import (
	"context"
	"slices"

	"github.com/uptrace/bun"
	"golang.org/x/sync/errgroup"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// Details loads, for stages just claimed, what their runners need:
// each stage's steps, its build and its repository, and its spec unless
// the claim read it already, in three or four queries whatever the number
// of stages. The details' Spec is left for
// the caller to decode from Stage.Spec; secrets and netrc are not filled.
func (s claims) Details(ctx context.Context, stages []*core.Stage) ([]*core.StageDetails, error) {
	if len(stages) == 0 {
		return nil, nil
	}
	stageIDs := make([]int64, len(stages))
	buildIDs := make([]int64, 0, len(stages))
	repoIDs := make([]int64, 0, 1)
	for i, st := range stages {
		stageIDs[i] = st.ID
		buildIDs = appendNew(buildIDs, st.BuildID)
		repoIDs = appendNew(repoIDs, st.RepoID)
	}
	var specs []struct {
		ID   int64  `bun:"id"`
		Spec []byte `bun:"spec"`
	}
	var steps []*tables.Step
	var builds []*tables.Build
	var repos []*tables.Repo
	queries := []func(ctx context.Context) error{
		func(ctx context.Context) error {
			return dbutil.MapErr(s.db.NewSelect().Model(&steps).Where("stage_id IN (?)", bun.List(stageIDs)).
				Order("stage_id", "number").Scan(ctx), "steps")
		},
		func(ctx context.Context) error {
			return dbutil.MapErr(s.db.NewSelect().Model(&builds).Where("id IN (?)", bun.List(buildIDs)).Scan(ctx), "builds")
		},
		func(ctx context.Context) error {
			return dbutil.MapErr(s.db.NewSelect().Model(&repos).Where("id IN (?)", bun.List(repoIDs)).Scan(ctx), "repositories")
		},
	}
	if slices.ContainsFunc(stages, func(st *core.Stage) bool { return st.Spec == nil }) {
		queries = append(queries, func(ctx context.Context) error {
			return dbutil.MapErr(s.db.NewSelect().Model((*tables.Stage)(nil)).Column("id", "spec").
				Where("id IN (?)", bun.List(stageIDs)).Scan(ctx, &specs), "stages")
		})
	}
	if s.postgres {
		// Four round trips at once rather than one after the other: the
		// runners wait for them.
		g, gctx := errgroup.WithContext(ctx)
		for _, q := range queries {
			g.Go(func() error { return q(gctx) })
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
	} else {
		for _, q := range queries {
			if err := q(ctx); err != nil {
				return nil, err
			}
		}
	}
	byBuild := make(map[int64]*core.Build, len(builds))
	for _, b := range builds {
		byBuild[b.ID] = b.Core()
	}
	byRepo := make(map[int64]*core.Repo, len(repos))
	for _, r := range repos {
		byRepo[r.ID] = r.Core()
	}
	spec := make(map[int64][]byte, len(specs))
	for _, st := range stages {
		spec[st.ID] = st.Spec
	}
	for _, sp := range specs {
		spec[sp.ID] = sp.Spec
	}
	stepsOf := make(map[int64][]*core.Step, len(stages))
	for _, r := range steps {
		stepsOf[r.StageID] = append(stepsOf[r.StageID], r.Core())
	}
	out := make([]*core.StageDetails, len(stages))
	for i, st := range stages {
		st.Spec = spec[st.ID]
		st.Steps = stepsOf[st.ID]
		b, r := byBuild[st.BuildID], byRepo[st.RepoID]
		if b == nil || r == nil {
			return nil, core.Errorf(core.CodeNotFound, "stage %d: its build or repository is gone", st.ID)
		}
		out[i] = &core.StageDetails{Stage: st, Build: b, Repo: r}
	}
	return out, nil
}

// appendNew appends id unless ids holds it already.
func appendNew(ids []int64, id int64) []int64 {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

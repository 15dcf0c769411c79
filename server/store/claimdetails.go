package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// ClaimedDetails loads, for stages just claimed, what their runners need:
// each stage's spec and steps, its build and its repository, in four
// queries whatever the number of stages. The details' Spec is left for
// the caller to decode from Stage.Spec; secrets and netrc are not filled.
func (s *Store) ClaimedDetails(ctx context.Context, stages []*core.Stage) ([]*core.StageDetails, error) {
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
	if err := s.db.NewSelect().Model((*stageRow)(nil)).Column("id", "spec").
		Where("id IN (?)", bun.List(stageIDs)).Scan(ctx, &specs); err != nil {
		return nil, mapErr(err, "stages")
	}
	var steps []*stepRow
	if err := s.db.NewSelect().Model(&steps).Where("stage_id IN (?)", bun.List(stageIDs)).
		Order("stage_id", "number").Scan(ctx); err != nil {
		return nil, mapErr(err, "steps")
	}
	var builds []*buildRow
	if err := s.db.NewSelect().Model(&builds).Where("id IN (?)", bun.List(buildIDs)).Scan(ctx); err != nil {
		return nil, mapErr(err, "builds")
	}
	var repos []*repoRow
	if err := s.db.NewSelect().Model(&repos).Where("id IN (?)", bun.List(repoIDs)).Scan(ctx); err != nil {
		return nil, mapErr(err, "repositories")
	}
	byBuild := make(map[int64]*core.Build, len(builds))
	for _, b := range builds {
		byBuild[b.ID] = b.core()
	}
	byRepo := make(map[int64]*core.Repo, len(repos))
	for _, r := range repos {
		byRepo[r.ID] = r.core()
	}
	spec := make(map[int64][]byte, len(specs))
	for _, sp := range specs {
		spec[sp.ID] = sp.Spec
	}
	stepsOf := make(map[int64][]*core.Step, len(stages))
	for _, r := range steps {
		stepsOf[r.StageID] = append(stepsOf[r.StageID], r.core())
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

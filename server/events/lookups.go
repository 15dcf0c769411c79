package events

import (
	"context"
	"fmt"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/scheduler"
)

// lookups complete changes from the store, remembering what does not
// change (a stage's build, a build's number) so that a step's change
// usually costs no query.
type lookups struct {
	store  core.Store
	stages map[int64]stageRef
	builds map[int64]int64 // build id → number
	repos  map[int64]repoRef
}

type stageRef struct{ repo, build int64 }

type repoRef struct {
	public bool
	read   time.Time
}

// maxCached bounds each cache; a full one starts again empty.
const maxCached = 4096

func newLookups(s core.Store) *lookups {
	return &lookups{store: s, stages: map[int64]stageRef{}, builds: map[int64]int64{}, repos: map[int64]repoRef{}}
}

// complete turns a change into an event (without its id).
func (l *lookups) complete(ctx context.Context, c scheduler.Change) (*Event, error) {
	e := &Event{RepoID: c.RepoID, BuildID: c.BuildID, StageID: c.StageID, StepID: c.StepID, Status: c.Status}
	switch {
	case c.StageID == 0:
		b, err := l.store.Builds().Find(ctx, c.BuildID)
		if err != nil {
			return nil, fmt.Errorf("build %d: %w", c.BuildID, err)
		}
		e.Type, e.Created, e.RepoID, e.Status = TypeBuild, c.Created, b.RepoID, b.Status
		if c.Created && c.Status != "" {
			e.Status = c.Status // as created, not as it is by now
		}
		remember(l.builds, b.ID, b.Number)
	case c.StepID == 0:
		e.Type = TypeStage
		if c.Status == "" || c.RepoID == 0 || c.BuildID == 0 {
			st, err := l.store.Stages().Find(ctx, c.StageID)
			if err != nil {
				return nil, fmt.Errorf("stage %d: %w", c.StageID, err)
			}
			e.RepoID, e.BuildID, e.Status = st.RepoID, st.BuildID, st.Status
		}
	default:
		e.Type = TypeStep
		if c.RepoID == 0 || c.BuildID == 0 {
			ref, err := l.stage(ctx, c.StageID)
			if err != nil {
				return nil, err
			}
			e.RepoID, e.BuildID = ref.repo, ref.build
		}
	}
	remember(l.stages, e.StageID, stageRef{repo: e.RepoID, build: e.BuildID})
	var err error
	if e.BuildNumber, err = l.number(ctx, e.BuildID); err != nil {
		return nil, err
	}
	if e.Public, err = l.public(ctx, e.RepoID); err != nil {
		return nil, err
	}
	return e, nil
}

func remember[V any](m map[int64]V, k int64, v V) {
	if k == 0 {
		return
	}
	if len(m) >= maxCached {
		clear(m)
	}
	m[k] = v
}

func (l *lookups) stage(ctx context.Context, id int64) (stageRef, error) {
	if ref, ok := l.stages[id]; ok {
		return ref, nil
	}
	st, err := l.store.Stages().Find(ctx, id)
	if err != nil {
		return stageRef{}, fmt.Errorf("stage %d: %w", id, err)
	}
	return stageRef{repo: st.RepoID, build: st.BuildID}, nil
}

func (l *lookups) number(ctx context.Context, buildID int64) (int64, error) {
	if n, ok := l.builds[buildID]; ok {
		return n, nil
	}
	b, err := l.store.Builds().Find(ctx, buildID)
	if err != nil {
		return 0, fmt.Errorf("build %d: %w", buildID, err)
	}
	remember(l.builds, buildID, b.Number)
	return b.Number, nil
}

// public reports whether every logged-in user may read the repository.
func (l *lookups) public(ctx context.Context, repoID int64) (bool, error) {
	if r, ok := l.repos[repoID]; ok && time.Since(r.read) < cacheFor {
		return r.public, nil
	}
	repo, err := l.store.Repos().Find(ctx, repoID)
	if err != nil {
		return false, fmt.Errorf("repository %d: %w", repoID, err)
	}
	pub := Public(repo)
	remember(l.repos, repoID, repoRef{public: pub, read: time.Now()})
	return pub, nil
}

// Public reports whether every logged-in user may read the repository.
func Public(r *core.Repo) bool {
	return !r.Restricted() && (r.Visibility == "" || r.Visibility == "public")
}

package trigger

import (
	"context"
	"errors"
	"fmt"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline/convert"
)

// TriggerFile creates a build of repo for tmpl (its commit resolved)
// from a pipeline file read elsewhere: a mirror's, which the runner that
// fetched the commit read and sent (data from path, or fileErr saying why
// there is none). No remote is asked anything and no commit status is
// sent; otherwise it is Trigger.
func (t *Trigger) TriggerFile(ctx context.Context, repo *core.Repo, tmpl *core.Build, path string, data []byte, fileErr error) (*core.Build, error) {
	b := *tmpl
	b.RepoID = repo.ID
	if b.After == "" {
		return nil, core.Errorf(core.CodeInvalid, "a build from a file names its commit")
	}
	if skipRequested(&b) {
		return nil, fmt.Errorf("%w: the commit message asks to skip CI", ErrSkipped)
	}
	var file *convert.Result
	if fileErr == nil {
		file, fileErr = t.convertFile(ctx, repo, &b, path, data)
	}
	for attempt := 1; ; attempt++ {
		fresh, err := t.Store.Repos().Find(ctx, repo.ID)
		if err != nil {
			return nil, err
		}
		b.Number = fresh.Counter + 1
		err = t.create(ctx, repo, &b, file, path, fileErr, nil)
		if errors.Is(err, core.ErrNumberTaken) && attempt < maxNumberRetries {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	if t.OnCreated != nil {
		t.OnCreated(&b)
	}
	if b.Status == core.StatusError || b.Status == core.StatusSkipped {
		return &b, nil
	}
	if t.Metrics != nil {
		t.Metrics.BuildsCreated.Inc()
	}
	t.log().Info("build created", "repo", repo.Slug, "build", b.Number, "event", b.Event, "status", b.Status)
	t.cancelPrevious(ctx, repo, &b)
	if b.Status == core.StatusPending {
		t.Queue.Enqueued(ctx)
	}
	return &b, nil
}

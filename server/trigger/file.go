package trigger

import (
	"context"
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
	if err := t.createNumbered(ctx, repo, &b, file, path, fileErr, nil); err != nil {
		return nil, err
	}
	if !t.created(ctx, repo, &b) {
		return &b, nil
	}
	if b.Status == core.StatusPending {
		t.Queue.Enqueued(ctx)
	}
	return &b, nil
}

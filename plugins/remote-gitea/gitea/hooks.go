package gitea

import (
	"context"

	gt "code.gitea.io/sdk/gitea"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// hookEvents are the events Drover's repository webhook subscribes to. Tags
// arrive as push events on refs/tags/, so "create" is not needed.
var hookEvents = []string{"push", "pull_request", "pull_request_sync", "repository"}

// webhooks are the repository's hooks to url, as the Installer's Activate
// and Deactivate manage them.
func (r *Remote) webhooks(ctx context.Context, creds core.Creds, slug, url, secret string) (remotekit.Webhooks[*gt.Hook], error) {
	cl, owner, repo, err := r.on(ctx, creds, slug)
	if err != nil {
		return remotekit.Webhooks[*gt.Hook]{}, err
	}
	config := map[string]string{"url": url, "content_type": "json", "secret": secret}
	return remotekit.Webhooks[*gt.Hook]{
		List: func() ([]*gt.Hook, error) {
			return remotekit.Collect(func(page int) ([]*gt.Hook, int, error) {
				hooks, resp, err := cl.ListRepoHooks(owner, repo, gt.ListHooksOptions{ListOptions: gt.ListOptions{Page: page, PageSize: defaultPageSize}})
				if err != nil {
					return nil, 0, mapErr(ctx, "list webhooks of "+slug, resp, err)
				}
				if len(hooks) == 0 || (resp.NextPage == 0 && len(hooks) < defaultPageSize) {
					return hooks, 0, nil
				}
				return hooks, page + 1, nil
			}, func(h *gt.Hook) bool { return h.Config["url"] == url })
		},
		Create: func() error {
			_, resp, err := cl.CreateRepoHook(owner, repo, gt.CreateHookOption{
				Type: gt.HookTypeGitea, Config: config, Events: hookEvents, BranchFilter: "*", Active: true,
			})
			return mapErr(ctx, "create webhook of "+slug, resp, err)
		},
		Edit: func(h *gt.Hook) error {
			active := true
			resp, err := cl.EditRepoHook(owner, repo, h.ID, gt.EditHookOption{
				Config: config, Events: hookEvents, BranchFilter: "*", Active: &active,
			})
			return mapErr(ctx, "edit webhook of "+slug, resp, err)
		},
		Delete: func(h *gt.Hook, op string) error {
			resp, err := cl.DeleteRepoHook(owner, repo, h.ID)
			return mapErr(ctx, op+" of "+slug, resp, err)
		},
	}, nil
}

// Status reports a commit status.
func (r *Remote) Status(ctx context.Context, creds core.Creds, slug string, st *core.CommitStatus) error {
	if st == nil || st.SHA == "" {
		return core.Errorf(core.CodeInvalid, "gitea: a commit status needs a sha")
	}
	cl, owner, repo, err := r.on(ctx, creds, slug)
	if err != nil {
		return err
	}
	_, resp, err := cl.CreateStatus(owner, repo, st.SHA, gt.CreateStatusOption{
		State:       state(st.State),
		TargetURL:   st.Target,
		Description: remotekit.Truncate(st.Desc, 140),
		Context:     st.Label,
	})
	if err != nil {
		return mapErr(ctx, "set status of "+slug+"@"+st.SHA, resp, err)
	}
	return nil
}

// state maps a Drover status to Gitea's commit states.
func state(s core.Status) gt.StatusState {
	switch s {
	case core.StatusSuccess, core.StatusSkipped:
		return gt.StatusSuccess
	case core.StatusFailure:
		return gt.StatusFailure
	case core.StatusError, core.StatusKilled, core.StatusDeclined:
		return gt.StatusError
	default: // blocked, waiting, pending, running
		return gt.StatusPending
	}
}

package github

import (
	"context"

	gh "github.com/google/go-github/v60/github"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// hookEvents are the events Drover's repository webhook subscribes to;
// tags arrive as push events on refs/tags/.
var hookEvents = []string{"push", "pull_request", "repository"}

// webhooks are the repository's hooks to url, as the Installer's Activate
// and Deactivate manage them.
func (r *Remote) webhooks(ctx context.Context, creds core.Creds, slug, url, secret string) (remotekit.Webhooks[*gh.Hook], error) {
	cl, owner, repo, err := r.on(creds, slug)
	if err != nil {
		return remotekit.Webhooks[*gh.Hook]{}, err
	}
	hook := &gh.Hook{
		Name:   gh.String("web"),
		Events: hookEvents,
		Active: gh.Bool(true),
		Config: &gh.HookConfig{URL: gh.String(url), ContentType: gh.String("json"), Secret: gh.String(secret), InsecureSSL: gh.String("0")},
	}
	return remotekit.Webhooks[*gh.Hook]{
		List: func() ([]*gh.Hook, error) {
			return remotekit.Collect(func(page int) ([]*gh.Hook, int, error) {
				hooks, resp, err := cl.Repositories.ListHooks(ctx, owner, repo, &gh.ListOptions{PerPage: pageSize, Page: page})
				if err != nil {
					return nil, 0, mapErr(ctx, "list webhooks of "+slug, err)
				}
				return hooks, resp.NextPage, nil
			}, func(h *gh.Hook) bool { return h.GetConfig().GetURL() == url })
		},
		Create: func() error {
			_, _, err := cl.Repositories.CreateHook(ctx, owner, repo, hook)
			return mapErr(ctx, "create webhook of "+slug, err)
		},
		Edit: func(h *gh.Hook) error {
			_, _, err := cl.Repositories.EditHook(ctx, owner, repo, h.GetID(), hook)
			return mapErr(ctx, "edit webhook of "+slug, err)
		},
		Delete: func(h *gh.Hook, op string) error {
			_, err := cl.Repositories.DeleteHook(ctx, owner, repo, h.GetID())
			return mapErr(ctx, op+" of "+slug, err)
		},
	}, nil
}

// Status reports a commit status.
func (r *Remote) Status(ctx context.Context, creds core.Creds, slug string, st *core.CommitStatus) error {
	if st == nil || st.SHA == "" {
		return core.Errorf(core.CodeInvalid, "github: a commit status needs a sha")
	}
	cl, owner, repo, err := r.on(creds, slug)
	if err != nil {
		return err
	}
	_, _, err = cl.Repositories.CreateStatus(ctx, owner, repo, st.SHA, &gh.RepoStatus{
		State:       gh.String(state(st.State)),
		TargetURL:   gh.String(st.Target),
		Description: gh.String(remotekit.Truncate(st.Desc, 140)),
		Context:     gh.String(st.Label),
	})
	if err != nil {
		return mapErr(ctx, "set status of "+slug+"@"+st.SHA, err)
	}
	return nil
}

// state maps a Drover status to GitHub's commit states.
func state(s core.Status) string {
	switch s {
	case core.StatusSuccess, core.StatusSkipped:
		return "success"
	case core.StatusFailure:
		return "failure"
	case core.StatusError, core.StatusKilled, core.StatusDeclined:
		return "error"
	default:
		return "pending"
	}
}

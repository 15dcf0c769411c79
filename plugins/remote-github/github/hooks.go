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

// Activate installs the repository's webhook to url signed with secret,
// editing an existing hook to the same url and removing duplicates of it.
func (r *Remote) Activate(ctx context.Context, creds core.Creds, slug, url, secret string) error {
	if err := remotekit.CheckHook(name, url, secret); err != nil {
		return err
	}
	return r.webhooks(ctx, creds, slug, url, secret).Activate()
}

// Deactivate removes every webhook of the repository to url.
func (r *Remote) Deactivate(ctx context.Context, creds core.Creds, slug, url string) error {
	return r.webhooks(ctx, creds, slug, url, "").Deactivate()
}

// webhooks are the repository's hooks to url, as Activate and Deactivate
// manage them; a bad slug or client fails every operation.
func (r *Remote) webhooks(ctx context.Context, creds core.Creds, slug, url, secret string) remotekit.Webhooks[*gh.Hook] {
	owner, repo, err := split(slug)
	var cl *gh.Client
	if err == nil {
		cl, err = r.client(creds)
	}
	if err != nil {
		return remotekit.Failed[*gh.Hook](err)
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
	}
}

// Status reports a commit status.
func (r *Remote) Status(ctx context.Context, creds core.Creds, slug string, st *core.CommitStatus) error {
	owner, name, err := split(slug)
	if err != nil {
		return err
	}
	if st == nil || st.SHA == "" {
		return core.Errorf(core.CodeInvalid, "github: a commit status needs a sha")
	}
	cl, err := r.client(creds)
	if err != nil {
		return err
	}
	_, _, err = cl.Repositories.CreateStatus(ctx, owner, name, st.SHA, &gh.RepoStatus{
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

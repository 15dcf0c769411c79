package gitea

import (
	"context"

	gt "code.gitea.io/sdk/gitea"

	"github.com/drover-ci/drover/core"
)

// hookEvents are the events Drover's repository webhook subscribes to. Tags
// arrive as push events on refs/tags/, so "create" is not needed.
var hookEvents = []string{"push", "pull_request", "pull_request_sync", "repository"}

// Activate installs the repository's webhook to url signed with secret,
// replacing (editing) an existing hook to the same url and removing
// duplicates of it.
func (r *Remote) Activate(ctx context.Context, creds core.Creds, slug, url, secret string) error {
	if url == "" || secret == "" {
		return core.Errorf(core.CodeInvalid, "gitea: a webhook needs a url and a secret")
	}
	owner, name, err := split(slug)
	if err != nil {
		return err
	}
	cl, err := r.client(ctx, creds)
	if err != nil {
		return err
	}
	existing, err := r.hooksTo(ctx, cl, owner, name, url)
	if err != nil {
		return err
	}
	config := map[string]string{"url": url, "content_type": "json", "secret": secret}
	if len(existing) > 0 {
		active := true
		resp, err := cl.EditRepoHook(owner, name, existing[0].ID, gt.EditHookOption{
			Config: config, Events: hookEvents, BranchFilter: "*", Active: &active,
		})
		if err != nil {
			return mapErr(ctx, "edit webhook of "+slug, resp, err)
		}
		for _, h := range existing[1:] {
			if resp, err := cl.DeleteRepoHook(owner, name, h.ID); err != nil {
				return mapErr(ctx, "delete duplicate webhook of "+slug, resp, err)
			}
		}
		return nil
	}
	_, resp, err := cl.CreateRepoHook(owner, name, gt.CreateHookOption{
		Type: gt.HookTypeGitea, Config: config, Events: hookEvents, BranchFilter: "*", Active: true,
	})
	if err != nil {
		return mapErr(ctx, "create webhook of "+slug, resp, err)
	}
	return nil
}

// Deactivate removes every webhook of the repository to url.
func (r *Remote) Deactivate(ctx context.Context, creds core.Creds, slug, url string) error {
	owner, name, err := split(slug)
	if err != nil {
		return err
	}
	cl, err := r.client(ctx, creds)
	if err != nil {
		return err
	}
	existing, err := r.hooksTo(ctx, cl, owner, name, url)
	if err != nil {
		return err
	}
	for _, h := range existing {
		resp, err := cl.DeleteRepoHook(owner, name, h.ID)
		if err != nil && (resp == nil || resp.StatusCode != 404) {
			return mapErr(ctx, "delete webhook of "+slug, resp, err)
		}
	}
	return nil
}

// hooksTo lists the repository's hooks that deliver to url.
func (r *Remote) hooksTo(ctx context.Context, cl *gt.Client, owner, name, url string) ([]*gt.Hook, error) {
	var out []*gt.Hook
	for page := 1; page <= 100; page++ {
		hooks, resp, err := cl.ListRepoHooks(owner, name, gt.ListHooksOptions{ListOptions: gt.ListOptions{Page: page, PageSize: defaultPageSize}})
		if err != nil {
			return nil, mapErr(ctx, "list webhooks of "+owner+"/"+name, resp, err)
		}
		for _, h := range hooks {
			if h.Config["url"] == url {
				out = append(out, h)
			}
		}
		if len(hooks) == 0 || (resp.NextPage == 0 && len(hooks) < defaultPageSize) {
			break
		}
	}
	return out, nil
}

// Status reports a commit status.
func (r *Remote) Status(ctx context.Context, creds core.Creds, slug string, st *core.CommitStatus) error {
	owner, name, err := split(slug)
	if err != nil {
		return err
	}
	if st == nil || st.SHA == "" {
		return core.Errorf(core.CodeInvalid, "gitea: a commit status needs a sha")
	}
	cl, err := r.client(ctx, creds)
	if err != nil {
		return err
	}
	_, resp, err := cl.CreateStatus(owner, name, st.SHA, gt.CreateStatusOption{
		State:       state(st.State),
		TargetURL:   st.Target,
		Description: truncate(st.Desc, 140),
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

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

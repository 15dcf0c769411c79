package github

import (
	"context"

	gh "github.com/google/go-github/v60/github"

	"github.com/drover-ci/drover/core"
)

// hookEvents are the events Drover's repository webhook subscribes to;
// tags arrive as push events on refs/tags/.
var hookEvents = []string{"push", "pull_request", "repository"}

// Activate installs the repository's webhook to url signed with secret,
// editing an existing hook to the same url and removing duplicates of it.
func (r *Remote) Activate(ctx context.Context, creds core.Creds, slug, url, secret string) error {
	if url == "" || secret == "" {
		return core.Errorf(core.CodeInvalid, "github: a webhook needs a url and a secret")
	}
	owner, name, err := split(slug)
	if err != nil {
		return err
	}
	cl, err := r.client(creds)
	if err != nil {
		return err
	}
	existing, err := hooksTo(ctx, cl, owner, name, url)
	if err != nil {
		return err
	}
	hook := &gh.Hook{
		Name:   gh.String("web"),
		Events: hookEvents,
		Active: gh.Bool(true),
		Config: &gh.HookConfig{URL: gh.String(url), ContentType: gh.String("json"), Secret: gh.String(secret), InsecureSSL: gh.String("0")},
	}
	if len(existing) > 0 {
		if _, _, err := cl.Repositories.EditHook(ctx, owner, name, existing[0].GetID(), hook); err != nil {
			return mapErr(ctx, "edit webhook of "+slug, err)
		}
		for _, h := range existing[1:] {
			if _, err := cl.Repositories.DeleteHook(ctx, owner, name, h.GetID()); err != nil {
				return mapErr(ctx, "delete duplicate webhook of "+slug, err)
			}
		}
		return nil
	}
	if _, _, err := cl.Repositories.CreateHook(ctx, owner, name, hook); err != nil {
		return mapErr(ctx, "create webhook of "+slug, err)
	}
	return nil
}

// Deactivate removes every webhook of the repository to url.
func (r *Remote) Deactivate(ctx context.Context, creds core.Creds, slug, url string) error {
	owner, name, err := split(slug)
	if err != nil {
		return err
	}
	cl, err := r.client(creds)
	if err != nil {
		return err
	}
	existing, err := hooksTo(ctx, cl, owner, name, url)
	if err != nil {
		return err
	}
	for _, h := range existing {
		resp, err := cl.Repositories.DeleteHook(ctx, owner, name, h.GetID())
		if err != nil && (resp == nil || resp.StatusCode != 404) {
			return mapErr(ctx, "delete webhook of "+slug, err)
		}
	}
	return nil
}

// hooksTo lists the repository's hooks that deliver to url.
func hooksTo(ctx context.Context, cl *gh.Client, owner, name, url string) ([]*gh.Hook, error) {
	var out []*gh.Hook
	opts := &gh.ListOptions{PerPage: pageSize, Page: 1}
	for i := 0; i < 100; i++ {
		hooks, resp, err := cl.Repositories.ListHooks(ctx, owner, name, opts)
		if err != nil {
			return nil, mapErr(ctx, "list webhooks of "+owner+"/"+name, err)
		}
		for _, h := range hooks {
			if h.GetConfig().GetURL() == url {
				out = append(out, h)
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
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
		return core.Errorf(core.CodeInvalid, "github: a commit status needs a sha")
	}
	cl, err := r.client(creds)
	if err != nil {
		return err
	}
	_, _, err = cl.Repositories.CreateStatus(ctx, owner, name, st.SHA, &gh.RepoStatus{
		State:       gh.String(state(st.State)),
		TargetURL:   gh.String(st.Target),
		Description: gh.String(truncate(st.Desc, 140)),
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

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

package gitlab

import (
	"context"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/drover-ci/drover/core"
)

// Activate installs the project's webhook to url with secret as its
// X-Gitlab-Token, editing an existing hook to the same url and removing
// duplicates of it.
func (r *Remote) Activate(ctx context.Context, creds core.Creds, slug, url, secret string) error {
	if url == "" || secret == "" {
		return core.Errorf(core.CodeInvalid, "gitlab: a webhook needs a url and a secret")
	}
	pid, err := project(slug)
	if err != nil {
		return err
	}
	cl, err := r.client(creds)
	if err != nil {
		return err
	}
	existing, err := hooksTo(ctx, cl, pid, url)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		_, resp, err := cl.Projects.EditProjectHook(pid, existing[0].ID, &gl.EditProjectHookOptions{
			URL: gl.Ptr(url), Token: gl.Ptr(secret), PushEvents: gl.Ptr(true), TagPushEvents: gl.Ptr(true),
			MergeRequestsEvents: gl.Ptr(true), EnableSSLVerification: gl.Ptr(!r.opts.SkipVerify),
		}, gl.WithContext(ctx))
		if err != nil {
			return mapErr(ctx, "edit webhook of "+slug, resp, err)
		}
		for _, h := range existing[1:] {
			if resp, err := cl.Projects.DeleteProjectHook(pid, h.ID, gl.WithContext(ctx)); err != nil {
				return mapErr(ctx, "delete duplicate webhook of "+slug, resp, err)
			}
		}
		return nil
	}
	_, resp, err := cl.Projects.AddProjectHook(pid, &gl.AddProjectHookOptions{
		URL: gl.Ptr(url), Token: gl.Ptr(secret), PushEvents: gl.Ptr(true), TagPushEvents: gl.Ptr(true),
		MergeRequestsEvents: gl.Ptr(true), EnableSSLVerification: gl.Ptr(!r.opts.SkipVerify),
	}, gl.WithContext(ctx))
	if err != nil {
		return mapErr(ctx, "create webhook of "+slug, resp, err)
	}
	return nil
}

// Deactivate removes every webhook of the project to url.
func (r *Remote) Deactivate(ctx context.Context, creds core.Creds, slug, url string) error {
	pid, err := project(slug)
	if err != nil {
		return err
	}
	cl, err := r.client(creds)
	if err != nil {
		return err
	}
	existing, err := hooksTo(ctx, cl, pid, url)
	if err != nil {
		return err
	}
	for _, h := range existing {
		resp, err := cl.Projects.DeleteProjectHook(pid, h.ID, gl.WithContext(ctx))
		if err != nil && (resp == nil || resp.StatusCode != 404) {
			return mapErr(ctx, "delete webhook of "+slug, resp, err)
		}
	}
	return nil
}

// hooksTo lists the project's hooks that deliver to url.
func hooksTo(ctx context.Context, cl *gl.Client, pid, url string) ([]*gl.ProjectHook, error) {
	var out []*gl.ProjectHook
	opts := &gl.ListProjectHooksOptions{ListOptions: gl.ListOptions{Page: 1, PerPage: pageSize}}
	for i := 0; i < 100; i++ {
		hooks, resp, err := cl.Projects.ListProjectHooks(pid, opts, gl.WithContext(ctx))
		if err != nil {
			return nil, mapErr(ctx, "list webhooks of "+pid, resp, err)
		}
		for _, h := range hooks {
			if h.URL == url {
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
	pid, err := project(slug)
	if err != nil {
		return err
	}
	if st == nil || st.SHA == "" {
		return core.Errorf(core.CodeInvalid, "gitlab: a commit status needs a sha")
	}
	cl, err := r.client(creds)
	if err != nil {
		return err
	}
	_, resp, err := cl.Commits.SetCommitStatus(pid, st.SHA, &gl.SetCommitStatusOptions{
		State:       state(st.State),
		Name:        gl.Ptr(st.Label),
		TargetURL:   gl.Ptr(st.Target),
		Description: gl.Ptr(truncate(st.Desc, 255)),
	}, gl.WithContext(ctx))
	if err != nil {
		return mapErr(ctx, "set status of "+slug+"@"+st.SHA, resp, err)
	}
	return nil
}

// state maps a Drover status to GitLab's commit states.
func state(s core.Status) gl.BuildStateValue {
	switch s {
	case core.StatusRunning:
		return gl.Running
	case core.StatusSuccess:
		return gl.Success
	case core.StatusFailure, core.StatusError:
		return gl.Failed
	case core.StatusKilled, core.StatusDeclined:
		return gl.Canceled
	case core.StatusSkipped:
		return gl.Skipped
	default:
		return gl.Pending
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

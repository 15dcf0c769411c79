package gitlab

import (
	"context"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// webhooks are the project's hooks to url (secret as their X-Gitlab-Token),
// as the Installer's Activate and Deactivate manage them.
func (r *Remote) webhooks(ctx context.Context, creds core.Creds, slug, url, secret string) (remotekit.Webhooks[*gl.ProjectHook], error) {
	cl, pid, err := r.on(creds, slug)
	if err != nil {
		return remotekit.Webhooks[*gl.ProjectHook]{}, err
	}
	return remotekit.Webhooks[*gl.ProjectHook]{
		List: func() ([]*gl.ProjectHook, error) {
			return remotekit.Collect(func(page int) ([]*gl.ProjectHook, int, error) {
				opts := &gl.ListProjectHooksOptions{ListOptions: gl.ListOptions{Page: int64(page), PerPage: pageSize}}
				hooks, resp, err := cl.Projects.ListProjectHooks(pid, opts, gl.WithContext(ctx))
				if err != nil {
					return nil, 0, mapErr(ctx, "list webhooks of "+pid, resp, err)
				}
				return hooks, int(resp.NextPage), nil
			}, func(h *gl.ProjectHook) bool { return h.URL == url })
		},
		Create: func() error {
			_, resp, err := cl.Projects.AddProjectHook(pid, &gl.AddProjectHookOptions{
				URL: gl.Ptr(url), Token: gl.Ptr(secret), PushEvents: gl.Ptr(true), TagPushEvents: gl.Ptr(true),
				MergeRequestsEvents: gl.Ptr(true), EnableSSLVerification: gl.Ptr(!r.opts.SkipVerify),
			}, gl.WithContext(ctx))
			return mapErr(ctx, "create webhook of "+slug, resp, err)
		},
		Edit: func(h *gl.ProjectHook) error {
			_, resp, err := cl.Projects.EditProjectHook(pid, h.ID, &gl.EditProjectHookOptions{
				URL: gl.Ptr(url), Token: gl.Ptr(secret), PushEvents: gl.Ptr(true), TagPushEvents: gl.Ptr(true),
				MergeRequestsEvents: gl.Ptr(true), EnableSSLVerification: gl.Ptr(!r.opts.SkipVerify),
			}, gl.WithContext(ctx))
			return mapErr(ctx, "edit webhook of "+slug, resp, err)
		},
		Delete: func(h *gl.ProjectHook, op string) error {
			resp, err := cl.Projects.DeleteProjectHook(pid, h.ID, gl.WithContext(ctx))
			return mapErr(ctx, op+" of "+slug, resp, err)
		},
	}, nil
}

// Status reports a commit status.
func (r *Remote) Status(ctx context.Context, creds core.Creds, slug string, st *core.CommitStatus) error {
	if st == nil || st.SHA == "" {
		return core.Errorf(core.CodeInvalid, "gitlab: a commit status needs a sha")
	}
	cl, pid, err := r.on(creds, slug)
	if err != nil {
		return err
	}
	_, resp, err := cl.Commits.SetCommitStatus(pid, st.SHA, &gl.SetCommitStatusOptions{
		State:       state(st.State),
		Name:        gl.Ptr(st.Label),
		TargetURL:   gl.Ptr(st.Target),
		Description: gl.Ptr(remotekit.Truncate(st.Desc, 255)),
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

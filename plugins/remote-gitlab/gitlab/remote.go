package gitlab

import (
	"context"
	"errors"
	"net/http"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/oauth2"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// Remote is one GitLab instance. It keeps no per-user state; it is safe
// for concurrent use.
type Remote struct {
	remotekit.Base[*gl.ProjectHook]
	opts Options
}

// New returns the remote of a GitLab.com or self-managed GitLab instance
// whose options ParseOptions accepts.
func New(options map[string]any) (*Remote, error) {
	return remotekit.Build(options, ParseOptions, NewWithOptions)
}

// NewWithOptions returns the remote for options ParseOptions returned.
func NewWithOptions(o Options) *Remote {
	r := &Remote{opts: o}
	login := remotekit.Endpoint{AuthPath: "/oauth/authorize", TokenPath: "/oauth/token", Scopes: o.Scopes}
	r.Base = remotekit.NewBase(o.Options, remotekit.Host[*gl.ProjectHook]{Name: name, Endpoint: login, Events: events, Webhooks: r.webhooks})
	return r
}

// client returns an API client acting with the user's token. Retries are
// off: a rate limit or an outage is reported as ErrUnavailable with its
// reset time, and the caller decides when to come back.
func (r *Remote) client(creds core.Creds) (*gl.Client, error) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: creds.Token})
	c, err := gl.NewAuthSourceClient(gl.OAuthTokenSource{TokenSource: ts},
		gl.WithBaseURL(r.opts.URL+"/api/v4/"),
		gl.WithHTTPClient(r.HTTP()),
		gl.WithoutRetries(),
		gl.WithUserAgent("drover"),
	)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalid, "gitlab client: %w", err)
	}
	return c, nil
}

// project checks a slug: namespace path(s) and project path.
func project(slug string) (string, error) {
	i := strings.LastIndex(slug, "/")
	if i <= 0 || i == len(slug)-1 || strings.Contains(slug, "//") {
		return "", core.Errorf(core.CodeInvalid, "gitlab: %q is not namespace/project", slug)
	}
	return slug, nil
}

// on returns the client and the checked slug of a call on one project.
func (r *Remote) on(creds core.Creds, slug string) (cl *gl.Client, pid string, err error) {
	if pid, err = project(slug); err == nil {
		cl, err = r.client(creds)
	}
	return cl, pid, err
}

// mapErr turns a client-go error and its response into a coded error.
func mapErr(ctx context.Context, op string, resp *gl.Response, err error) error {
	if err == nil {
		return nil
	}
	if err := remotekit.Canceled(ctx, name, op); err != nil {
		return err
	}
	if errors.Is(err, gl.ErrNotFound) {
		return core.Errorf(core.CodeNotFound, "gitlab %s: not found: %w", op, err)
	}
	if resp == nil || resp.Response == nil {
		return core.Errorf(core.CodeUnavailable, "gitlab %s: %w", op, err)
	}
	return remotekit.StatusErr(name, op, resp.StatusCode, resetTime(resp.Header), err)
}

// resetTime describes when a rate limit ends, from RateLimit-Reset or
// Retry-After, or returns "".
func resetTime(h http.Header) string {
	if v := remotekit.Until(h, "RateLimit-Reset"); v != "" {
		return v
	}
	if v := h.Get("Retry-After"); v != "" {
		return " for " + v + "s"
	}
	return ""
}

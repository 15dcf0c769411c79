package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/oauth2"

	"github.com/drover-ci/drover/core"
)

// pageSize is GitLab's maximum page size.
const pageSize = 100

// Remote is one GitLab instance. It keeps no per-user state; it is safe
// for concurrent use.
type Remote struct {
	opts  Options
	http  *http.Client
	oauth oauth2.Config
}

var _ core.Remote = (*Remote)(nil)

// New validates the instance options (see ParseOptions) and returns the remote.
func New(options map[string]any) (*Remote, error) {
	o, err := ParseOptions(options)
	if err != nil {
		return nil, err
	}
	return NewWithOptions(o), nil
}

// NewWithOptions returns the remote for already validated options.
func NewWithOptions(o Options) *Remote {
	return &Remote{
		opts: o,
		http: httpClient(o.SkipVerify),
		oauth: oauth2.Config{
			ClientID:     o.ClientID,
			ClientSecret: o.ClientSecret,
			Scopes:       o.Scopes,
			Endpoint: oauth2.Endpoint{
				AuthURL:   o.URL + "/oauth/authorize",
				TokenURL:  o.URL + "/oauth/token",
				AuthStyle: oauth2.AuthStyleInParams,
			},
		},
	}
}

// client returns an API client acting with the user's token. Retries are
// off: a rate limit or an outage is reported as ErrUnavailable with its
// reset time, and the caller decides when to come back.
func (r *Remote) client(creds core.Creds) (*gl.Client, error) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: creds.Token})
	c, err := gl.NewAuthSourceClient(gl.OAuthTokenSource{TokenSource: ts},
		gl.WithBaseURL(r.opts.URL+"/api/v4/"),
		gl.WithHTTPClient(r.http),
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

// mapErr turns a client-go error and its response into a coded error.
func mapErr(ctx context.Context, op string, resp *gl.Response, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("gitlab %s: %w", op, ctx.Err())
	}
	if errors.Is(err, gl.ErrNotFound) {
		return core.Errorf(core.CodeNotFound, "gitlab %s: not found: %w", op, err)
	}
	if resp == nil || resp.Response == nil {
		return core.Errorf(core.CodeUnavailable, "gitlab %s: %w", op, err)
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusNotFound:
		return core.Errorf(core.CodeNotFound, "gitlab %s: not found: %w", op, err)
	case code == http.StatusUnauthorized:
		return core.Errorf(core.CodeUnauthenticated, "gitlab %s: unauthenticated: %w", op, err)
	case code == http.StatusForbidden:
		return core.Errorf(core.CodeForbidden, "gitlab %s: forbidden: %w", op, err)
	case code == http.StatusConflict:
		return core.Errorf(core.CodeConflict, "gitlab %s: %w", op, err)
	case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
		return core.Errorf(core.CodeInvalid, "gitlab %s: %w", op, err)
	case code == http.StatusTooManyRequests:
		return core.Errorf(core.CodeUnavailable, "gitlab %s: rate limited%s: %w", op, resetTime(resp.Header), err)
	case code >= 500:
		return core.Errorf(core.CodeUnavailable, "gitlab %s: server error %d: %w", op, code, err)
	}
	return fmt.Errorf("gitlab %s: status %d: %w", op, code, err)
}

// resetTime describes when a rate limit ends, from RateLimit-Reset or
// Retry-After, or returns "".
func resetTime(h http.Header) string {
	if v, err := strconv.ParseInt(h.Get("RateLimit-Reset"), 10, 64); err == nil {
		return " until " + time.Unix(v, 0).UTC().Format(time.RFC3339)
	}
	if v := h.Get("Retry-After"); v != "" {
		return " for " + v + "s"
	}
	return ""
}

package github

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// Remote is one GitHub (or GitHub Enterprise) instance. It keeps no
// per-user state; it is safe for concurrent use.
type Remote struct {
	remotekit.Base[*gh.Hook]
	opts Options
}

// New returns the remote of a GitHub or GitHub Enterprise instance whose
// options ParseOptions accepts.
func New(options map[string]any) (*Remote, error) {
	return remotekit.Build(options, ParseOptions, NewWithOptions)
}

// NewWithOptions returns the remote for options ParseOptions returned.
func NewWithOptions(o Options) *Remote {
	r := &Remote{opts: o}
	login := remotekit.Endpoint{AuthPath: "/login/oauth/authorize", TokenPath: "/login/oauth/access_token", Scopes: o.Scopes}
	r.Base = remotekit.NewBase(o.Options, remotekit.Host[*gh.Hook]{Name: name, Endpoint: login, Events: events, Webhooks: r.webhooks})
	return r
}

// client returns an API client acting with the user's token.
func (r *Remote) client(creds core.Creds) (*gh.Client, error) {
	c := gh.NewClient(r.HTTP())
	if creds.Token != "" {
		c = c.WithAuthToken(creds.Token)
	}
	c.UserAgent = "drover"
	if r.opts.APIURL != "https://api.github.com/" {
		var err error
		if c, err = c.WithEnterpriseURLs(r.opts.APIURL, strings.TrimSuffix(r.opts.APIURL, "v3/")+"uploads/"); err != nil {
			return nil, core.Errorf(core.CodeInvalid, "github api url: %w", err)
		}
	}
	return c, nil
}

// split parses owner/name.
func split(slug string) (owner, repo string, err error) { return remotekit.Split(name, slug) }

// on returns the client and the parsed slug of a call on one repository.
func (r *Remote) on(creds core.Creds, slug string) (cl *gh.Client, owner, repo string, err error) {
	if owner, repo, err = split(slug); err == nil {
		cl, err = r.client(creds)
	}
	return cl, owner, repo, err
}

// mapErr turns a go-github error into a coded error: rate limits are
// unavailable until their reset time.
func mapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if err := remotekit.Canceled(ctx, name, op); err != nil {
		return err
	}
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return remotekit.RateLimited(name, op, " until "+rl.Rate.Reset.UTC().Format(time.RFC3339), err)
	}
	var abuse *gh.AbuseRateLimitError
	if errors.As(err, &abuse) {
		wait := "later"
		if abuse.RetryAfter != nil {
			wait = "in " + abuse.RetryAfter.String()
		}
		return core.Errorf(core.CodeUnavailable, "github %s: secondary rate limit, retry %s: %w", op, wait, err)
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		h := er.Response.Header
		if code := er.Response.StatusCode; code != http.StatusForbidden || h.Get("Retry-After") == "" {
			return remotekit.StatusErr(name, op, code, resetTime(h), err)
		}
		return remotekit.RateLimited(name, op, resetTime(h), err)
	}
	var ae *gh.AcceptedError
	if errors.As(err, &ae) {
		return core.Errorf(core.CodeUnavailable, "github %s: GitHub is still preparing the answer: %w", op, err)
	}
	// Anything else failed before a response: the network.
	return core.Errorf(core.CodeUnavailable, "github %s: %w", op, err)
}

// resetTime describes when a rate limit ends, from Retry-After or
// X-RateLimit-Reset, or returns "".
func resetTime(h http.Header) string {
	if v := h.Get("Retry-After"); v != "" {
		return " for " + v + "s"
	}
	return remotekit.Until(h, "X-RateLimit-Reset")
}

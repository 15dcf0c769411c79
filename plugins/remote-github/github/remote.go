package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
	"golang.org/x/oauth2"

	"github.com/drover-ci/drover/core"
)

// pageSize is GitHub's maximum page size.
const pageSize = 100

// Remote is one GitHub (or GitHub Enterprise) instance. It keeps no
// per-user state; it is safe for concurrent use.
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
				AuthURL:   o.URL + "/login/oauth/authorize",
				TokenURL:  o.URL + "/login/oauth/access_token",
				AuthStyle: oauth2.AuthStyleInParams,
			},
		},
	}
}

// client returns an API client acting with the user's token.
func (r *Remote) client(creds core.Creds) (*gh.Client, error) {
	c := gh.NewClient(r.http)
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
func split(slug string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(slug, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", core.Errorf(core.CodeInvalid, "github: %q is not owner/name", slug)
	}
	return owner, name, nil
}

// mapErr turns a go-github error into a coded error: rate limits are
// unavailable until their reset time.
func mapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("github %s: %w", op, ctx.Err())
	}
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return core.Errorf(core.CodeUnavailable, "github %s: rate limit exceeded until %s: %w", op, rl.Rate.Reset.UTC().Format(time.RFC3339), err)
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
		code := er.Response.StatusCode
		switch {
		case code == http.StatusTooManyRequests || (code == http.StatusForbidden && er.Response.Header.Get("Retry-After") != ""):
			return core.Errorf(core.CodeUnavailable, "github %s: rate limited%s: %w", op, resetTime(er.Response.Header), err)
		case code == http.StatusNotFound:
			return core.Errorf(core.CodeNotFound, "github %s: not found: %w", op, err)
		case code == http.StatusUnauthorized:
			return core.Errorf(core.CodeUnauthenticated, "github %s: unauthenticated: %w", op, err)
		case code == http.StatusForbidden:
			return core.Errorf(core.CodeForbidden, "github %s: forbidden: %w", op, err)
		case code == http.StatusConflict:
			return core.Errorf(core.CodeConflict, "github %s: %w", op, err)
		case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
			return core.Errorf(core.CodeInvalid, "github %s: %w", op, err)
		case code >= 500:
			return core.Errorf(core.CodeUnavailable, "github %s: status %d: %w", op, code, err)
		}
		return fmt.Errorf("github %s: status %d: %w", op, code, err)
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
	if v, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		return " until " + time.Unix(v, 0).UTC().Format(time.RFC3339)
	}
	return ""
}

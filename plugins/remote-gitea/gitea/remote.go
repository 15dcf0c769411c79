package gitea

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	gt "code.gitea.io/sdk/gitea"
	"golang.org/x/oauth2"

	"github.com/drover-ci/drover/core"
)

// defaultPageSize is Gitea's default MAX_RESPONSE_ITEMS, used when the
// server does not say.
const defaultPageSize = 50

// Remote is one Gitea server. It keeps no per-user state; it is safe for
// concurrent use.
type Remote struct {
	opts  Options
	http  *http.Client
	oauth oauth2.Config

	mu       sync.Mutex
	pageSize int // learned from /settings/api, 0 until then
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
		opts:     o,
		http:     httpClient(o.SkipVerify),
		pageSize: o.PageSize,
		oauth: oauth2.Config{
			ClientID:     o.ClientID,
			ClientSecret: o.ClientSecret,
			Endpoint: oauth2.Endpoint{
				AuthURL:   o.URL + "/login/oauth/authorize",
				TokenURL:  o.URL + "/login/oauth/access_token",
				AuthStyle: oauth2.AuthStyleInParams,
			},
		},
	}
}

// client returns an API client acting with the user's token for one call.
func (r *Remote) client(ctx context.Context, creds core.Creds) (*gt.Client, error) {
	opts := []gt.ClientOption{
		gt.SetHTTPClient(r.http),
		gt.SetContext(ctx),
		gt.SetGiteaVersion(""), // no /version round trip per call
		gt.SetUserAgent("drover"),
	}
	if creds.Token != "" {
		opts = append(opts, gt.SetToken(creds.Token))
	}
	c, err := gt.NewClient(r.opts.URL, opts...)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalid, "gitea client: %w", err)
	}
	return c, nil
}

// split parses owner/name.
func split(slug string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(slug, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", core.Errorf(core.CodeInvalid, "gitea: %q is not owner/name", slug)
	}
	return owner, name, nil
}

// mapErr turns an SDK error and its response into a coded error.
func mapErr(ctx context.Context, op string, resp *gt.Response, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("gitea %s: %w", op, ctx.Err())
	}
	if resp == nil || resp.Response == nil {
		var nerr net.Error
		var uerr *url.Error
		if errors.As(err, &nerr) || errors.As(err, &uerr) {
			return core.Errorf(core.CodeUnavailable, "gitea %s: %w", op, err)
		}
		return fmt.Errorf("gitea %s: %w", op, err)
	}
	return statusErr(op, resp.Response, err)
}

// statusErr codes a failed HTTP response by its status.
func statusErr(op string, resp *http.Response, err error) error {
	code := resp.StatusCode
	switch {
	case code == http.StatusNotFound:
		return core.Errorf(core.CodeNotFound, "gitea %s: not found: %w", op, err)
	case code == http.StatusUnauthorized:
		return core.Errorf(core.CodeUnauthenticated, "gitea %s: unauthenticated: %w", op, err)
	case code == http.StatusForbidden:
		return core.Errorf(core.CodeForbidden, "gitea %s: forbidden: %w", op, err)
	case code == http.StatusConflict:
		return core.Errorf(core.CodeConflict, "gitea %s: %w", op, err)
	case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
		return core.Errorf(core.CodeInvalid, "gitea %s: %w", op, err)
	case code == http.StatusTooManyRequests:
		return core.Errorf(core.CodeUnavailable, "gitea %s: rate limited%s: %w", op, retryAfter(resp.Header), err)
	case code >= 500:
		return core.Errorf(core.CodeUnavailable, "gitea %s: server error %d: %w", op, code, err)
	}
	return fmt.Errorf("gitea %s: status %d: %w", op, code, err)
}

// retryAfter describes a Retry-After header, or returns "".
func retryAfter(h http.Header) string {
	v := h.Get("Retry-After")
	if v == "" {
		return ""
	}
	if t, err := http.ParseTime(v); err == nil {
		return " until " + t.UTC().Format(time.RFC3339)
	}
	return " for " + v + "s"
}

package gitea

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"

	gt "code.gitea.io/sdk/gitea"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit"
)

// defaultPageSize is Gitea's default MAX_RESPONSE_ITEMS, used when the
// server does not say.
const defaultPageSize = 50

// Remote is one Gitea server. It keeps no per-user state; it is safe for
// concurrent use.
type Remote struct {
	remotekit.Base[*gt.Hook]
	opts Options

	mu       sync.Mutex
	pageSize int // learned from /settings/api, 0 until then
}

// New returns the remote of a Gitea server whose options ParseOptions
// accepts.
func New(options map[string]any) (*Remote, error) {
	return remotekit.Build(options, ParseOptions, NewWithOptions)
}

// NewWithOptions returns the remote for options ParseOptions returned.
func NewWithOptions(o Options) *Remote {
	r := &Remote{opts: o, pageSize: o.PageSize}
	login := remotekit.Endpoint{AuthPath: "/login/oauth/authorize", TokenPath: "/login/oauth/access_token"}
	r.Base = remotekit.NewBase(o.Options, remotekit.Host[*gt.Hook]{Name: name, Endpoint: login, Events: events, Webhooks: r.webhooks})
	return r
}

// client returns an API client acting with the user's token for one call.
func (r *Remote) client(ctx context.Context, creds core.Creds) (*gt.Client, error) {
	opts := []gt.ClientOption{
		gt.SetHTTPClient(r.HTTP()),
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
func split(slug string) (owner, repo string, err error) { return remotekit.Split(name, slug) }

// on returns the client and the parsed slug of a call on one repository.
func (r *Remote) on(ctx context.Context, creds core.Creds, slug string) (cl *gt.Client, owner, repo string, err error) {
	if owner, repo, err = split(slug); err == nil {
		cl, err = r.client(ctx, creds)
	}
	return cl, owner, repo, err
}

// mapErr turns an SDK error and its response into a coded error.
func mapErr(ctx context.Context, op string, resp *gt.Response, err error) error {
	if err == nil {
		return nil
	}
	if err := remotekit.Canceled(ctx, name, op); err != nil {
		return err
	}
	if resp == nil || resp.Response == nil {
		var nerr net.Error
		var uerr *url.Error
		if errors.As(err, &nerr) || errors.As(err, &uerr) {
			return core.Errorf(core.CodeUnavailable, "gitea %s: %w", op, err)
		}
		return fmt.Errorf("gitea %s: %w", op, err)
	}
	return remotekit.StatusErr(name, op, resp.StatusCode, remotekit.RetryAfter(resp.Header), err)
}

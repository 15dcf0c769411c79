package remote

import (
	"context"
	"encoding/json"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/internal/grpcerr"
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
	"google.golang.org/grpc"
)

var (
	_ core.RemoteLogin = (*Client)(nil)
	_ core.RemoteRepos = (*Client)(nil)
	_ core.RemoteHooks = (*Client)(nil)
)

// Client is the host's side of a remote plugin: a core.Remote whose calls
// cross gRPC. Safe for concurrent use.
type Client struct {
	plugin *plugintransport.PluginClient
	c      pluginpb.RemoteClient
}

// NewClient returns a remote client on a connection to a plugin.
func NewClient(cc grpc.ClientConnInterface) *Client {
	return &Client{plugin: plugintransport.NewPluginClient(cc), c: pluginpb.NewRemoteClient(cc)}
}

// Configure hands the remote its instance's options.
func (c *Client) Configure(ctx context.Context, options map[string]any) error {
	return c.plugin.Configure(ctx, options)
}

// PluginInfo asks the plugin what it is.
func (c *Client) PluginInfo(ctx context.Context) (Info, error) {
	i, err := c.plugin.Info(ctx)
	return Info{Name: i.Name, Version: i.Version, Capabilities: i.Capabilities}, err
}

func decode[T any](r *pluginpb.JSONResponse, err error) (*T, error) {
	if err != nil {
		return nil, grpcerr.FromStatus(err)
	}
	return fromJSON[T](r)
}

func creds(r *pluginpb.CredsMessage, err error) (core.Creds, error) {
	if err != nil {
		return core.Creds{}, grpcerr.FromStatus(err)
	}
	return credsFromPB(r), nil
}

// AuthURL implements core.RemoteLogin.
func (c *Client) AuthURL(ctx context.Context, state, redirect string) (string, error) {
	r, err := c.c.AuthURL(ctx, &pluginpb.AuthURLRequest{State: state, Redirect: redirect})
	if err != nil {
		return "", grpcerr.FromStatus(err)
	}
	return r.Value, nil
}

// Exchange implements core.RemoteLogin.
func (c *Client) Exchange(ctx context.Context, code, redirect string) (core.Creds, error) {
	return creds(c.c.Exchange(ctx, &pluginpb.ExchangeRequest{Code: code, Redirect: redirect}))
}

// Refresh implements core.RemoteLogin.
func (c *Client) Refresh(ctx context.Context, cr core.Creds) (core.Creds, error) {
	return creds(c.c.Refresh(ctx, credsToPB(cr)))
}

// User implements core.RemoteLogin.
func (c *Client) User(ctx context.Context, cr core.Creds) (*core.RemoteUser, error) {
	return decode[core.RemoteUser](c.c.User(ctx, credsToPB(cr)))
}

// Repos implements core.RemoteRepos.
func (c *Client) Repos(ctx context.Context, cr core.Creds, page core.Page) (*core.RepoPage, error) {
	return decode[core.RepoPage](c.c.Repos(ctx, &pluginpb.ReposRequest{Creds: credsToPB(cr), Page: int32(page.Page), Size: int32(page.Size)}))
}

// Repo implements core.RemoteRepos.
func (c *Client) Repo(ctx context.Context, cr core.Creds, slug string) (*core.RemoteRepo, error) {
	return decode[core.RemoteRepo](c.c.Repo(ctx, &pluginpb.RepoRequest{Creds: credsToPB(cr), Slug: slug}))
}

// Ref implements core.RemoteRepos.
func (c *Client) Ref(ctx context.Context, cr core.Creds, slug, ref string) (*core.Commit, error) {
	return decode[core.Commit](c.c.Ref(ctx, &pluginpb.RefRequest{Creds: credsToPB(cr), Slug: slug, Ref: ref}))
}

// File implements core.RemoteRepos.
func (c *Client) File(ctx context.Context, cr core.Creds, slug, sha, path string) ([]byte, error) {
	r, err := c.c.File(ctx, &pluginpb.FileRequest{Creds: credsToPB(cr), Slug: slug, Sha: sha, Path: path})
	if err != nil {
		return nil, grpcerr.FromStatus(err)
	}
	return r.Data, nil
}

// Netrc implements core.RemoteRepos.
func (c *Client) Netrc(ctx context.Context, cr core.Creds, slug string) (*core.Netrc, error) {
	return decode[core.Netrc](c.c.Netrc(ctx, &pluginpb.RepoRequest{Creds: credsToPB(cr), Slug: slug}))
}

// Activate implements core.RemoteHooks.
func (c *Client) Activate(ctx context.Context, cr core.Creds, slug, url, secret string) error {
	_, err := c.c.Activate(ctx, &pluginpb.ActivateRequest{Creds: credsToPB(cr), Slug: slug, Url: url, Secret: secret})
	return grpcerr.FromStatus(err)
}

// Deactivate implements core.RemoteHooks.
func (c *Client) Deactivate(ctx context.Context, cr core.Creds, slug, url string) error {
	_, err := c.c.Deactivate(ctx, &pluginpb.ActivateRequest{Creds: credsToPB(cr), Slug: slug, Url: url})
	return grpcerr.FromStatus(err)
}

// ParseHook implements core.RemoteHooks.
func (c *Client) ParseHook(ctx context.Context, req *core.HookRequest) (*core.Event, error) {
	return decode[core.Event](c.c.ParseHook(ctx, &pluginpb.HookRequest{Headers: headersToPB(req.Headers), Body: req.Body}))
}

// VerifyHook implements core.RemoteHooks.
func (c *Client) VerifyHook(ctx context.Context, req *core.HookRequest, secret string) error {
	_, err := c.c.VerifyHook(ctx, &pluginpb.HookRequest{Headers: headersToPB(req.Headers), Body: req.Body, Secret: secret})
	return grpcerr.FromStatus(err)
}

// Status implements core.RemoteHooks.
func (c *Client) Status(ctx context.Context, cr core.Creds, slug string, status *core.CommitStatus) error {
	b, err := json.Marshal(status)
	if err != nil {
		return core.Errorf(core.CodeInvalid, "status: %v", err)
	}
	_, err = c.c.Status(ctx, &pluginpb.StatusRequest{Creds: credsToPB(cr), Slug: slug, StatusJson: b})
	return grpcerr.FromStatus(err)
}

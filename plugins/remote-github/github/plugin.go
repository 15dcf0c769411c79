package github

import (
	"context"
	"sync/atomic"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote"
)

// Version is the plugin's version.
const Version = "0.1.0"

// Plugin is the remote as its plugin process serves it: it answers
// ErrUnavailable until Configure receives valid instance options, and
// Configure may run again (after a host restart) to replace them.
type Plugin struct {
	cur atomic.Pointer[Remote]
}

var (
	_ core.Remote       = (*Plugin)(nil)
	_ remote.Configurer = (*Plugin)(nil)
	_ remote.Describer  = (*Plugin)(nil)
)

// NewPlugin returns an unconfigured plugin.
func NewPlugin() *Plugin { return &Plugin{} }

// Configure validates the instance options (see ParseOptions) and starts
// using them; invalid options are ErrInvalid and keep the previous ones.
func (p *Plugin) Configure(_ context.Context, options map[string]any) error {
	r, err := New(options)
	if err != nil {
		return err
	}
	p.cur.Store(r)
	return nil
}

// PluginInfo names the plugin.
func (p *Plugin) PluginInfo() remote.Info {
	return remote.Info{Name: "github", Version: Version}
}

func (p *Plugin) get() (*Remote, error) {
	if r := p.cur.Load(); r != nil {
		return r, nil
	}
	return nil, core.Errorf(core.CodeUnavailable, "github: the remote is not configured yet")
}

// AuthURL calls the configured remote's AuthURL.
func (p *Plugin) AuthURL(ctx context.Context, state, redirect string) (string, error) {
	r, err := p.get()
	if err != nil {
		return "", err
	}
	return r.AuthURL(ctx, state, redirect)
}

// Exchange calls the configured remote's Exchange.
func (p *Plugin) Exchange(ctx context.Context, code, redirect string) (core.Creds, error) {
	r, err := p.get()
	if err != nil {
		return core.Creds{}, err
	}
	return r.Exchange(ctx, code, redirect)
}

// Refresh calls the configured remote's Refresh.
func (p *Plugin) Refresh(ctx context.Context, creds core.Creds) (core.Creds, error) {
	r, err := p.get()
	if err != nil {
		return core.Creds{}, err
	}
	return r.Refresh(ctx, creds)
}

// User calls the configured remote's User.
func (p *Plugin) User(ctx context.Context, creds core.Creds) (*core.RemoteUser, error) {
	r, err := p.get()
	if err != nil {
		return nil, err
	}
	return r.User(ctx, creds)
}

// Repos calls the configured remote's Repos.
func (p *Plugin) Repos(ctx context.Context, creds core.Creds, page core.Page) (*core.RepoPage, error) {
	r, err := p.get()
	if err != nil {
		return nil, err
	}
	return r.Repos(ctx, creds, page)
}

// Repo calls the configured remote's Repo.
func (p *Plugin) Repo(ctx context.Context, creds core.Creds, slug string) (*core.RemoteRepo, error) {
	r, err := p.get()
	if err != nil {
		return nil, err
	}
	return r.Repo(ctx, creds, slug)
}

// Ref calls the configured remote's Ref.
func (p *Plugin) Ref(ctx context.Context, creds core.Creds, slug, ref string) (*core.Commit, error) {
	r, err := p.get()
	if err != nil {
		return nil, err
	}
	return r.Ref(ctx, creds, slug, ref)
}

// File calls the configured remote's File.
func (p *Plugin) File(ctx context.Context, creds core.Creds, slug, sha, path string) ([]byte, error) {
	r, err := p.get()
	if err != nil {
		return nil, err
	}
	return r.File(ctx, creds, slug, sha, path)
}

// Netrc calls the configured remote's Netrc.
func (p *Plugin) Netrc(ctx context.Context, creds core.Creds, slug string) (*core.Netrc, error) {
	r, err := p.get()
	if err != nil {
		return nil, err
	}
	return r.Netrc(ctx, creds, slug)
}

// Activate calls the configured remote's Activate.
func (p *Plugin) Activate(ctx context.Context, creds core.Creds, slug, url, secret string) error {
	r, err := p.get()
	if err != nil {
		return err
	}
	return r.Activate(ctx, creds, slug, url, secret)
}

// Deactivate calls the configured remote's Deactivate.
func (p *Plugin) Deactivate(ctx context.Context, creds core.Creds, slug, url string) error {
	r, err := p.get()
	if err != nil {
		return err
	}
	return r.Deactivate(ctx, creds, slug, url)
}

// ParseHook calls the configured remote's ParseHook.
func (p *Plugin) ParseHook(ctx context.Context, req *core.HookRequest) (*core.Event, error) {
	r, err := p.get()
	if err != nil {
		return nil, err
	}
	return r.ParseHook(ctx, req)
}

// VerifyHook calls the configured remote's VerifyHook.
func (p *Plugin) VerifyHook(ctx context.Context, req *core.HookRequest, secret string) error {
	r, err := p.get()
	if err != nil {
		return err
	}
	return r.VerifyHook(ctx, req, secret)
}

// Status calls the configured remote's Status.
func (p *Plugin) Status(ctx context.Context, creds core.Creds, slug string, status *core.CommitStatus) error {
	r, err := p.get()
	if err != nil {
		return err
	}
	return r.Status(ctx, creds, slug, status)
}

package remote

import (
	"context"
	"sync/atomic"

	"github.com/drover-ci/drover/core"
)

// Unconfigured serves a remote that a plugin builds from its instance
// options, and that is unavailable until the host configures it: the
// plugin starts unconfigured, every call answers ErrUnavailable until
// Configure has built the remote from valid options, and a later Configure
// (after a host restart) replaces it. A plugin's whole main can be
// remote.Serve(remote.NewUnconfigured("name", version, New)).
type Unconfigured struct {
	info  Info
	build func(options map[string]any) (core.Remote, error)
	cur   atomic.Pointer[core.Remote]
}

var (
	_ core.RemoteLogin = (*Unconfigured)(nil)
	_ core.RemoteRepos = (*Unconfigured)(nil)
	_ core.RemoteHooks = (*Unconfigured)(nil)
	_ Configurer       = (*Unconfigured)(nil)
	_ Describer        = (*Unconfigured)(nil)
)

// NewUnconfigured returns an unconfigured remote named name that build
// makes from the instance options at each Configure; build validates them
// (ErrInvalid naming the key).
func NewUnconfigured[T interface {
	core.RemoteLogin
	core.RemoteRepos
	core.RemoteHooks
}](name, version string, build func(options map[string]any) (T, error)) *Unconfigured {
	return &Unconfigured{info: Info{Name: name, Version: version}, build: func(options map[string]any) (core.Remote, error) {
		r, err := build(options)
		if err != nil {
			return core.Remote{}, err
		}
		return core.RemoteOf(r), nil
	}}
}

// Configure builds the remote from the options; invalid options are an
// error and keep the previous remote.
func (u *Unconfigured) Configure(_ context.Context, options map[string]any) error {
	r, err := u.build(options)
	if err != nil {
		return err
	}
	u.cur.Store(&r)
	return nil
}

// PluginInfo names the plugin.
func (u *Unconfigured) PluginInfo() Info { return u.info }

func (u *Unconfigured) get() (core.Remote, error) {
	if r := u.cur.Load(); r != nil {
		return *r, nil
	}
	return core.Remote{}, core.Errorf(core.CodeUnavailable, "%s: the remote is not configured yet", u.info.Name)
}

// AuthURL implements core.RemoteLogin.
func (u *Unconfigured) AuthURL(ctx context.Context, state, redirect string) (string, error) {
	r, err := u.get()
	if err != nil {
		return "", err
	}
	return r.AuthURL(ctx, state, redirect)
}

// Exchange implements core.RemoteLogin.
func (u *Unconfigured) Exchange(ctx context.Context, code, redirect string) (core.Creds, error) {
	r, err := u.get()
	if err != nil {
		return core.Creds{}, err
	}
	return r.Exchange(ctx, code, redirect)
}

// Refresh implements core.RemoteLogin.
func (u *Unconfigured) Refresh(ctx context.Context, creds core.Creds) (core.Creds, error) {
	r, err := u.get()
	if err != nil {
		return core.Creds{}, err
	}
	return r.Refresh(ctx, creds)
}

// User implements core.RemoteLogin.
func (u *Unconfigured) User(ctx context.Context, creds core.Creds) (*core.RemoteUser, error) {
	r, err := u.get()
	if err != nil {
		return nil, err
	}
	return r.User(ctx, creds)
}

// Repos implements core.RemoteRepos.
func (u *Unconfigured) Repos(ctx context.Context, creds core.Creds, page core.Page) (*core.RepoPage, error) {
	r, err := u.get()
	if err != nil {
		return nil, err
	}
	return r.Repos(ctx, creds, page)
}

// Repo implements core.RemoteRepos.
func (u *Unconfigured) Repo(ctx context.Context, creds core.Creds, slug string) (*core.RemoteRepo, error) {
	r, err := u.get()
	if err != nil {
		return nil, err
	}
	return r.Repo(ctx, creds, slug)
}

// Ref implements core.RemoteRepos.
func (u *Unconfigured) Ref(ctx context.Context, creds core.Creds, slug, ref string) (*core.Commit, error) {
	r, err := u.get()
	if err != nil {
		return nil, err
	}
	return r.Ref(ctx, creds, slug, ref)
}

// File implements core.RemoteRepos.
func (u *Unconfigured) File(ctx context.Context, creds core.Creds, slug, sha, path string) ([]byte, error) {
	r, err := u.get()
	if err != nil {
		return nil, err
	}
	return r.File(ctx, creds, slug, sha, path)
}

// Netrc implements core.RemoteRepos.
func (u *Unconfigured) Netrc(ctx context.Context, creds core.Creds, slug string) (*core.Netrc, error) {
	r, err := u.get()
	if err != nil {
		return nil, err
	}
	return r.Netrc(ctx, creds, slug)
}

// Activate implements core.RemoteHooks.
func (u *Unconfigured) Activate(ctx context.Context, creds core.Creds, slug, url, secret string) error {
	r, err := u.get()
	if err != nil {
		return err
	}
	return r.Activate(ctx, creds, slug, url, secret)
}

// Deactivate implements core.RemoteHooks.
func (u *Unconfigured) Deactivate(ctx context.Context, creds core.Creds, slug, url string) error {
	r, err := u.get()
	if err != nil {
		return err
	}
	return r.Deactivate(ctx, creds, slug, url)
}

// ParseHook implements core.RemoteHooks.
func (u *Unconfigured) ParseHook(ctx context.Context, req *core.HookRequest) (*core.Event, error) {
	r, err := u.get()
	if err != nil {
		return nil, err
	}
	return r.ParseHook(ctx, req)
}

// VerifyHook implements core.RemoteHooks.
func (u *Unconfigured) VerifyHook(ctx context.Context, req *core.HookRequest, secret string) error {
	r, err := u.get()
	if err != nil {
		return err
	}
	return r.VerifyHook(ctx, req, secret)
}

// Status implements core.RemoteHooks.
func (u *Unconfigured) Status(ctx context.Context, creds core.Creds, slug string, status *core.CommitStatus) error {
	r, err := u.get()
	if err != nil {
		return err
	}
	return r.Status(ctx, creds, slug, status)
}

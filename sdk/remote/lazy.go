package remote

import (
	"context"
	"sync/atomic"

	"github.com/drover-ci/drover/core"
)

// Lazy is a remote as its plugin process serves it before and after its
// instance options arrive: every call answers ErrUnavailable until
// Configure has built the remote from valid options, and a later Configure
// (after a host restart) replaces it. A plugin's whole main can be
// remote.Serve(remote.NewLazy("name", version, New)).
type Lazy struct {
	info  Info
	build func(options map[string]any) (core.Remote, error)
	cur   atomic.Pointer[core.Remote]
}

var (
	_ core.Remote = (*Lazy)(nil)
	_ Configurer  = (*Lazy)(nil)
	_ Describer   = (*Lazy)(nil)
)

// NewLazy returns an unconfigured remote named name that build makes from
// the instance options; build validates them (ErrInvalid naming the key).
func NewLazy(name, version string, build func(options map[string]any) (core.Remote, error)) *Lazy {
	return &Lazy{info: Info{Name: name, Version: version}, build: build}
}

// Configure builds the remote from the options; invalid options are an
// error and keep the previous remote.
func (l *Lazy) Configure(_ context.Context, options map[string]any) error {
	r, err := l.build(options)
	if err != nil {
		return err
	}
	l.cur.Store(&r)
	return nil
}

// PluginInfo names the plugin.
func (l *Lazy) PluginInfo() Info { return l.info }

func (l *Lazy) get() (core.Remote, error) {
	if r := l.cur.Load(); r != nil {
		return *r, nil
	}
	return nil, core.Errorf(core.CodeUnavailable, "%s: the remote is not configured yet", l.info.Name)
}

// AuthURL implements core.RemoteLogin.
func (l *Lazy) AuthURL(ctx context.Context, state, redirect string) (string, error) {
	r, err := l.get()
	if err != nil {
		return "", err
	}
	return r.AuthURL(ctx, state, redirect)
}

// Exchange implements core.RemoteLogin.
func (l *Lazy) Exchange(ctx context.Context, code, redirect string) (core.Creds, error) {
	r, err := l.get()
	if err != nil {
		return core.Creds{}, err
	}
	return r.Exchange(ctx, code, redirect)
}

// Refresh implements core.RemoteLogin.
func (l *Lazy) Refresh(ctx context.Context, creds core.Creds) (core.Creds, error) {
	r, err := l.get()
	if err != nil {
		return core.Creds{}, err
	}
	return r.Refresh(ctx, creds)
}

// User implements core.RemoteLogin.
func (l *Lazy) User(ctx context.Context, creds core.Creds) (*core.RemoteUser, error) {
	r, err := l.get()
	if err != nil {
		return nil, err
	}
	return r.User(ctx, creds)
}

// Repos implements core.RemoteRepos.
func (l *Lazy) Repos(ctx context.Context, creds core.Creds, page core.Page) (*core.RepoPage, error) {
	r, err := l.get()
	if err != nil {
		return nil, err
	}
	return r.Repos(ctx, creds, page)
}

// Repo implements core.RemoteRepos.
func (l *Lazy) Repo(ctx context.Context, creds core.Creds, slug string) (*core.RemoteRepo, error) {
	r, err := l.get()
	if err != nil {
		return nil, err
	}
	return r.Repo(ctx, creds, slug)
}

// Ref implements core.RemoteRepos.
func (l *Lazy) Ref(ctx context.Context, creds core.Creds, slug, ref string) (*core.Commit, error) {
	r, err := l.get()
	if err != nil {
		return nil, err
	}
	return r.Ref(ctx, creds, slug, ref)
}

// File implements core.RemoteRepos.
func (l *Lazy) File(ctx context.Context, creds core.Creds, slug, sha, path string) ([]byte, error) {
	r, err := l.get()
	if err != nil {
		return nil, err
	}
	return r.File(ctx, creds, slug, sha, path)
}

// Netrc implements core.RemoteRepos.
func (l *Lazy) Netrc(ctx context.Context, creds core.Creds, slug string) (*core.Netrc, error) {
	r, err := l.get()
	if err != nil {
		return nil, err
	}
	return r.Netrc(ctx, creds, slug)
}

// Activate implements core.RemoteHooks.
func (l *Lazy) Activate(ctx context.Context, creds core.Creds, slug, url, secret string) error {
	r, err := l.get()
	if err != nil {
		return err
	}
	return r.Activate(ctx, creds, slug, url, secret)
}

// Deactivate implements core.RemoteHooks.
func (l *Lazy) Deactivate(ctx context.Context, creds core.Creds, slug, url string) error {
	r, err := l.get()
	if err != nil {
		return err
	}
	return r.Deactivate(ctx, creds, slug, url)
}

// ParseHook implements core.RemoteHooks.
func (l *Lazy) ParseHook(ctx context.Context, req *core.HookRequest) (*core.Event, error) {
	r, err := l.get()
	if err != nil {
		return nil, err
	}
	return r.ParseHook(ctx, req)
}

// VerifyHook implements core.RemoteHooks.
func (l *Lazy) VerifyHook(ctx context.Context, req *core.HookRequest, secret string) error {
	r, err := l.get()
	if err != nil {
		return err
	}
	return r.VerifyHook(ctx, req, secret)
}

// Status implements core.RemoteHooks.
func (l *Lazy) Status(ctx context.Context, creds core.Creds, slug string, status *core.CommitStatus) error {
	r, err := l.get()
	if err != nil {
		return err
	}
	return r.Status(ctx, creds, slug, status)
}

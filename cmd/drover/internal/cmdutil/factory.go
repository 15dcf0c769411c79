package cmdutil

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/cli/browser"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/config"
)

// Factory gives commands what they need: streams, the environment, the
// configuration and an API client. Tests build one around in-memory
// streams and a configuration file of their own.
type Factory struct {
	IO      *IO
	Getenv  func(string) string
	Version string       // this command's version
	HTTP    *http.Client // nil: http.DefaultClient
	// ConfigPath is the configuration file; empty: config.DefaultPath.
	ConfigPath string
	// Remote is the global --remote flag: the remote of the repositories named.
	Remote string
	// Sleep waits between polls (watch, sync); nil: time.Sleep under ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Browser opens a page in the user's browser (drover login --web);
	// nil: the system's browser.
	Browser func(url string) error
}

// OpenBrowser opens url in the browser (Browser, or the system's).
func (f *Factory) OpenBrowser(url string) error {
	if f.Browser != nil {
		return f.Browser(url)
	}
	browser.Stdout, browser.Stderr = f.IO.Err, f.IO.Err // the opener's chatter is no output
	return browser.OpenURL(url)
}

// Config loads the configuration file and returns it with its path.
func (f *Factory) Config() (*config.File, string, error) {
	path := f.ConfigPath
	if path == "" {
		p, err := config.DefaultPath(f.Getenv)
		if err != nil {
			return nil, "", err
		}
		path = p
	}
	cfg, err := config.Load(path)
	return cfg, path, err
}

// Target is the server and token commands use.
func (f *Factory) Target() (config.Target, error) {
	cfg, _, err := f.Config()
	if err != nil {
		return config.Target{}, err
	}
	t := cfg.Resolve(f.Getenv)
	if t.Server == "" {
		return t, fmt.Errorf("no server: run drover login SERVER, or set DROVER_SERVER and DROVER_TOKEN")
	}
	return t, nil
}

// Client is an API client of the target server.
func (f *Factory) Client() (*client.Client, error) {
	t, err := f.Target()
	if err != nil {
		return nil, err
	}
	return client.New(client.Options{Server: t.Server, Token: t.Token, Remote: f.Remote, HTTP: f.HTTP})
}

// Wait sleeps d, or less when ctx ends (then its error).
func (f *Factory) Wait(ctx context.Context, d time.Duration) error {
	if f.Sleep != nil {
		return f.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

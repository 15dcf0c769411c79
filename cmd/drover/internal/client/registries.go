package client

import (
	"context"
	"net/http"

	"github.com/drover-ci/drover/core"
)

// Registries are the registry credential routes of repositories and
// owners. Passwords are write-only: no answer carries one.
type Registries struct{ c *Client }

// RegistryChange creates (Address, Username and Password needed) or
// changes a registry credential; nil fields are kept.
type RegistryChange struct {
	Address  string  `json:"address,omitempty"` // host[:port], e.g. ghcr.io
	Username *string `json:"username,omitempty"`
	Password *string `json:"password,omitempty"`
}

// List returns the scope's registries (limit 0: all).
func (s *Registries) List(ctx context.Context, sc Scope, limit int) ([]*core.Registry, error) {
	p, q := sc.base(s.c, "registries")
	return list[*core.Registry](ctx, s.c, p, q, limit)
}

// Get returns a registry credential without its password.
func (s *Registries) Get(ctx context.Context, sc Scope, address string) (*core.Registry, error) {
	return s.do(ctx, http.MethodGet, sc, address, nil)
}

// Add creates a registry credential.
func (s *Registries) Add(ctx context.Context, sc Scope, ch RegistryChange) (*core.Registry, error) {
	return s.do(ctx, http.MethodPost, sc, "", ch)
}

// Update changes a registry credential.
func (s *Registries) Update(ctx context.Context, sc Scope, address string, ch RegistryChange) (*core.Registry, error) {
	return s.do(ctx, http.MethodPatch, sc, address, ch)
}

// Remove deletes a registry credential.
func (s *Registries) Remove(ctx context.Context, sc Scope, address string) error {
	p, q := sc.base(s.c, "registries")
	return s.c.call(ctx, request{method: http.MethodDelete, path: p + "/" + esc(address), query: q}, nil)
}

func (s *Registries) do(ctx context.Context, method string, sc Scope, address string, body any) (*core.Registry, error) {
	p, q := sc.base(s.c, "registries")
	if address != "" {
		p += "/" + esc(address)
	}
	var out core.Registry
	return &out, s.c.call(ctx, request{method: method, path: p, query: q, body: body}, &out)
}

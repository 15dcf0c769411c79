package client

import (
	"context"
	"net/http"

	"github.com/drover-ci/drover/core"
)

// Secrets are the secret routes of repositories and owners. Values are
// write-only: no answer carries one.
type Secrets struct{ c *Client }

// SecretChange creates (Name and Value needed) or changes a secret; nil
// fields are kept.
type SecretChange struct {
	Name   string   `json:"name,omitempty"`
	Value  *string  `json:"value,omitempty"`
	Events []string `json:"events,omitempty"` // push, tag, pull_request, custom, cron, promote
	Fork   *bool    `json:"fork,omitempty"`   // forks' pull requests may use it
}

// List returns the scope's secrets (limit 0: all).
func (s *Secrets) List(ctx context.Context, sc Scope, limit int) ([]*core.Secret, error) {
	p, q := sc.base(s.c, "secrets")
	return list[*core.Secret](ctx, s.c, p, q, limit)
}

// Get returns a secret without its value.
func (s *Secrets) Get(ctx context.Context, sc Scope, name string) (*core.Secret, error) {
	return s.do(ctx, http.MethodGet, sc, name, nil)
}

// Add creates a secret.
func (s *Secrets) Add(ctx context.Context, sc Scope, ch SecretChange) (*core.Secret, error) {
	return s.do(ctx, http.MethodPost, sc, "", ch)
}

// Update changes a secret.
func (s *Secrets) Update(ctx context.Context, sc Scope, name string, ch SecretChange) (*core.Secret, error) {
	return s.do(ctx, http.MethodPatch, sc, name, ch)
}

// Remove deletes a secret.
func (s *Secrets) Remove(ctx context.Context, sc Scope, name string) error {
	p, q := sc.base(s.c, "secrets")
	return s.c.call(ctx, request{method: http.MethodDelete, path: p + "/" + esc(name), query: q}, nil)
}

func (s *Secrets) do(ctx context.Context, method string, sc Scope, name string, body any) (*core.Secret, error) {
	p, q := sc.base(s.c, "secrets")
	if name != "" {
		p += "/" + esc(name)
	}
	var out core.Secret
	return &out, s.c.call(ctx, request{method: method, path: p, query: q, body: body}, &out)
}

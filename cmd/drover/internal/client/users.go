package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/drover-ci/drover/core"
)

// Users are the user routes of system admins.
type Users struct{ c *Client }

// MachineUser creates a user who logs in with API tokens only.
type MachineUser struct {
	Login     string `json:"login"`
	Email     string `json:"email,omitempty"`
	Admin     bool   `json:"admin,omitempty"`
	TokenName string `json:"token_name,omitempty"`
	ExpiresIn string `json:"expires_in,omitempty"`
}

// CreatedUser is a new machine user with its first token; Token is the
// only time the secret is shown.
type CreatedUser struct {
	User      *core.User  `json:"user"`
	TokenInfo *core.Token `json:"token_info"`
	Token     string      `json:"token"`
}

// UserChange blocks or unblocks a user, or gives or takes admin rights.
type UserChange struct {
	Admin   *bool `json:"admin,omitempty"`
	Blocked *bool `json:"blocked,omitempty"`
}

// Plugin is a plugin instance and its state.
type Plugin struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Plugin    string    `json:"plugin"`
	Path      string    `json:"path,omitempty"`
	InProcess bool      `json:"in_process,omitempty"`
	Version   string    `json:"version,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	State     string    `json:"state"`
	PID       int       `json:"pid,omitempty"`
	Restarts  int       `json:"restarts"`
	LastError string    `json:"last_error,omitempty"`
	Since     time.Time `json:"since"`
}

// Self returns the user the token belongs to.
func (c *Client) Self(ctx context.Context) (*core.User, error) {
	var out core.User
	return &out, c.get(ctx, "/api/user", nil, &out)
}

// Version returns the server's version.
func (c *Client) Version(ctx context.Context) (string, error) {
	var out struct {
		Version string `json:"version"`
	}
	return out.Version, c.get(ctx, "/version", nil, &out)
}

// Plugins returns the plugin instances.
func (c *Client) Plugins(ctx context.Context) ([]*Plugin, error) {
	out := []*Plugin{}
	return out, c.get(ctx, "/api/plugins", nil, &out)
}

// List returns the users (limit 0: all).
func (s *Users) List(ctx context.Context, limit int) ([]*core.User, error) {
	return list[*core.User](ctx, s.c, "/api/users", nil, limit)
}

// Get returns a user; remote names the remote when several have the login.
func (s *Users) Get(ctx context.Context, login, remote string) (*core.User, error) {
	var out core.User
	return &out, s.c.get(ctx, userPath(login), userQuery(remote), &out)
}

// Add creates a machine user with its first token.
func (s *Users) Add(ctx context.Context, u MachineUser) (*CreatedUser, error) {
	var out CreatedUser
	return &out, s.c.call(ctx, request{method: http.MethodPost, path: "/api/users", body: u}, &out)
}

// Update changes a user.
func (s *Users) Update(ctx context.Context, login, remote string, ch UserChange) (*core.User, error) {
	var out core.User
	return &out, s.c.call(ctx, request{method: http.MethodPatch, path: userPath(login), query: userQuery(remote), body: ch}, &out)
}

// Remove deletes a user with their tokens, sessions and permissions.
func (s *Users) Remove(ctx context.Context, login, remote string) error {
	return s.c.call(ctx, request{method: http.MethodDelete, path: userPath(login), query: userQuery(remote)}, nil)
}

func userPath(login string) string { return "/api/users/" + esc(login) }

func userQuery(remote string) url.Values {
	q := url.Values{}
	if remote != "" {
		q.Set("remote", remote)
	}
	return q
}

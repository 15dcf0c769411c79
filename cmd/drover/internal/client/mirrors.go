package client

import (
	"context"
	"net/http"
	"strconv"

	"github.com/drover-ci/drover/core"
)

// Mirrors are the mirror routes: git repositories Drover fetches itself,
// without a webhook. Credentials are write-only: no answer carries one.
type Mirrors struct{ c *Client }

// MirrorChange adds (URL needed) or changes a mirror; nil fields are kept.
type MirrorChange struct {
	URL        string    `json:"url,omitempty"`
	Repo       string    `json:"repo,omitempty"` // owner/name; when adding only (default: from the URL)
	Username   *string   `json:"username,omitempty"`
	Credential *string   `json:"credential,omitempty"` // a token or an SSH private key; "" removes it
	Branches   *[]string `json:"branches,omitempty"`   // glob patterns; empty: every branch
	Interval   *int      `json:"interval,omitempty"`   // seconds
	ConfigPath *string   `json:"config_path,omitempty"`
	Private    *bool     `json:"private,omitempty"`
}

// List returns the mirrors the caller may read (limit 0: all).
func (s *Mirrors) List(ctx context.Context, limit int) ([]*core.Mirror, error) {
	return list[*core.Mirror](ctx, s.c, "/api/mirrors", nil, limit)
}

// Get returns a mirror.
func (s *Mirrors) Get(ctx context.Context, id int64) (*core.Mirror, error) {
	return s.do(ctx, http.MethodGet, id, "", nil)
}

// Add starts watching a repository.
func (s *Mirrors) Add(ctx context.Context, ch MirrorChange) (*core.Mirror, error) {
	var out core.Mirror
	return &out, s.c.call(ctx, request{method: http.MethodPost, path: "/api/mirrors", body: ch}, &out)
}

// Update changes a mirror.
func (s *Mirrors) Update(ctx context.Context, id int64, ch MirrorChange) (*core.Mirror, error) {
	return s.do(ctx, http.MethodPatch, id, "", ch)
}

// Remove stops watching; the repository and its builds stay.
func (s *Mirrors) Remove(ctx context.Context, id int64) error {
	return s.c.call(ctx, request{method: http.MethodDelete, path: mirrorPath(id, "")}, nil)
}

// Fetch asks for an update now; too soon again is an *Error of status
// 429 with its RetryAfter.
func (s *Mirrors) Fetch(ctx context.Context, id int64) (*core.Mirror, error) {
	return s.do(ctx, http.MethodPost, id, "/fetch", nil)
}

// Resume resumes a mirror paused after failed fetches.
func (s *Mirrors) Resume(ctx context.Context, id int64) (*core.Mirror, error) {
	return s.do(ctx, http.MethodPost, id, "/resume", nil)
}

func (s *Mirrors) do(ctx context.Context, method string, id int64, suffix string, body any) (*core.Mirror, error) {
	var out core.Mirror
	return &out, s.c.call(ctx, request{method: method, path: mirrorPath(id, suffix), body: body}, &out)
}

func mirrorPath(id int64, suffix string) string {
	return "/api/mirrors/" + strconv.FormatInt(id, 10) + suffix
}

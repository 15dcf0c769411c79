package client

import (
	"context"
	"net/http"
	"time"

	"github.com/drover-ci/drover/core"
)

// Crons are a repository's schedules.
type Crons struct{ c *Client }

// Cron is a schedule with its next three runs.
type Cron struct {
	ID       int64       `json:"id"`
	Name     string      `json:"name"`
	Expr     string      `json:"expr"`
	Branch   string      `json:"branch"`
	Enabled  bool        `json:"enabled"`
	Next     time.Time   `json:"next"`
	NextRuns []time.Time `json:"next_runs"`
	Created  time.Time   `json:"created"`
	Updated  time.Time   `json:"updated"`
}

// CronChange creates (Name and Expr needed) or changes a schedule; nil
// fields are kept.
type CronChange struct {
	Name    string  `json:"name,omitempty"`
	Expr    *string `json:"expr,omitempty"`   // five fields, or @daily, @every 90m, ...
	Branch  *string `json:"branch,omitempty"` // empty: the default branch
	Enabled *bool   `json:"enabled,omitempty"`
}

// List returns the repository's schedules (limit 0: all).
func (s *Crons) List(ctx context.Context, r Ref, limit int) ([]*Cron, error) {
	return list[*Cron](ctx, s.c, r.path()+"/cron", s.c.repoQuery(), limit)
}

// Get returns a schedule.
func (s *Crons) Get(ctx context.Context, r Ref, name string) (*Cron, error) {
	return s.do(ctx, http.MethodGet, r, name, nil)
}

// Add creates a schedule.
func (s *Crons) Add(ctx context.Context, r Ref, ch CronChange) (*Cron, error) {
	return s.do(ctx, http.MethodPost, r, "", ch)
}

// Update changes a schedule.
func (s *Crons) Update(ctx context.Context, r Ref, name string, ch CronChange) (*Cron, error) {
	return s.do(ctx, http.MethodPatch, r, name, ch)
}

// Remove deletes a schedule.
func (s *Crons) Remove(ctx context.Context, r Ref, name string) error {
	return s.c.call(ctx, request{method: http.MethodDelete, path: r.path() + "/cron/" + esc(name), query: s.c.repoQuery()}, nil)
}

// Run starts a cron build of the schedule's branch now.
func (s *Crons) Run(ctx context.Context, r Ref, name string) (*core.Build, error) {
	var out core.Build
	return &out, s.c.call(ctx, request{method: http.MethodPost, path: r.path() + "/cron/" + esc(name), query: s.c.repoQuery()}, &out)
}

func (s *Crons) do(ctx context.Context, method string, r Ref, name string, body any) (*Cron, error) {
	p := r.path() + "/cron"
	if name != "" {
		p += "/" + esc(name)
	}
	var out Cron
	return &out, s.c.call(ctx, request{method: method, path: p, query: s.c.repoQuery(), body: body}, &out)
}

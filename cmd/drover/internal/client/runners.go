package client

import (
	"context"
	"net/http"
	"strconv"

	"github.com/drover-ci/drover/core"
)

// Runners are the runner routes (system admin).
type Runners struct{ c *Client }

// Runner is a runner with its status (online, busy, paused, offline) and
// the stages it runs.
type Runner struct {
	core.Runner
	Status  string               `json:"status"`
	Paused  bool                 `json:"paused"`
	Running []*core.RunningStage `json:"running"`
}

// RunnerToken is a registration token; Token, its secret, is set only in
// the answer that created it.
type RunnerToken struct {
	core.RunnerToken
	Token string `json:"token,omitempty"`
}

// TokenRequest creates a registration token: Note, MaxUses (0: any) and
// ExpiresIn (a duration such as 24h; empty: never).
type TokenRequest struct {
	Note      string `json:"note,omitempty"`
	MaxUses   int    `json:"max_uses,omitempty"`
	ExpiresIn string `json:"expires_in,omitempty"`
}

func runnerPath(id int64) string { return "/api/runners/" + strconv.FormatInt(id, 10) }

// List returns the runners (limit 0: all).
func (s *Runners) List(ctx context.Context, limit int) ([]*Runner, error) {
	return list[*Runner](ctx, s.c, "/api/runners", nil, limit)
}

// Get returns a runner.
func (s *Runners) Get(ctx context.Context, id int64) (*Runner, error) {
	var out Runner
	return &out, s.c.get(ctx, runnerPath(id), nil, &out)
}

// Pause stops the runner taking new stages; Resume undoes it.
func (s *Runners) Pause(ctx context.Context, id int64) (*Runner, error) {
	var out Runner
	return &out, s.c.call(ctx, request{method: http.MethodPost, path: runnerPath(id) + "/pause"}, &out)
}

// Resume lets a paused runner take stages again.
func (s *Runners) Resume(ctx context.Context, id int64) (*Runner, error) {
	var out Runner
	return &out, s.c.call(ctx, request{method: http.MethodPost, path: runnerPath(id) + "/resume"}, &out)
}

// Remove revokes a runner; its running stages are requeued.
func (s *Runners) Remove(ctx context.Context, id int64) error {
	return s.c.call(ctx, request{method: http.MethodDelete, path: runnerPath(id)}, nil)
}

// Tokens returns the registration tokens (limit 0: all).
func (s *Runners) Tokens(ctx context.Context, limit int) ([]*RunnerToken, error) {
	return list[*RunnerToken](ctx, s.c, "/api/runners/tokens", nil, limit)
}

// CreateToken creates a registration token.
func (s *Runners) CreateToken(ctx context.Context, req TokenRequest) (*RunnerToken, error) {
	var out RunnerToken
	return &out, s.c.call(ctx, request{method: http.MethodPost, path: "/api/runners/tokens", body: req}, &out)
}

// RemoveToken deletes a registration token.
func (s *Runners) RemoveToken(ctx context.Context, id int64) error {
	return s.c.call(ctx, request{method: http.MethodDelete, path: "/api/runners/tokens/" + strconv.FormatInt(id, 10)}, nil)
}

package client

import (
	"context"
	"net/http"
	"strconv"

	"github.com/drover-ci/drover/core"
)

// Builds are the build routes of repositories.
type Builds struct{ c *Client }

// BuildView is a build with its stages and their steps.
type BuildView struct {
	core.Build
	Stages []*StageView `json:"stages"`
}

// StageView is a stage with its steps and, when no runner can take it,
// why (Unmatched).
type StageView struct {
	core.Stage
	Unmatched string `json:"unmatched,omitempty"`
}

// Started is the answer to starting a build: the build, or why the
// pipeline's conditions skipped it.
type Started struct {
	Build   *core.Build
	Skipped string
}

// BuildList selects builds; empty fields select all. Limit 0 is all.
type BuildList struct {
	Branch, Event, Status, Author string
	Limit                         int
}

func (r Ref) build(n int64) string { return r.path() + "/builds/" + strconv.FormatInt(n, 10) }

// List returns the repository's builds, newest first. The filters are
// applied here, to the pages read, as the server's list does not take
// them yet (api-builds adds ?branch=&event=&status=&author=).
func (s *Builds) List(ctx context.Context, r Ref, o BuildList) ([]*core.Build, error) {
	q := s.c.repoQuery()
	if o.Branch == "" && o.Event == "" && o.Status == "" && o.Author == "" {
		return list[*core.Build](ctx, s.c, r.path()+"/builds", q, o.Limit)
	}
	all, err := list[*core.Build](ctx, s.c, r.path()+"/builds", q, 0)
	if err != nil {
		return nil, err
	}
	out := []*core.Build{}
	for _, b := range all {
		if (o.Branch == "" || b.Target == o.Branch) && (o.Event == "" || b.Event == o.Event) &&
			(o.Status == "" || string(b.Status) == o.Status) && (o.Author == "" || b.Author == o.Author) {
			out = append(out, b)
			if o.Limit > 0 && len(out) == o.Limit {
				break
			}
		}
	}
	return out, nil
}

// Get returns a build with its stages and steps.
func (s *Builds) Get(ctx context.Context, r Ref, n int64) (*BuildView, error) {
	var out BuildView
	return &out, s.c.get(ctx, r.build(n), s.c.repoQuery(), &out)
}

// BuildCreate is a manual build: of Branch (default the repository's
// default branch) at Commit (default its head), with Params as
// environment variables.
type BuildCreate struct {
	Branch string            `json:"branch,omitempty"`
	Commit string            `json:"commit,omitempty"`
	Params map[string]string `json:"params,omitempty"`
}

// Create starts a build.
func (s *Builds) Create(ctx context.Context, r Ref, b BuildCreate) (*Started, error) {
	return s.start(ctx, request{method: http.MethodPost, path: r.path() + "/builds", query: s.c.repoQuery(), body: b})
}

// Restart starts a new build of the build's commit and parameters; with
// stage set, of that stage only (a name or a number).
func (s *Builds) Restart(ctx context.Context, r Ref, n int64, stage string) (*Started, error) {
	return s.start(ctx, request{method: http.MethodPost, path: r.build(n), query: s.c.repoQuery("stage", stage)})
}

// Promotion is a promote event for a build: its Target (production,
// staging, ...) and Params.
type Promotion struct {
	Target string            `json:"target"`
	Params map[string]string `json:"params,omitempty"`
}

// Promote starts a promote build of the build's commit.
func (s *Builds) Promote(ctx context.Context, r Ref, n int64, p Promotion) (*Started, error) {
	return s.start(ctx, request{method: http.MethodPost, path: r.build(n) + "/promote", query: s.c.repoQuery(), body: p})
}

func (s *Builds) start(ctx context.Context, req request) (*Started, error) {
	var out struct {
		core.Build
		Skipped string `json:"skipped"`
	}
	if err := s.c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	if out.Skipped != "" {
		return &Started{Skipped: out.Skipped}, nil
	}
	return &Started{Build: &out.Build}, nil
}

// Cancel cancels a build; Approve and Decline answer one waiting for
// approval. Each returns the build after the change.
func (s *Builds) Cancel(ctx context.Context, r Ref, n int64) (*core.Build, error) {
	return s.act(ctx, r, n, "/cancel")
}

// Approve lets a build waiting for approval run.
func (s *Builds) Approve(ctx context.Context, r Ref, n int64) (*core.Build, error) {
	return s.act(ctx, r, n, "/approve")
}

// Decline refuses a build waiting for approval.
func (s *Builds) Decline(ctx context.Context, r Ref, n int64) (*core.Build, error) {
	return s.act(ctx, r, n, "/decline")
}

func (s *Builds) act(ctx context.Context, r Ref, n int64, verb string) (*core.Build, error) {
	var out core.Build
	if err := s.c.call(ctx, request{method: http.MethodPost, path: r.build(n) + verb, query: s.c.repoQuery()}, &out); err != nil {
		return nil, err
	}
	if out.ID == 0 { // 204: the build is gone since
		return s.actGone(ctx, r, n)
	}
	return &out, nil
}

func (s *Builds) actGone(ctx context.Context, r Ref, n int64) (*core.Build, error) {
	v, err := s.Get(ctx, r, n)
	if err != nil {
		return nil, err
	}
	return &v.Build, nil
}

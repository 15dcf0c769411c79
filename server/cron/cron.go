// Package cron fires repository schedules: every server replica ticks, and
// the store's Advance lets exactly one of them start the build of each due
// time.
package cron

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	robfig "github.com/robfig/cron/v3"

	"github.com/drover-ci/drover/core"
)

// parser accepts standard five-field expressions and descriptors such as
// @hourly and @every 10m.
var parser = robfig.NewParser(robfig.Minute | robfig.Hour | robfig.Dom | robfig.Month | robfig.Dow | robfig.Descriptor)

// Next returns the first time after t that expr is due; a malformed
// expression is ErrInvalid naming it.
func Next(expr string, t time.Time) (time.Time, error) {
	sched, err := parser.Parse(expr)
	if err != nil {
		return time.Time{}, core.Errorf(core.CodeInvalid, "schedule %q: %v", expr, err)
	}
	return sched.Next(t), nil
}

// Builder starts builds (the trigger).
type Builder interface {
	Trigger(ctx context.Context, repo *core.Repo, tmpl *core.Build) (*core.Build, error)
}

// Ticker fires due schedules.
type Ticker struct {
	Crons   core.CronStore
	Repos   core.RepoStore
	Builder Builder
	Every   time.Duration // how often to look (default 30s)
	Log     *slog.Logger
	Now     func() time.Time
}

// Run ticks until ctx ends.
func (t *Ticker) Run(ctx context.Context) {
	every := t.Every
	if every <= 0 {
		every = 30 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if _, err := t.Once(ctx); err != nil && ctx.Err() == nil {
			t.Log.Warn("fire schedules", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Once fires every schedule due now that this replica wins, and returns
// how many it fired.
func (t *Ticker) Once(ctx context.Context) (int, error) {
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	due, err := t.Crons.Due(ctx, now, 100)
	if err != nil {
		return 0, err
	}
	fired := 0
	for _, c := range due {
		next, err := Next(c.Expr, now)
		if err != nil {
			t.Log.Warn("schedule has a bad expression; skipped", "schedule", c.Name, "err", err)
			continue
		}
		won, err := t.Crons.Advance(ctx, c, next)
		if err != nil || !won {
			continue
		}
		if err := t.fire(ctx, c); err != nil {
			t.Log.Warn("schedule did not start a build", "schedule", c.Name, "repo", c.RepoID, "err", err)
			continue
		}
		fired++
	}
	return fired, nil
}

func (t *Ticker) fire(ctx context.Context, c *core.Cron) error {
	repo, err := t.Repos.Find(ctx, c.RepoID)
	if err != nil {
		return err
	}
	if !repo.Active || repo.Gone {
		return fmt.Errorf("repository %s is not active", repo.Slug)
	}
	_, err = t.Builder.Trigger(ctx, repo, Build(repo, c))
	return err
}

// Build is the template of the build schedule c starts in repo: a cron
// event on its branch (the repository's default without one).
func Build(repo *core.Repo, c *core.Cron) *core.Build {
	branch := c.Branch
	if branch == "" {
		branch = repo.Branch
	}
	return &core.Build{
		Event: core.EventCron, Cron: c.Name, Ref: "refs/heads/" + branch, Target: branch, Source: branch,
		Sender: "cron:" + c.Name,
	}
}

// NextRuns returns the first n times after t that expr is due; a
// malformed expression is ErrInvalid naming it.
func NextRuns(expr string, t time.Time, n int) ([]time.Time, error) {
	out := make([]time.Time, 0, n)
	for range n {
		next, err := Next(expr, t)
		if err != nil {
			return nil, err
		}
		if next.IsZero() { // never due again
			break
		}
		out = append(out, next)
		t = next
	}
	return out, nil
}

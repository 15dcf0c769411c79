package trigger

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/drover-ci/drover/core"
)

// StatusReporter sends commit statuses to the remote in the background,
// retrying with backoff; a failure is logged and never fails a build.
type StatusReporter struct {
	Store     core.Store
	Remotes   core.Remotes
	ServerURL string
	Log       *slog.Logger
	Retries   int // attempts per status (default 5)
	// Creds returns a user's usable remote credentials (refreshing expired
	// ones); nil uses the stored ones.
	Creds CredsFunc

	mu   sync.Mutex
	last map[int64]core.Status // last status reported per unfinished build

	qmu    sync.Mutex
	queues map[int64][]func() // reports waiting per build; a key means a drainer runs
}

// Changed reports a build's status when it differs from the last one
// reported by this process (the scheduler's OnBuild hook).
func (r *StatusReporter) Changed(ctx context.Context, buildID int64) {
	if r == nil {
		return
	}
	// Queued behind the build's earlier reports, and reading the build
	// when its turn comes, so the last report is always the latest state.
	r.enqueue(buildID, func() {
		ctx := context.WithoutCancel(ctx)
		b, err := r.Store.Builds().Find(ctx, buildID)
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.last == nil {
			r.last = map[int64]core.Status{}
		}
		same := r.last[buildID] == b.Status
		r.last[buildID] = b.Status
		if b.Status.Done() {
			delete(r.last, buildID)
		}
		r.mu.Unlock()
		if same {
			return
		}
		repo, err := r.Store.Repos().Find(ctx, b.RepoID)
		if err != nil {
			return
		}
		r.send(repo, r.statusOf(repo, b))
	})
}

// Report sends the build's current status for its commit, asynchronously.
func (r *StatusReporter) Report(repo *core.Repo, b *core.Build) {
	if r == nil || b.After == "" {
		return
	}
	status := r.statusOf(repo, b)
	r.enqueue(b.ID, func() { r.send(repo, status) })
}

func (r *StatusReporter) statusOf(repo *core.Repo, b *core.Build) *core.CommitStatus {
	return &core.CommitStatus{
		SHA:    b.After,
		State:  b.Status,
		Label:  "drover/" + b.Event,
		Desc:   describe(b),
		Target: fmt.Sprintf("%s/%s/%d", r.ServerURL, repo.Slug, b.Number),
	}
}

// enqueue runs the build's reports one after another, in the order they
// were made, so the remote never ends on an older status (running after
// success); different builds report in parallel.
func (r *StatusReporter) enqueue(buildID int64, job func()) {
	r.qmu.Lock()
	defer r.qmu.Unlock()
	if r.queues == nil {
		r.queues = map[int64][]func(){}
	}
	q, draining := r.queues[buildID]
	r.queues[buildID] = append(q, job)
	if !draining {
		go r.drain(buildID)
	}
}

func (r *StatusReporter) drain(buildID int64) {
	for {
		r.qmu.Lock()
		q := r.queues[buildID]
		if len(q) == 0 {
			delete(r.queues, buildID)
			r.qmu.Unlock()
			return
		}
		job := q[0]
		r.queues[buildID] = q[1:]
		r.qmu.Unlock()
		job()
	}
}

func (r *StatusReporter) send(repo *core.Repo, status *core.CommitStatus) {
	if repo.Remote == core.RemoteMirror {
		return // no host to tell: Drover watches the repository itself
	}
	retries := r.Retries
	if retries <= 0 {
		retries = 5
	}
	backoff := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := r.sendOnce(repo, status)
		if err == nil {
			return
		}
		if attempt >= retries {
			r.log().Warn("report commit status", "repo", repo.Slug, "sha", status.SHA, "state", status.State, "attempts", attempt, "err", err)
			return
		}
		time.Sleep(backoff)
		backoff *= 2
	}
}

func (r *StatusReporter) sendOnce(repo *core.Repo, status *core.CommitStatus) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	remote, creds, err := RemoteFor(ctx, r.Store, r.Remotes, r.Creds, repo)
	if err != nil {
		return err
	}
	return remote.Status(ctx, creds, repo.Slug, status)
}

func (r *StatusReporter) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

// describe is a build's commit status description; an error build says
// why (a broken pipeline file…), shortened to MaxStatusDesc.
func describe(b *core.Build) string {
	switch b.Status {
	case core.StatusBlocked:
		return "Waiting for approval"
	case core.StatusPending:
		return "Build is pending"
	case core.StatusRunning:
		return "Build is running"
	case core.StatusSuccess:
		return "Build succeeded"
	case core.StatusFailure:
		return "Build failed"
	case core.StatusKilled:
		return "Build was cancelled"
	case core.StatusDeclined:
		return "Build was declined"
	}
	if b.Error == "" {
		return "Build errored"
	}
	return shorten("Build errored: "+strings.Join(strings.Fields(b.Error), " "), MaxStatusDesc)
}

// shorten cuts s to at most n characters, ending with "…" when cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// MaxStatusDesc is the longest commit status description sent, in
// characters: GitHub refuses more than 140, and other remotes show less.
const MaxStatusDesc = 140

package mirror

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
)

// Bounds of a report (the server refuses more).
const (
	maxHeads       = 1000
	maxConfigBytes = 1 << 20
)

// defaultConfigPaths are tried when a mirror names no pipeline file.
var defaultConfigPaths = []string{".drover.yml", ".drone.yml"}

// tick is how often the fetch loop looks for due mirrors without a wake.
const tick = 200 * time.Millisecond

// fetchLoop starts the due fetches, at most Concurrency at once, the
// mirrors that changed most recently first. While no heartbeat has been
// answered for a timeout (three intervals) nothing starts: the leases
// may have moved.
func (w *Watcher) fetchLoop(ctx context.Context) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		for _, a := range w.due(time.Now()) {
			w.wg.Add(1)
			go func() { defer w.wg.Done(); w.fetchOne(ctx, a) }()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// due marks running and returns the mirrors to fetch now.
func (w *Watcher) due(now time.Time) []*assignment {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.lastBeat) > 3*w.every || !w.full.IsZero() {
		return nil // the leases may have lapsed, or the disk is full
	}
	running := 0
	var ready []*assignment
	for _, a := range w.mirrors {
		switch {
		case a.running:
			running++
		case !a.next.After(now):
			ready = append(ready, a)
		}
	}
	slices.SortFunc(ready, func(x, y *assignment) int {
		if c := y.Changed.Compare(x.Changed); c != 0 {
			return c
		}
		return x.next.Compare(y.next)
	})
	ready = ready[:min(len(ready), max(0, w.o.Concurrency-running))]
	for _, a := range ready {
		a.running = true
	}
	return ready
}

// backoff is the delay after the failures-th failure in a row: the
// interval doubling, up to an hour (or the interval, if longer).
func backoff(interval time.Duration, failures int) time.Duration {
	d := interval
	for i := 1; i < failures && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, max(time.Hour, interval))
}

// fetchOne fetches one mirror, reports it and schedules the next fetch.
func (w *Watcher) fetchOne(ctx context.Context, a *assignment) {
	w.mu.Lock()
	m, reported, reclone := a.MirrorAssignment, copyMap(a.reported), a.reclone
	a.reclone = false
	w.mu.Unlock()
	interval := time.Duration(max(m.Interval, 1)) * time.Second
	dir := w.clone(m.ID)
	if reclone {
		_ = os.RemoveAll(dir)
	}
	f := &core.MirrorFetch{At: time.Now()}
	heads, err := w.gitFetch(ctx, m, dir, reported)
	if ctx.Err() != nil {
		w.finish(a, nil, nil, time.Now())
		return
	}
	if diskFull(err) {
		w.markFull(err) // this runner's trouble, not the upstream's: no report
		w.finish(a, nil, nil, time.Now())
		return
	}
	w.mu.Lock()
	failures := a.failures
	w.mu.Unlock()
	if err != nil {
		failures++
		f.Error, f.Next = err.Error(), time.Now().Add(backoff(interval, failures))
		w.log.Warn("mirror fetch", "mirror", m.ID, "repo", m.Repo, "failures", failures, "err", err)
	} else {
		failures, f.Heads, f.Next = 0, heads, time.Now().Add(interval)
	}
	ans, rerr := w.o.Client.MirrorReport(ctx, m.ID, f)
	switch {
	case errors.Is(rerr, core.ErrConflict) || (rerr == nil && ans.Paused):
		w.mu.Lock()
		if w.mirrors[m.ID] == a {
			w.dropLocked(m.ID, a)
		}
		a.running = false
		w.mu.Unlock()
		if a.dropped {
			_ = os.RemoveAll(dir)
		}
		return
	case rerr != nil:
		if ctx.Err() == nil {
			w.log.Warn("mirror report", "mirror", m.ID, "err", rerr)
		}
		w.finish(a, nil, nil, f.Next)
		return
	}
	w.mu.Lock()
	a.failures = failures
	w.mu.Unlock()
	w.finish(a, heads, ans.Retry, f.Next)
}

// finish records what the server acknowledged and when to fetch again.
func (w *Watcher) finish(a *assignment, heads []*core.MirrorHead, retry []string, next time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a.running = false
	if a.dropped {
		go os.RemoveAll(w.clone(a.ID))
		return
	}
	moved := false
	for _, h := range heads {
		if slices.Contains(retry, h.Branch) {
			continue
		}
		if h.Commit == "" {
			delete(a.reported, h.Branch)
		} else {
			a.reported[h.Branch] = h.Commit
		}
		moved = true
	}
	if moved {
		a.Changed = time.Now()
	}
	a.next = next
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// gitFetch fetches the clone and returns the watched heads that moved
// since what the server has (reported), with their pipeline files.
func (w *Watcher) gitFetch(ctx context.Context, m core.MirrorAssignment, dir string, reported map[string]string) ([]*core.MirrorHead, error) {
	ctx, cancel := context.WithTimeout(ctx, w.o.FetchTimeout)
	defer cancel()
	env, err := gitEnv(w.home(), m)
	if err != nil {
		return nil, err
	}
	g := &repoGit{dir: dir, home: w.home(), env: env, exec: w.o.Git}
	if err := g.fetch(ctx, m.URL); err != nil {
		return nil, err
	}
	all, err := g.heads(ctx)
	if err != nil {
		return nil, err
	}
	var out []*core.MirrorHead
	branches := make([]string, 0, len(all))
	for b := range all {
		branches = append(branches, b)
	}
	slices.Sort(branches)
	for _, b := range branches {
		if len(out) >= maxHeads {
			break
		}
		if sha := all[b]; core.WatchesBranch(m.Branches, b) && reported[b] != sha {
			h, err := w.head(ctx, g, m, b, sha)
			if err != nil {
				return nil, err
			}
			out = append(out, h)
		}
	}
	for b := range reported {
		if _, ok := all[b]; (!ok || !core.WatchesBranch(m.Branches, b)) && len(out) < maxHeads {
			out = append(out, &core.MirrorHead{Branch: b}) // gone
		}
	}
	return out, nil
}

// head describes a moved head: its commit and the pipeline file at it.
func (w *Watcher) head(ctx context.Context, g *repoGit, m core.MirrorAssignment, branch, sha string) (*core.MirrorHead, error) {
	h := &core.MirrorHead{Branch: branch, Commit: sha}
	var err error
	if h.Message, h.Author, h.Email, err = g.commit(ctx, sha); err != nil {
		return nil, err
	}
	if len(h.Message) > 32<<10 {
		h.Message = h.Message[:32<<10]
	}
	paths := defaultConfigPaths
	if m.ConfigPath != "" {
		paths = []string{m.ConfigPath}
	}
	for _, p := range paths {
		data, err := g.file(ctx, sha, p, maxConfigBytes)
		switch {
		case errors.Is(err, errNoFile):
			continue
		case err != nil && ctx.Err() != nil:
			return nil, err
		case err != nil:
			h.Path, h.ConfigError = p, err.Error()
			return h, nil
		}
		h.Path, h.Config = p, string(data)
		return h, nil
	}
	h.Path = paths[0]
	h.ConfigError = fmt.Sprintf("no pipeline file (%s) at commit %.8s", strings.Join(paths, " or "), sha)
	return h, nil
}

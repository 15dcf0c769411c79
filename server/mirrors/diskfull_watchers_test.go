package mirrors_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/runner/mirror"
	"github.com/drover-ci/drover/server/mirrors"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

// TestDiskFullWatchers runs two real watchers (runner/mirror, on real
// git and file:// upstreams) against the service: when one's git layer
// starts failing with ENOSPC, its next heartbeat says so and the server
// gives every mirror to the other, which fetches them; when its disk has
// space again it gets its share back.
func TestDiskFullWatchers(t *testing.T) {
	testenv.NeedProgram(t, "git", "install git")
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := newWorld(t, s, 0)
		assign := mirrors.NewAssigner(s.MirrorLeases(), 3*time.Second, nil)
		service := mirrors.New(mirrors.Options{Store: s, Builder: w.builder, Assigner: assign, MaxFailures: 3})
		ups := t.TempDir()
		var ids []int64
		for i := range 8 {
			dir := filepath.Join(ups, fmt.Sprintf("u%d.git", i))
			gitInit(t, dir)
			m := &core.Mirror{URL: "file://" + dir, Interval: 1}
			if err := s.Mirrors().Create(ctx, m, &core.Repo{RemoteID: m.URL, Owner: "up", Name: fmt.Sprintf("u%d", i)}, 0); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		var full atomic.Bool
		git := func(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
			if full.Load() {
				return nil, fmt.Errorf("git %s: write error: %w", args[0], syscall.ENOSPC)
			}
			cmd := exec.CommandContext(ctx, "git", args...)
			cmd.Dir, cmd.Env = dir, env
			out, err := cmd.Output()
			if err != nil {
				return nil, fmt.Errorf("git %s: %w", args[0], err)
			}
			return out, nil
		}
		probe := func(string) error {
			if full.Load() {
				return syscall.ENOSPC
			}
			return nil
		}
		agents := map[string]int64{}
		for _, name := range []string{"a", "b"} {
			a := w.newAgent(t, name)
			agents[name] = a.id
			o := mirror.Options{Client: &mirror.LocalClient{Coordinator: service, RunnerID: a.id}, Dir: t.TempDir(), Every: time.Second}
			if name == "a" {
				o.Git, o.Probe, o.FullRetry = git, probe, 500*time.Millisecond
			}
			go func() { _ = mirror.New(o).Run(ctx) }()
		}
		go assign.Run(ctx)

		holdersAre := func(what string, ok func(map[int64]int64) bool) {
			t.Helper()
			deadline := time.Now().Add(30 * time.Second)
			for h := w.holders(t); !ok(h); h = w.holders(t) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: holders %v (a=%d b=%d)", what, h, agents["a"], agents["b"])
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		count := func(h map[int64]int64, id int64) int {
			n := 0
			for _, r := range h {
				if r == id {
					n++
				}
			}
			return n
		}
		// Past the assigner's grace both share the mirrors.
		holdersAre("both runners hold mirrors", func(h map[int64]int64) bool {
			return count(h, agents["a"]) > 0 && count(h, agents["b"]) > 0
		})
		full.Store(true)
		holdersAre("a full disk gives every mirror to the other", func(h map[int64]int64) bool { return count(h, agents["b"]) == len(ids) })
		movedAt := time.Now()
		for _, id := range ids { // fetched by b, and no failure counted for a's full disk
			waitFetched(t, s, id, movedAt)
		}
		full.Store(false)
		holdersAre("space again: its share comes back", func(h map[int64]int64) bool { return count(h, agents["a"]) > 0 })
	})
}

// waitFetched waits until the mirror is fetched after since without
// error and with no failure counted.
func waitFetched(t *testing.T, s *store.Store, id int64, since time.Time) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, err := s.Mirrors().Find(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if m.LastFetch.After(since) && m.LastError == "" && m.Failures == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("mirror %d not fetched after %s: %+v", id, since, m)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// gitInit makes a bare repository at dir with one commit on main.
func gitInit(t *testing.T, dir string) {
	t.Helper()
	wc := t.TempDir()
	env := testenv.GitEnv(wc)
	for _, args := range [][]string{
		{"init", "-q", "--bare", "-b", "main", dir},
		{"-C", wc, "init", "-q", "-b", "main"},
		{"-C", wc, "commit", "-q", "--allow-empty", "-m", "first"},
		{"-C", wc, "push", "-q", dir, "main"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

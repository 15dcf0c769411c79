package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// pushes is how many measured pushes BenchmarkGiteaPushToStep makes.
const pushes = 10

// BenchmarkGiteaPushToStep measures, over 10 pushes to a real Gitea (its
// webhook to Drover, the trigger reading the pipeline file through the
// Gitea plugin binary, the queue, the local runner and the local engine,
// clone disabled), the time from `git push` returning to the first step's
// process starting (the step writes `date +%s%N` into a file).
func BenchmarkGiteaPushToStep(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	e.giteaAs(b, e.token, "POST", "/api/v1/user/repos", map[string]any{"name": "bench", "auto_init": true, "default_branch": "main"}, nil)
	e.loginGitea(b)
	e.loginDrover(b)
	e.listRepos(b, "?all=true&flush=true")
	if code := e.drover(b, "POST", "/api/repos/"+e.user+"/bench", nil); code != 200 {
		b.Fatalf("activate = %d", code)
	}
	trust(b, e, e.user+"/bench")
	repo, err := e.app.Store.Repos().FindSlug(ctx, "gitea", e.user+"/bench")
	if err != nil {
		b.Fatal(err)
	}
	stamps := b.TempDir()
	dir := e.clone(b, "bench")
	// The first push adds the pipeline (warm-up, not measured).
	commitAndPush(b, dir, "pipeline", map[string]string{".drone.yml": pipeline(stamps)})
	waitStamp(b, e, repo.ID, stamps, 1)

	samples := make([]float64, 0, pushes)
	var delivery, handling, dispatch []float64 // the parts: Gitea's, the hook handler's, queue to step
	for i := range pushes {
		_, pushed := commitAndPushAt(b, dir, fmt.Sprintf("change %d", i), map[string]string{"n.txt": strconv.Itoa(i)})
		started := waitStamp(b, e, repo.ID, stamps, int64(i+2))
		samples = append(samples, ms(started.Sub(pushed)))
		if h, ok := e.lastHook(); ok && h.arrived.After(pushed) {
			delivery = append(delivery, ms(h.arrived.Sub(pushed)))
			handling = append(handling, ms(h.answered.Sub(h.arrived)))
			dispatch = append(dispatch, ms(started.Sub(h.answered)))
		}
	}
	slices.Sort(samples)
	b.Logf("push → first step, ms (sorted): %v", samples)
	b.Logf("medians, ms: push → webhook arrives %.1f (Gitea), webhook handled %.1f (Drover: file via plugin, compile, store), answered → step starts %.1f (queue, local runner, engine)",
		median(delivery), median(handling), median(dispatch))
	testenv.Bench(b, "gitea_push_to_step_ms_p50", samples[len(samples)/2], "ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// waitStamp waits for build number n to finish green and returns when its
// first step started, as the step itself wrote it.
func waitStamp(b *testing.B, e *env, repoID int64, stamps string, n int64) time.Time {
	b.Helper()
	var started time.Time
	waitFor(b, fmt.Sprintf("build %d", n), time.Minute, func() bool {
		build, err := e.app.Store.Builds().FindNumber(context.Background(), repoID, n)
		if err != nil || !build.Status.Done() {
			return false
		}
		if build.Status != core.StatusSuccess {
			b.Fatalf("build %d: %s %s", n, build.Status, build.Error)
		}
		data, err := os.ReadFile(filepath.Join(stamps, "stamp-"+strconv.FormatInt(n, 10)))
		if err != nil {
			b.Fatalf("build %d: no stamp: %v", n, err)
		}
		ns, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if err != nil {
			b.Fatalf("build %d: stamp %q: %v", n, data, err)
		}
		started = time.Unix(0, ns)
		return true
	})
	return started
}

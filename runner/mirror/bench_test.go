package mirror

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// cpuTime is the CPU this process and its waited-for children used.
func cpuTime() time.Duration {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// BenchmarkMirrorFreshPerCore: how many mirrors one runner keeps fresh
// within a 60 s interval on one core. 100 upstreams on disk are cloned,
// then fetched again with nothing new (the steady state); the CPU of
// that round (the watcher and its git processes) gives the figure.
func BenchmarkMirrorFreshPerCore(b *testing.B) {
	testenv.NeedProgram(b, "git", "install git")
	const n = 100
	src := &source{t: b, dir: b.TempDir()}
	tmpl := filepath.Join(b.TempDir(), "tmpl.git")
	src.git("init", "-q", "-b", "main")
	src.commit("main", ".drone.yml", "kind: pipeline\n")
	src.git("clone", "-q", "--bare", src.dir, tmpl)
	c := &fakeClient{}
	w := New(Options{Client: c, Dir: b.TempDir(), Concurrency: 4})
	var added []*core.MirrorAssignment
	up := b.TempDir()
	for i := range n {
		dir := filepath.Join(up, fmt.Sprintf("r%d.git", i))
		src.git("clone", "-q", "--bare", tmpl, dir)
		added = append(added, &core.MirrorAssignment{ID: int64(i + 1), URL: "file://" + dir, Interval: 60})
	}
	w.apply(&core.MirrorDelta{Cursor: 1, Reset: true, Added: added})
	round := func() {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		for _, a := range w.mirrors {
			a.running = true
			wg.Add(1)
			sem <- struct{}{}
			go func() { defer wg.Done(); defer func() { <-sem }(); w.fetchOne(context.Background(), a) }()
		}
		wg.Wait()
	}
	round() // the clones
	b.ResetTimer()
	start := cpuTime()
	round()
	used := cpuTime() - start
	b.StopTimer()
	testenv.Bench(b, "mirror_fresh_per_core", float64(n)*60/used.Seconds(), "mirrors")
	testenv.Bench(b, "mirror_fetch_cpu_ms", float64(used.Milliseconds())/n, "ms")
}

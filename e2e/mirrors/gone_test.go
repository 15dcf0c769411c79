package mirrors_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/e2e/internal/e2eproc"
)

// TestMirrorUpstreamGone: a mirror whose upstream disappears shows its
// error, backs off (each next fetch further out), pauses after
// mirror_max_failures and is fetched no more; another mirror of the same
// runner is not disturbed; with the upstream back, resume brings it back
// with no failure counted.
func TestMirrorUpstreamGone(t *testing.T) {
	needE2E(t)
	s := &suite{env: newEnv(t), seed: newSeed(t)}
	s.ups = s.seed.upstreams(2)
	s.startRunner("r1")
	s.ms = s.addMirrors(s.ups)
	s.settled("both mirrors imported", time.Time{}, time.Minute)
	gone, up := s.ms[0], s.ups[0]
	if code := s.api(http.MethodPatch, fmt.Sprintf("/api/mirrors/%d", gone.ID), `{"interval":1}`, nil); code != http.StatusOK {
		t.Fatalf("PATCH interval = %d", code)
	}
	if err := os.RemoveAll(up.dir); err != nil {
		t.Fatal(err)
	}
	removed := time.Now()
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/mirrors/%d/fetch", gone.ID), "", nil); code != http.StatusAccepted {
		t.Fatalf("POST fetch = %d", code)
	}

	// Each failure as first seen: its error and how far out the next fetch is.
	seen := map[int]*core.Mirror{}
	var m *core.Mirror
	e2eproc.Eventually(t, time.Minute, "the mirror pauses", func() bool {
		m = s.mirror(gone.ID)
		if _, ok := seen[m.Failures]; !ok && m.LastFetch.After(removed) {
			seen[m.Failures] = m
		}
		return m.Paused
	})
	for n := 1; n < maxFailures; n++ {
		f := seen[n]
		if f == nil || !strings.Contains(f.LastError, "does not appear to be a git repository") {
			t.Fatalf("failure %d: %+v, want git's error shown", n, f)
		}
		t.Logf("failure %d: next fetch %s after it: %s", n, f.NextFetch.Sub(f.LastFetch).Round(time.Millisecond), f.LastError)
	}
	if g1, g2 := seen[1].NextFetch.Sub(seen[1].LastFetch), seen[2].NextFetch.Sub(seen[2].LastFetch); g2 < g1+500*time.Millisecond {
		t.Fatalf("no backoff: the next fetch %s after the first failure, %s after the second", g1, g2)
	}
	if m.Failures != maxFailures || m.RunnerID != 0 || m.LastError == "" {
		t.Fatalf("paused: %+v, want %d failures, no runner, its error", m, maxFailures)
	}
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/mirrors/%d/fetch", gone.ID), "", nil); code != http.StatusConflict {
		t.Fatalf("POST fetch of a paused mirror = %d, want 409", code)
	}
	time.Sleep(3 * time.Second) // three intervals: no fetch of a paused mirror
	if after := s.mirror(gone.ID); !after.Paused || after.Failures != maxFailures || !after.LastFetch.Equal(m.LastFetch) {
		t.Fatalf("a paused mirror was fetched: %+v", after)
	}
	if other := s.mirror(s.ms[1].ID); other.LastError != "" || other.Failures != 0 || other.RunnerID == 0 {
		t.Fatalf("the other mirror: %+v", other)
	}

	if err := s.seed.copyTo(up.dir); err != nil {
		t.Fatal(err)
	}
	resumed := time.Now()
	var r core.Mirror
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/mirrors/%d/resume", gone.ID), "", &r); code != http.StatusOK || r.Paused || r.Failures != 0 {
		t.Fatalf("POST resume = %d: %+v", code, r)
	}
	e2eproc.Eventually(t, time.Minute, "the resumed mirror fetched", func() bool {
		m = s.mirror(gone.ID)
		return m.LastFetch.After(resumed) && m.LastError == "" && m.Failures == 0 && !m.Paused && m.RunnerID != 0
	})
	for i, bs := range s.builds(s.ms) {
		if len(bs) != 0 {
			t.Fatalf("%s: %d builds, want none (no head moved)", s.ms[i].Repo, len(bs))
		}
	}
}

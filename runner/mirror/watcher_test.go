package mirror

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// fakeClient answers with its function fields and records reports.
type fakeClient struct {
	beat    func(core.MirrorOffer) (*core.MirrorDelta, error)
	report  func(id int64, f *core.MirrorFetch) (*core.MirrorReportAnswer, error)
	reports []*core.MirrorFetch
}

func (c *fakeClient) MirrorBeat(_ context.Context, o core.MirrorOffer) (*core.MirrorDelta, error) {
	return c.beat(o)
}

func (c *fakeClient) MirrorReport(_ context.Context, id int64, f *core.MirrorFetch) (*core.MirrorReportAnswer, error) {
	c.reports = append(c.reports, f)
	if c.report == nil {
		return &core.MirrorReportAnswer{}, nil
	}
	return c.report(id, f)
}

// source is an upstream repository to commit to.
type source struct {
	t   testing.TB
	dir string
}

func (s *source) git(args ...string) string {
	s.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+s.dir, "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@x",
		"GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@x")
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (s *source) commit(branch, file, text string) string {
	s.t.Helper()
	if exec.Command("git", "-C", s.dir, "rev-parse", "--verify", "-q", "refs/heads/"+branch).Run() == nil {
		s.git("checkout", "-q", branch)
	} else {
		s.git("checkout", "-q", "-b", branch)
	}
	if err := os.WriteFile(filepath.Join(s.dir, file), []byte(text), 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.git("add", "-A")
	s.git("commit", "-q", "-m", "change "+text)
	return s.git("rev-parse", "HEAD")
}

func newSource(t *testing.T) *source {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	s := &source{t: t, dir: t.TempDir()}
	s.git("init", "-q", "-b", "main")
	return s
}

// heads renders a report's heads as branch=commit-prefix[:path] sorted.
func heads(f *core.MirrorFetch) []string {
	var out []string
	for _, h := range f.Heads {
		c := h.Commit
		if len(c) > 7 {
			c = c[:7]
		}
		out = append(out, fmt.Sprintf("%s=%s:%s", h.Branch, c, h.Path))
	}
	slices.Sort(out)
	return out
}

func short(sha string) string { return sha[:7] }

func TestFetchReportsMovedWatchedHeads(t *testing.T) {
	src := newSource(t)
	main1 := src.commit("main", ".drone.yml", "kind: pipeline\n")
	feat1 := src.commit("feat/x", "f.txt", "x")
	src.commit("wip", "w.txt", "w") // not watched
	src.git("checkout", "-q", "--orphan", "feat/none")
	src.git("rm", "-q", "-rf", ".")
	none := src.commit("feat/none", "n.txt", "n")
	c := &fakeClient{}
	w := New(Options{Client: c, Dir: t.TempDir()})
	w.apply(&core.MirrorDelta{Cursor: 5, Reset: true, Added: []*core.MirrorAssignment{{ID: 7, URL: "file://" + src.dir,
		Branches: []string{"main", "feat/*"}, Interval: 60}}})
	if w.cursor != 5 || len(w.Held()) != 1 {
		t.Fatalf("after the delta: cursor %d, held %v", w.cursor, w.Held())
	}
	ctx := context.Background()
	fetch := func() *core.MirrorFetch {
		t.Helper()
		a := w.mirrors[7]
		a.running = true
		w.fetchOne(ctx, a)
		return c.reports[len(c.reports)-1]
	}
	// The first fetch of a fresh clone reports every watched head.
	f := fetch()
	want := []string{"feat/none=" + short(none) + ":.drover.yml", "feat/x=" + short(feat1) + ":.drone.yml", "main=" + short(main1) + ":.drone.yml"}
	if f.Error != "" || !slices.Equal(heads(f), want) {
		t.Fatalf("first fetch: %q %v, want %v", f.Error, heads(f), want)
	}
	for _, h := range f.Heads {
		if h.Branch == "main" && (h.Config != "kind: pipeline\n" || h.Author != "a" || !strings.Contains(h.Message, "change")) {
			t.Fatalf("main's head: %+v", h)
		}
		if h.Branch == "feat/none" && (h.Config != "" || !strings.Contains(h.ConfigError, "no pipeline file")) {
			t.Fatalf("a head without a pipeline file: %+v", h)
		}
	}
	if got := f.Next.Sub(f.At); got < 59*time.Second {
		t.Fatalf("next fetch %s after, want the interval", got)
	}
	steps := []struct {
		name   string
		change func() string // returns the head expected
		want   func(sha string) []string
	}{
		{"nothing moved", func() string { return "" }, func(string) []string { return nil }},
		{"a commit on main", func() string { return src.commit("main", "a.txt", "2") }, func(sha string) []string {
			return []string{"main=" + short(sha) + ":.drone.yml"}
		}},
		{"a force-push of main", func() string {
			src.git("checkout", "-q", "main")
			src.git("reset", "-q", "--hard", main1)
			return src.commit("main", "b.txt", "forced")
		}, func(sha string) []string { return []string{"main=" + short(sha) + ":.drone.yml"} }},
		{"an unwatched branch moves", func() string { return src.commit("wip", "w.txt", "w2") }, func(string) []string { return nil }},
		{"a watched branch is deleted", func() string {
			src.git("checkout", "-q", "main")
			src.git("branch", "-q", "-D", "feat/x")
			return ""
		}, func(string) []string { return []string{"feat/x=:"} }},
	}
	for _, st := range steps {
		sha := st.change()
		if f := fetch(); f.Error != "" || !slices.Equal(heads(f), st.want(sha)) {
			t.Errorf("%s: %q %v, want %v", st.name, f.Error, heads(f), st.want(sha))
		}
	}

	// A branch the server could not build now is reported again.
	c.report = func(int64, *core.MirrorFetch) (*core.MirrorReportAnswer, error) {
		return &core.MirrorReportAnswer{Retry: []string{"main"}}, nil
	}
	sha := src.commit("main", "c.txt", "3")
	fetch()
	c.report = nil
	if f := fetch(); !slices.Equal(heads(f), []string{"main=" + short(sha) + ":.drone.yml"}) {
		t.Fatalf("retry: %v", heads(f))
	}
	// A mirror the server says this runner lost is dropped, clone and all.
	c.report = func(int64, *core.MirrorFetch) (*core.MirrorReportAnswer, error) {
		return nil, core.Errorf(core.CodeConflict, "not held")
	}
	fetch()
	if len(w.Held()) != 0 {
		t.Fatalf("still held after a conflict: %v", w.Held())
	}
	if _, err := os.Stat(w.clone(7)); !os.IsNotExist(err) {
		t.Fatalf("the clone of a lost mirror is still there (%v)", err)
	}
}

func TestFetchFailuresBackOff(t *testing.T) {
	c := &fakeClient{}
	w := New(Options{Client: c, Dir: t.TempDir()})
	w.apply(&core.MirrorDelta{Cursor: 1, Added: []*core.MirrorAssignment{{ID: 3, URL: "file://" + t.TempDir() + "/gone.git", Interval: 10}}})
	var delays []time.Duration
	for range 4 {
		a := w.mirrors[3]
		a.running = true
		w.fetchOne(context.Background(), a)
		f := c.reports[len(c.reports)-1]
		if f.Error == "" {
			t.Fatal("a fetch of a missing upstream reported no error")
		}
		delays = append(delays, f.Next.Sub(f.At).Round(time.Second))
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second}
	if !slices.Equal(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	// The server pausing it drops it.
	c.report = func(int64, *core.MirrorFetch) (*core.MirrorReportAnswer, error) {
		return &core.MirrorReportAnswer{Paused: true}, nil
	}
	a := w.mirrors[3]
	a.running = true
	w.fetchOne(context.Background(), a)
	if len(w.Held()) != 0 {
		t.Fatal("a paused mirror is still held")
	}
}

func TestApplyDeltas(t *testing.T) {
	w := New(Options{Client: &fakeClient{}, Dir: t.TempDir()})
	soon := time.Now().Add(time.Hour)
	m := func(id int64, url string, next time.Time) *core.MirrorAssignment {
		return &core.MirrorAssignment{ID: id, URL: url, Interval: 60, NextFetch: next}
	}
	steps := []struct {
		name  string
		delta *core.MirrorDelta
		held  []int64
	}{
		{"added", &core.MirrorDelta{Cursor: 2, Added: []*core.MirrorAssignment{m(1, "/a", soon), m(2, "/b", soon)}}, []int64{1, 2}},
		{"removed", &core.MirrorDelta{Cursor: 3, Removed: []int64{1}}, []int64{2}},
		{"reset keeps only its list", &core.MirrorDelta{Cursor: 9, Reset: true, Added: []*core.MirrorAssignment{m(3, "/c", soon)}}, []int64{3}},
		{"a server without mirrors changes nothing", nil, []int64{3}},
	}
	for _, st := range steps {
		w.apply(st.delta)
		held := w.Held()
		slices.Sort(held)
		if !slices.Equal(held, st.held) {
			t.Errorf("%s: held %v, want %v", st.name, held, st.held)
		}
	}
	// "Update now": an earlier next fetch is taken; a new URL re-clones.
	now := time.Now()
	w.apply(&core.MirrorDelta{Cursor: 10, Added: []*core.MirrorAssignment{m(3, "/d", now)}})
	if a := w.mirrors[3]; !a.next.Equal(now) || !a.reclone || a.URL != "/d" {
		t.Fatalf("after the change: next %s reclone %t url %s", a.next, a.reclone, a.URL)
	}
	if w.cursor != 10 {
		t.Fatalf("cursor %d", w.cursor)
	}
}

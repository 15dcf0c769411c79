package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// BenchmarkBuildList measures `drover build ls` (the binary, run as a
// user does) against a server with 10,000 builds of the repository: the
// median of 15 runs, target < 100 ms.
func BenchmarkBuildList(b *testing.B) {
	e := newServerEnv(b)
	repo := activeRepo(b, e)
	ctx := context.Background()
	for i := 0; i < 10000; i++ {
		build := &core.Build{RepoID: repo.ID, Status: core.StatusSuccess, Event: core.EventPush, After: "0123456789abcdef",
			Ref: "refs/heads/main", Target: "main", Author: "alice", Message: "commit"}
		if err := e.app.Store.Builds().Create(ctx, build, nil); err != nil {
			b.Fatal(err)
		}
	}
	bin := filepath.Join(b.TempDir(), "drover")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	env := []string{"DROVER_SERVER=" + e.http.URL, "DROVER_TOKEN=" + e.alice, "DROVER_CONFIG=" + e.config, "HOME=" + b.TempDir()}
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < 15; i++ {
		cmd := exec.Command(bin, "build", "ls", "acme/app")
		cmd.Env = env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		took = append(took, time.Since(start))
		if err != nil || !strings.Contains(string(out), "10000   success  push") {
			b.Fatalf("drover build ls: %v\n%s", err, out)
		}
	}
	b.StopTimer()
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	testenv.Bench(b, "cli_build_ls_ms", float64(took[len(took)/2].Microseconds())/1000, "ms")
}

// TestListPages: lists are read page after page up to --limit (0: all).
func TestListPages(t *testing.T) {
	e := newServerEnv(t)
	repo := activeRepo(t, e)
	for i := 0; i < 130; i++ {
		b := &core.Build{RepoID: repo.ID, Status: core.StatusSuccess, Event: core.EventPush, After: "abc", Ref: "refs/heads/main", Target: "main"}
		if err := e.app.Store.Builds().Create(context.Background(), b, nil); err != nil {
			t.Fatal(err)
		}
	}
	e.check(t, []cliCheck{
		{name: "all", token: "alice", args: []string{"build", "ls", "acme/app", "-L", "0", "--jq", "length"}, stdout: []string{"130\n"}},
		{name: "past a page", token: "alice", args: []string{"build", "ls", "acme/app", "-L", "101", "--jq", "[length, .[100].number]"}, stdout: []string{"[101,30]\n"}},
		{name: "default", token: "alice", args: []string{"build", "ls", "acme/app", "--jq", "length"}, stdout: []string{"25\n"}},
		{name: "filtered across pages", token: "alice", args: []string{"build", "ls", "acme/app", "--branch", "main", "-L", "120", "--jq", "length"}, stdout: []string{"120\n"}},
	})
}

package syncer_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
)

const benchRepos = 5000

// benchListing is what a remote lists for a user who sees benchRepos
// repositories.
func benchListing() []*core.RemoteRepo {
	out := make([]*core.RemoteRepo, benchRepos)
	for i := range out {
		out[i] = &core.RemoteRepo{
			ID: fmt.Sprintf("%d", 100000+i), Owner: fmt.Sprintf("org%d", i%50), Name: fmt.Sprintf("repo-%05d", i),
			CloneURL: fmt.Sprintf("https://fake.test/org%d/repo-%05d.git", i%50, i), Branch: "main",
			Private: i%3 == 0, Perm: &core.Perm{Pull: true, Push: i%2 == 0, Admin: i%7 == 0},
		}
	}
	return out
}

// BenchmarkSync5000ReposStore reports the store side of syncing one user
// who sees 5,000 repositories: the slower of the first sync (every
// repository and permission inserted) and a re-sync (all updated, stale
// permissions pruned), each one transaction, on a database in use (warmed
// up by another user's sync).
func BenchmarkSync5000ReposStore(b *testing.B) {
	run := func(b *testing.B, name string, s *store.Store) {
		ctx := context.Background()
		u := &core.User{Remote: "fake", Login: "bench", Active: true}
		if err := s.Users().Create(ctx, u); err != nil {
			b.Fatal(err)
		}
		// Warm the database up with another user's small sync, so that a
		// brand-new database's first queries (catalog and plan caches on
		// Postgres) are not charged to the figure.
		other := &core.User{Remote: "fake", Login: "warm-up", Active: true}
		if err := s.Users().Create(ctx, other); err != nil {
			b.Fatal(err)
		}
		warm := benchListing()[:50]
		for i, r := range warm {
			cp := *r
			cp.ID = fmt.Sprintf("warm-%d", i)
			warm[i] = &cp
		}
		if _, err := s.Syncs().Apply(ctx, &core.RepoSync{UserID: other.ID, Remote: "fake", Repos: warm, Time: time.Now(), Prune: true}); err != nil {
			b.Fatal(err)
		}
		repos := benchListing()
		var worst time.Duration
		for i, label := range []string{"first", "again"} {
			start := time.Now()
			ids, err := s.Syncs().Apply(ctx, &core.RepoSync{UserID: u.ID, Remote: "fake", Repos: repos, Time: time.Now().Add(time.Duration(i) * time.Second), Prune: true})
			took := time.Since(start)
			if err != nil || len(ids) != benchRepos {
				b.Fatalf("apply: %d ids, %v", len(ids), err)
			}
			b.Logf("%s: %s sync of %d repositories took %s (load average %s)", name, label, benchRepos, took, loadAvg())
			worst = max(worst, took)
		}
		if list, err := s.Repos().ListUser(ctx, u.ID, false); err != nil || len(list) != benchRepos {
			b.Fatalf("listed %d, %v", len(list), err)
		}
		testenv.Bench(b, "sync_5000_repos_ms_"+name, float64(worst.Microseconds())/1000, "ms")
	}
	b.Run("sqlite", func(b *testing.B) {
		s, err := store.Open(context.Background(), "", b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		run(b, "sqlite", s)
	})
	base, err := testenv.SharedPostgres()
	if err != nil {
		b.Fatalf("postgres: %v", err)
	}
	if base == "" {
		b.Log("postgres binaries not installed: no postgres figure")
		return
	}
	b.Run("postgres", func(b *testing.B) { run(b, "postgres", openPostgres(b, base)) })
}

// BenchmarkSync5000ReposRequests reports how many remote requests a full
// sync of a user who sees 5,000 repositories takes with the fake remote at
// a page size of 100.
func BenchmarkSync5000ReposRequests(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, "", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fake := remotetest.NewFake()
	fake.PageSize = 100
	fake.AddUser("tok", "bench")
	for _, r := range benchListing() {
		fake.AddRepo("tok", r.Slug(), *r.Perm)
	}
	u := &core.User{Remote: "fake", Login: "bench", Active: true, Creds: core.Creds{Token: "tok"}}
	if err := s.Users().Create(ctx, u); err != nil {
		b.Fatal(err)
	}
	sy := syncer.New(syncer.Options{Store: s, Remotes: remotes{"fake": core.RemoteOf(fake)}})
	defer sy.Close()
	start := time.Now()
	o, err := sy.Sync(ctx, u, syncer.CauseRequest)
	if err != nil || o.Repos != benchRepos {
		b.Fatalf("sync: %+v, %v", o, err)
	}
	if n := fake.RequestCount(""); n != o.Requests {
		b.Fatalf("the fake counted %d requests, the outcome %d", n, o.Requests)
	}
	b.Logf("full sync of %d repositories: %d requests, %s", benchRepos, o.Requests, time.Since(start))
	testenv.Bench(b, "sync_5000_repos_requests", float64(o.Requests), "requests")
}

// loadAvg returns the machine's 1-minute load average, for reading the
// figures: they are wall-clock times.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// BenchmarkAPIBuildsList: a repository with 10,000 builds (and another
// repository's 10,000 beside it); GET /api/repos/{owner}/{name}/builds
// (the first page, as the UI asks) with a user's token over loopback.
// Latency is sequential requests' p99; throughput is requests per second
// of 8 clients at once. The figures without a suffix are SQLite's (the
// default store), Postgres's carry _postgres.
func BenchmarkAPIBuildsList(b *testing.B) {
	const builds, sequential, concurrent, clients = 10_000, 1000, 2000, 8
	for db, url := range benchDatabases(b) {
		b.Run(db, func(b *testing.B) {
			e := newBenchEnv(b, url(b), nil)
			ctx := context.Background()
			other := &core.Repo{Remote: "fake", RemoteID: "other", Owner: "acme", Name: "other", Branch: "main", Active: true}
			if err := e.app.Store.Repos().Create(ctx, other); err != nil {
				b.Fatal(err)
			}
			seedBuilds(b, e, other, builds)
			seedBuilds(b, e, e.repo, builds)
			e.settleDatabase(b)
			u, token := userWithToken(b, e.app.Store, "reader")
			if err := e.app.Store.Perms().Upsert(ctx, &core.Perm{UserID: u.ID, RepoID: e.repo.ID, Pull: true, Synced: time.Now()}); err != nil {
				b.Fatal(err)
			}
			e.repo.Private = true // the permission is checked, not skipped
			if err := e.app.Store.Repos().Update(ctx, e.repo); err != nil {
				b.Fatal(err)
			}
			first := e.srv.URL + "/api/repos/acme/app/builds?remote=fake"
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			get := func() time.Duration { return getBuilds(b, client, first, token) }
			for range 50 { // warm the connections and caches
				get()
			}
			lat := make([]time.Duration, sequential)
			for i := range lat {
				lat[i] = get()
			}
			slices.Sort(lat)
			// The last page (offset 9,975): what paging deep costs.
			deep := make([]time.Duration, sequential/5)
			for i := range deep {
				deep[i] = getBuilds(b, client, first+"&per_page=25&page=400", token)
			}
			slices.Sort(deep)
			var wg sync.WaitGroup
			start := time.Now()
			for c := range clients {
				wg.Go(func() {
					for i := c; i < concurrent; i += clients {
						get()
					}
				})
			}
			wg.Wait()
			rps := float64(concurrent) / time.Since(start).Seconds()
			suffix := ""
			if db != "sqlite" {
				suffix = "_" + db
			}
			testenv.Bench(b, "api_builds_list_p50_ms"+suffix, ms(lat[len(lat)/2]), "ms")
			testenv.Bench(b, "api_builds_list_p99_ms"+suffix, ms(lat[len(lat)*99/100]), "ms")
			testenv.Bench(b, "api_builds_list_last_page_p99_ms"+suffix, ms(deep[len(deep)*99/100]), "ms")
			testenv.Bench(b, "api_builds_list_rps"+suffix, rps, "req/s")
		})
	}
}

// getBuilds GETs a list of builds and returns how long it took (it may
// run in other goroutines than the benchmark's: errors do not stop it).
func getBuilds(b *testing.B, client *http.Client, url, token string) time.Duration {
	start := time.Now()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return time.Since(start)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("GET %s = %d", url, resp.StatusCode)
	}
	return time.Since(start)
}

// seedBuilds stores n finished builds of the repository, each with one
// stage, in transactions of 500 (written directly: Builds().Create would
// take minutes).
func seedBuilds(b *testing.B, e *benchEnv, repo *core.Repo, n int) {
	b.Helper()
	ctx := context.Background()
	var last int64
	if err := e.app.Store.DB().NewSelect().Table("builds").ColumnExpr("COALESCE(MAX(id), 0)").Scan(ctx, &last); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	for from := 0; from < n; from += 500 {
		err := e.app.Store.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i := from; i < min(n, from+500); i++ {
				id := last + int64(i) + 1
				at := now.Add(time.Duration(i-n) * time.Minute)
				if _, err := tx.ExecContext(ctx, `INSERT INTO builds (id, repo_id, number, status, event, message, after, ref, target, author, sender, started, finished, created, updated)
					VALUES (?, ?, ?, ?, 'push', ?, 'abc', 'refs/heads/main', 'main', 'octocat', 'octocat', ?, ?, ?, ?)`,
					id, repo.ID, i+1, core.StatusSuccess, fmt.Sprintf("commit %d", i), at, at.Add(time.Minute), at, at); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO stages (build_id, repo_id, number, name, type, status, created, updated)
					VALUES (?, ?, 1, 'default', 'docker', ?, ?, ?)`, id, repo.ID, core.StatusSuccess, at, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("seed builds: %v", err)
		}
	}
	if e.app.Store.Dialect() == "postgres" { // ids were given: move the sequence past them
		if _, err := e.app.Store.DB().ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('builds', 'id'), (SELECT MAX(id) FROM builds))`); err != nil {
			b.Fatal(err)
		}
	}
}

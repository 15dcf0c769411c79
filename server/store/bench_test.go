package store_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/server/store"
)

// BenchmarkBuildInsertRate creates builds (one stage, two steps each) from
// 8 concurrent writers on one repository and reports builds per second,
// after checking that the numbers are unique and gapless.
func BenchmarkBuildInsertRate(b *testing.B) {
	run := func(b *testing.B, name string, s *store.Store) {
		r := &core.Repo{Remote: "bench", RemoteID: "1", Owner: "o", Name: "r"}
		if err := s.Repos().Create(context.Background(), r); err != nil {
			b.Fatal(err)
		}
		const writers, each = 8, 250
		var mu sync.Mutex
		var numbers []int
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					bd, stages := newBuild(r.ID, "")
					stages = stages[:1]
					if err := s.Builds().Create(context.Background(), bd, stages); err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					numbers = append(numbers, int(bd.Number))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		sort.Ints(numbers)
		for i, n := range numbers {
			if n != i+1 {
				b.Fatalf("numbers not gapless at %d: %d", i, n)
			}
		}
		testenv.Bench(b, "store_build_insert_rate_"+name, float64(len(numbers))/elapsed.Seconds(), "builds/s")
	}
	b.Run("sqlite", func(b *testing.B) { run(b, "sqlite", openSQLite(b)) })
	base, err := testenv.SharedPostgres()
	if err != nil {
		b.Fatalf("postgres: %v", err)
	}
	if base == "" {
		b.Log("postgres binaries not installed: no postgres figure")
		return
	}
	b.Run("postgres", func(b *testing.B) {
		url := testenv.CreateDatabase(b, base, fmt.Sprintf("drover_bench_%d", os.Getpid()), "")
		s, err := store.Open(context.Background(), url, "")
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		run(b, "postgres", s)
	})
}

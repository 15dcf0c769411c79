package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

// TestBuildListFilter: each filter keeps exactly the builds whose field
// equals it, filters combine, pages hold, and another repository's builds
// never show.
func TestBuildListFilter(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r, other := newRepo(t, s, "filtered"), newRepo(t, s, "other")
		for _, b := range []*core.Build{
			{Target: "main", Event: core.EventPush, Status: core.StatusSuccess, Author: "ann"},       // 1
			{Target: "dev", Event: core.EventPush, Status: core.StatusFailure, Author: "bob"},        // 2
			{Target: "main", Event: core.EventCron, Status: core.StatusFailure, Author: "ann"},       // 3
			{Target: "main", Event: core.EventPullRequest, Status: core.StatusRunning, Author: "bo"}, // 4
		} {
			b.RepoID, b.Ref, b.After = r.ID, "refs/heads/"+b.Target, "abc"
			if err := s.Builds().Create(ctx, b, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Builds().Create(ctx, &core.Build{RepoID: other.ID, Target: "main", Event: core.EventPush, Status: core.StatusSuccess, Author: "ann"}, nil); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name          string
			f             core.BuildFilter
			limit, offset int
			want          string
		}{
			{"none", core.BuildFilter{}, 10, 0, "[4 3 2 1]"},
			{"branch", core.BuildFilter{Branch: "main"}, 10, 0, "[4 3 1]"},
			{"event", core.BuildFilter{Event: core.EventPush}, 10, 0, "[2 1]"},
			{"status", core.BuildFilter{Status: core.StatusFailure}, 10, 0, "[3 2]"},
			{"author exact", core.BuildFilter{Author: "bo"}, 10, 0, "[4]"},
			{"combined", core.BuildFilter{Branch: "main", Status: core.StatusFailure, Author: "ann"}, 10, 0, "[3]"},
			{"no match", core.BuildFilter{Branch: "main", Event: core.EventTag}, 10, 0, "[]"},
			{"paged", core.BuildFilter{Branch: "main"}, 1, 1, "[3]"},
		}
		for _, tc := range tests {
			list, err := s.Builds().ListFilter(ctx, r.ID, tc.f, tc.limit, tc.offset)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			numbers := []int64{}
			for _, b := range list {
				numbers = append(numbers, b.Number)
			}
			if got := fmt.Sprint(numbers); got != tc.want {
				t.Errorf("%s: builds %s, want %s", tc.name, got, tc.want)
			}
		}
	})
}

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// TestBuildListFilters: GET …/builds filters by branch, event, status and
// author (exact, combined, paged with Link headers); an event or status
// no build can have is a 400 naming the allowed values.
func TestBuildListFilters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	repo := &core.Repo{RemoteID: "1", Owner: "acme", Name: "app", Active: true}
	if err := f.store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*core.Build{
		{Target: "main", Event: core.EventPush, Status: core.StatusSuccess, Author: "ann"},
		{Target: "dev", Event: core.EventPush, Status: core.StatusFailure, Author: "bob"},
		{Target: "main", Event: core.EventCron, Status: core.StatusFailure, Author: "ann"},
		{Target: "main", Event: core.EventPullRequest, Status: core.StatusRunning, Author: "annie"},
	} {
		b.RepoID, b.Ref, b.After = repo.ID, "refs/heads/"+b.Target, "abc"
		if err := f.store.Builds().Create(ctx, b, nil); err != nil {
			t.Fatal(err)
		}
	}
	f.srv.AddBuilds(api.BuildDeps{Builder: okBuilder{}, Queue: okQueue{}})
	tests := []struct {
		query string
		code  int
		want  string // build numbers, or a text the error names
	}{
		{"", 200, "[4 3 2 1]"},
		{"?branch=main", 200, "[4 3 1]"},
		{"?event=push", 200, "[2 1]"},
		{"?status=failure", 200, "[3 2]"},
		{"?author=ann", 200, "[3 1]"},
		{"?branch=main&status=failure&author=ann", 200, "[3]"},
		{"?branch=nope", 200, "[]"},
		{"?branch=main&per_page=2&page=2", 200, "[1]"},
		{"?status=broken", 400, "success, failure"},
		{"?status=SUCCESS", 400, "use one of blocked"},
		{"?event=deploy", 400, "push, tag, pull_request, custom, cron, promote, mirror"},
		{"?per_page=0", 400, "per_page"},
	}
	for _, tc := range tests {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api/repos/acme/app/builds"+tc.query, nil)
		req.Header.Set("Authorization", "Bearer "+f.token)
		f.served(t).ServeHTTP(w, req)
		if w.Code != tc.code {
			t.Errorf("%s = %d, want %d: %s", tc.query, w.Code, tc.code, w.Body)
			continue
		}
		if tc.code != 200 {
			if !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("%s: error %s does not name %q", tc.query, w.Body, tc.want)
			}
			continue
		}
		var list []core.Build
		if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
			t.Fatal(err)
		}
		numbers := []int64{}
		for _, b := range list {
			numbers = append(numbers, b.Number)
		}
		if got := fmt.Sprint(numbers); got != tc.want {
			t.Errorf("%s: builds %s, want %s", tc.query, got, tc.want)
		}
	}
	// The next page's link keeps the filters.
	w := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/repos/acme/app/builds?branch=main&per_page=1", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	f.served(t).ServeHTTP(w, req)
	if link := w.Header().Get("Link"); !strings.Contains(link, "branch=main") || !strings.Contains(link, `rel="next"`) {
		t.Errorf("Link %q: want a next page keeping branch=main", link)
	}
}

package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// TestLogPages reads a step's log through the API: the latest attempt by
// default, an earlier one kept when the stage was requeued, pages cut by
// limit and by bytes with X-Next-Offset, and bad parameters refused.
func TestLogPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	repo := &core.Repo{RemoteID: "1", Owner: "acme", Name: "app", Active: true}
	if err := f.store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	b := &core.Build{RepoID: repo.ID, Status: core.StatusPending, Event: core.EventCustom, Ref: "refs/heads/main", After: "abc"}
	stage := &core.Stage{Number: 1, Name: "s", Type: "fake", Status: core.StatusPending, Spec: []byte("{}"),
		Steps: []*core.Step{{Number: 1, Name: "run", Status: core.StatusPending}}}
	if err := f.store.Builds().Create(ctx, b, []*core.Stage{stage}); err != nil {
		t.Fatal(err)
	}
	f.srv.AddBuilds(api.BuildDeps{Builder: okBuilder{}, Queue: okQueue{}})
	r := &core.Runner{Name: "r", TokenHash: "h"}
	if err := f.store.Runners().Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	q := f.store.Queue()
	attempt := func(lines ...string) *core.Stage {
		claimed, _, err := q.Claims().Claim(ctx, []core.Filter{{RunnerID: r.ID, Engines: []string{"fake"}}}, time.Now().Add(time.Minute), nil)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v, %v", claimed, err)
		}
		var ll []*core.LogLine
		for i, text := range lines {
			ll = append(ll, &core.LogLine{Number: int64(i), Text: text})
		}
		if err := q.Reports().AppendLogs(ctx, r.ID, stage.Steps[0].ID, ll, core.LogLimits{}); err != nil {
			t.Fatal(err)
		}
		return claimed[0].Stage
	}
	first := attempt("lost", "with its runner")
	if ok, err := q.Leases().Requeue(ctx, first, 3); err != nil || !ok {
		t.Fatalf("requeue: %v %v", ok, err)
	}
	big := strings.Repeat("x", api.MaxLogPageBytes/2+1)
	attempt("a", "b", "c", big, big, "d")

	const logs = "/api/repos/acme/app/builds/1/logs/1/1"
	tests := []struct {
		query      string
		code       int
		want       string // texts joined by |, long lines as their length
		nextOffset string
	}{
		{"", 200, "a|b|c|big|", "4"},
		{"?offset=4", 200, "big|d", ""},
		{"?limit=2", 200, "a|b", "2"},
		{"?attempt=2&limit=3", 200, "a|b|c", "3"},
		{"?attempt=1", 200, "lost|with its runner", ""},
		{"?attempt=1&offset=1", 200, "with its runner", ""},
		{"?attempt=3", 404, "", ""},
		{"?attempt=0", 400, "", ""},
		{"?limit=0", 400, "", ""},
		{"?offset=-1", 400, "", ""},
		{"?offset=1e3", 400, "", ""},
	}
	for _, tc := range tests {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("GET", logs+tc.query, nil)
		req.Header.Set("Authorization", "Bearer "+f.token)
		f.served(t).ServeHTTP(w, req)
		if w.Code != tc.code {
			t.Errorf("%s = %d, want %d: %s", tc.query, w.Code, tc.code, w.Body)
			continue
		}
		if tc.code != 200 {
			if !strings.Contains(w.Body.String(), `"error"`) {
				t.Errorf("%s: no error message: %s", tc.query, w.Body)
			}
			continue
		}
		var lines []core.LogLine
		if err := json.Unmarshal(w.Body.Bytes(), &lines); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range lines {
			if l.Text == big {
				l.Text = "big"
			}
			got = append(got, l.Text)
		}
		// The first page stops before the second big line: 1 MiB.
		if g := strings.Join(got, "|"); g != strings.TrimSuffix(tc.want, "|") {
			t.Errorf("%s: lines %q, want %q", tc.query, g, tc.want)
		}
		if next := w.Header().Get("X-Next-Offset"); next != tc.nextOffset {
			t.Errorf("%s: X-Next-Offset %q, want %q", tc.query, next, tc.nextOffset)
		}
	}
}

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

// logsFixture is the API with a repository acme/app whose build 1 (stage
// 1, step 1) finished and logged lines.
func logsFixture(t *testing.T, status core.Status, lines int) (*fixture, *core.Build) {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	repo := &core.Repo{RemoteID: "1", Owner: "acme", Name: "app", Active: true}
	if err := f.store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	b := &core.Build{RepoID: repo.ID, Status: status, Event: core.EventCustom, Ref: "refs/heads/main", After: "abc"}
	stage := &core.Stage{Number: 1, Name: "s", Type: "fake", Status: status, Spec: []byte("{}"),
		Steps: []*core.Step{{Number: 1, Name: "run", Status: status}, {Number: 2, Name: "quiet", Status: status}}}
	if err := f.store.Builds().Create(ctx, b, []*core.Stage{stage}); err != nil {
		t.Fatal(err)
	}
	var ll []*core.LogLine
	for i := 0; i < lines; i++ {
		text := "line " + itoa(int64(i))
		if i%2 == 0 {
			text += "\n" // some lines end in a newline, others not: the download ends each in one
		}
		ll = append(ll, &core.LogLine{Number: int64(i), Text: text})
	}
	if err := f.store.Logs().Append(ctx, stage.Steps[0].ID, ll); err != nil {
		t.Fatal(err)
	}
	f.srv.AddBuilds(api.BuildDeps{Builder: okBuilder{}, Queue: okQueue{}})
	return f, b
}

func (f *fixture) get(t *testing.T, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, req)
	return w
}

// TestRawLog: GET …/raw sends every line of the step, across the chunks
// it reads the store in, as a text/plain attachment; bad paths and
// attempts are 4xx.
func TestRawLog(t *testing.T) {
	const n = 2500 // more than two chunks
	f, _ := logsFixture(t, core.StatusSuccess, n)
	const base = "/api/repos/acme/app/builds/1/logs/"
	w := f.get(t, "GET", base+"1/1/raw")
	if w.Code != 200 {
		t.Fatalf("raw = %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="acme-app-1-1-1.log"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	got := strings.Split(strings.TrimSuffix(w.Body.String(), "\n"), "\n")
	if len(got) != n || got[0] != "line 0" || got[1] != "line 1" || got[n-1] != "line "+itoa(n-1) {
		t.Fatalf("raw log: %d lines, first %q, last %q; want %d lines in order", len(got), got[0], got[len(got)-1], n)
	}
	tests := []struct {
		path string
		code int
		body string
	}{
		{base + "1/2/raw", 200, ""}, // a step that printed nothing
		{base + "1/3/raw", 404, "no step 1.3"},
		{base + "2/1/raw", 404, "no step 2.1"},
		{base + "x/1/raw", 400, ""},
		{base + "1/1/raw?attempt=2", 404, "no attempt 2"},
		{base + "1/1/raw?attempt=zero", 400, "attempt"},
		{"/api/repos/acme/app/builds/9/logs/1/1/raw", 404, ""},
	}
	for _, tc := range tests {
		w := f.get(t, "GET", tc.path)
		if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.body) || (tc.code == 200 && w.Body.Len() != 0) {
			t.Errorf("GET %s = %d %.200s, want %d with %q", tc.path, w.Code, w.Body, tc.code, tc.body)
		}
	}
}

// TestPurgeLogs: DELETE …/logs of a finished build answers 204, and then
// every read of its logs (page, raw, stream) is 410 with code purged and
// the time, the build shows logs_purged; a running build is 409 and
// keeps its lines; an unknown build is 404.
func TestPurgeLogs(t *testing.T) {
	f, _ := logsFixture(t, core.StatusSuccess, 3)
	const build = "/api/repos/acme/app/builds/1"
	if w := f.get(t, "DELETE", build+"/logs"); w.Code != 204 {
		t.Fatalf("purge = %d %s", w.Code, w.Body)
	}
	for _, path := range []string{build + "/logs/1/1", build + "/logs/1/1/raw", build + "/logs/1/1/stream", build + "/logs/1/2?offset=0"} {
		w := f.get(t, "GET", path)
		var body struct{ Error, Code string }
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != 410 || body.Code != "purged" || !strings.Contains(body.Error, "logs of build 1 were purged on") {
			t.Errorf("GET %s after the purge = %d %s, want 410 purged", path, w.Code, w.Body)
		}
	}
	if w := f.get(t, "GET", build+"/logs/1/9"); w.Code != 404 {
		t.Errorf("a step the build has not, after the purge = %d, want 404", w.Code)
	}
	w := f.get(t, "GET", build)
	var b core.Build
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || time.Since(b.LogsPurged) > time.Hour {
		t.Errorf("build after the purge: logs_purged %v (%v)", b.LogsPurged, err)
	}
	if w := f.get(t, "DELETE", build+"/logs"); w.Code != 204 {
		t.Errorf("purging again = %d, want 204", w.Code)
	}
	for _, tc := range []struct {
		path string
		code int
	}{{"/api/repos/acme/app/builds/9/logs", 404}, {"/api/repos/acme/app/builds/x/logs", 400}} {
		if w := f.get(t, "DELETE", tc.path); w.Code != tc.code {
			t.Errorf("DELETE %s = %d, want %d", tc.path, w.Code, tc.code)
		}
	}

	running, _ := logsFixture(t, core.StatusRunning, 3)
	w = running.get(t, "DELETE", build+"/logs")
	if w.Code != 409 || !strings.Contains(w.Body.String(), "is running") {
		t.Errorf("purge of a running build = %d %s, want 409", w.Code, w.Body)
	}
	if w := running.get(t, "GET", build+"/logs/1/1"); w.Code != 200 || !strings.Contains(w.Body.String(), "line 2") {
		t.Errorf("a refused purge deleted lines: %d %s", w.Code, w.Body)
	}
}

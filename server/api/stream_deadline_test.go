package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/httplimits"
)

// slowTail is a Queue whose log tail prints a line, waits, then another.
type slowTail struct{ api.Queue }

func (slowTail) TailLogs(ctx context.Context, _, _ int64, fn func([]*core.LogLine) error) error {
	if err := fn([]*core.LogLine{{Number: 0, Text: "first"}}); err != nil {
		return err
	}
	select {
	case <-time.After(600 * time.Millisecond): // past the write timeout
	case <-ctx.Done():
		return ctx.Err()
	}
	return fn([]*core.LogLine{{Number: 1, Text: "second"}})
}

// TestLogStreamOutlastsWriteTimeout: behind the server's HTTP limits, a
// step's log stream to a user allowed to read it goes on past the write
// timeout, to its end.
func TestLogStreamOutlastsWriteTimeout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	repo := &core.Repo{Remote: "", RemoteID: "1", Owner: "acme", Name: "app", Active: true}
	if err := f.store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	b := &core.Build{RepoID: repo.ID, Status: core.StatusRunning, Event: core.EventCustom, Ref: "refs/heads/main", After: "abc"}
	stage := &core.Stage{Number: 1, Name: "s", Type: "fake", Status: core.StatusRunning, Spec: []byte("{}"),
		Steps: []*core.Step{{Number: 1, Name: "run", Status: core.StatusRunning}}}
	if err := f.store.Builds().Create(ctx, b, []*core.Stage{stage}); err != nil {
		t.Fatal(err)
	}
	f.srv.AddBuilds(api.BuildDeps{Queue: slowTail{}})
	srv := httptest.NewUnstartedServer(f.srv)
	srv.Config = httplimits.Server(f.srv, httplimits.Limits{ReadHeaderTimeout: time.Second, ReadTimeout: time.Second,
		WriteTimeout: 200 * time.Millisecond, IdleTimeout: time.Second})
	srv.Start()
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/repos/acme/app/builds/1/logs/1/1/stream", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "second") || !strings.Contains(string(body), "event: end") {
		t.Fatalf("stream = %d, read error %v, body %q: cut by the write timeout", resp.StatusCode, err, body)
	}
}

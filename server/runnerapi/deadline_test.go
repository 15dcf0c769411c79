package runnerapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/httplimits"
	"github.com/drover-ci/drover/server/runnerapi"
	"github.com/drover-ci/drover/server/store"
)

// TestLongPollOutlastsWriteTimeout: behind the server's HTTP limits, a
// runner's request and watch long-polls are answered (204) although they
// last longer than the write timeout (and the body read timeout).
func TestLongPollOutlastsWriteTimeout(t *testing.T) {
	st, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sched := &fakeSched{}
	block := func(ctx context.Context) { <-ctx.Done() }
	sched.RequestFn = func(ctx context.Context, _ core.Filter) (*core.StageDetails, error) {
		block(ctx)
		return nil, ctx.Err()
	}
	sched.WatchFn = func(ctx context.Context, _ int64, _ []int64) ([]int64, error) { block(ctx); return nil, ctx.Err() }
	s := runnerapi.New(runnerapi.Options{Scheduler: sched, Store: st, LongPoll: 600 * time.Millisecond})
	srv := httptest.NewUnstartedServer(s.Handler())
	srv.Config = httplimits.Server(s.Handler(), httplimits.Limits{ReadHeaderTimeout: time.Second,
		ReadTimeout: 100 * time.Millisecond, WriteTimeout: 100 * time.Millisecond, IdleTimeout: time.Second})
	srv.Start()
	t.Cleanup(srv.Close)
	reg, hash, prefix := auth.NewSecret(auth.RegistrationTokenPrefix)
	if err := st.RunnerTokens().Create(context.Background(), &core.RunnerToken{Hash: hash, Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	resp, err := rpcclient.Register(context.Background(), srv.URL, reg, runnerproto.RegisterRequest{Name: "r1", Engines: []string{"fake"}, Capacity: 1})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	for _, path := range []string{"/request", "/watch"} {
		req, _ := http.NewRequest("POST", srv.URL+runnerproto.Prefix+path, strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+resp.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: the long-poll was cut by the write timeout: %v", path, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent {
			t.Errorf("%s = %d, want 204 after the long-poll", path, res.StatusCode)
		}
	}
}

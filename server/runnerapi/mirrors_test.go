package runnerapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/server/runnerapi"
)

// fakeMirrors is a core.MirrorCoordinator of function fields.
type fakeMirrors struct {
	beat   func(runnerID int64, o core.MirrorOffer) (*core.MirrorDelta, error)
	report func(runnerID, mirrorID int64, f *core.MirrorFetch) (*core.MirrorReportAnswer, error)
}

func (f *fakeMirrors) Beat(_ context.Context, runnerID int64, o core.MirrorOffer) (*core.MirrorDelta, error) {
	return f.beat(runnerID, o)
}

func (f *fakeMirrors) Report(_ context.Context, runnerID, mirrorID int64, fe *core.MirrorFetch) (*core.MirrorReportAnswer, error) {
	return f.report(runnerID, mirrorID, fe)
}

// withMirrors serves the fixture's store again with a coordinator.
func withMirrors(t *testing.T, f *fixture, m core.MirrorCoordinator) *rpcclient.Client {
	t.Helper()
	f.sched.HeartbeatFn = func(context.Context, int64) ([]int64, error) { return []int64{}, nil }
	opts := runnerapi.Options{Scheduler: f.sched, Store: f.store, LongPoll: 300 * time.Millisecond}
	if m != nil {
		opts.Mirrors = m
	}
	srv := httptest.NewServer(runnerapi.New(opts).Handler())
	t.Cleanup(srv.Close)
	f.srv = srv
	return rpcclient.New(srv.URL, f.token)
}

func TestMirrorHeartbeatAndReports(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var gotOffer core.MirrorOffer
	var gotFetch *core.MirrorFetch
	var gotRunner, gotMirror int64
	coord := &fakeMirrors{
		beat: func(runnerID int64, o core.MirrorOffer) (*core.MirrorDelta, error) {
			gotRunner, gotOffer = runnerID, o
			return &core.MirrorDelta{Cursor: o.Cursor + 1, Added: []*core.MirrorAssignment{{ID: 4, URL: "file:///x"}}, EveryMS: 10}, nil
		},
		report: func(runnerID, mirrorID int64, fe *core.MirrorFetch) (*core.MirrorReportAnswer, error) {
			gotRunner, gotMirror, gotFetch = runnerID, mirrorID, fe
			if mirrorID == 9 {
				return nil, core.Errorf(core.CodeConflict, "mirror 9 is not held by runner %d", runnerID)
			}
			return &core.MirrorReportAnswer{Retry: []string{"main"}}, nil
		},
	}
	c := withMirrors(t, f, coord)
	d, err := c.MirrorBeat(ctx, core.MirrorOffer{Capacity: 50, Cursor: 7})
	if err != nil || d == nil || d.Cursor != 8 || len(d.Added) != 1 || gotRunner != f.runner || gotOffer.Capacity != 50 {
		t.Fatalf("mirror beat: %+v, %v (runner %d, offer %+v)", d, err, gotRunner, gotOffer)
	}
	if _, err := c.Heartbeat(ctx); err != nil {
		t.Fatalf("a plain heartbeat: %v", err)
	}
	fetch := &core.MirrorFetch{At: time.Now(), Next: time.Now().Add(time.Minute), Heads: []*core.MirrorHead{{Branch: "main", Commit: "abc"}}}
	ans, err := c.MirrorReport(ctx, 4, fetch)
	if err != nil || len(ans.Retry) != 1 || gotMirror != 4 || len(gotFetch.Heads) != 1 || gotFetch.Heads[0].Commit != "abc" {
		t.Fatalf("report: %+v, %v (mirror %d, fetch %+v)", ans, err, gotMirror, gotFetch)
	}
	if _, err := c.MirrorReport(ctx, 9, fetch); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("report of a mirror not held: %v, want conflict", err)
	}
	bad := []struct {
		name, path, body string
		status           int
	}{
		{"heartbeat body not JSON", "/heartbeat", "{", 400},
		{"heartbeat body with an unknown field", "/heartbeat", `{"mirrors":{}}`, 400},
		{"report without a body", runnerproto.MirrorFetchPath("4"), "", 400},
		{"report of a bad id", runnerproto.MirrorFetchPath("x"), "{}", 400},
	}
	for _, b := range bad {
		if code, msg := f.call(t, "POST", b.path, f.token, b.body); code != b.status {
			t.Errorf("%s: %d %s, want %d", b.name, code, msg, b.status)
		}
	}
	if code, _ := f.call(t, "POST", runnerproto.MirrorFetchPath("4"), "", "{}"); code != 401 {
		t.Errorf("report without a token = %d, want 401", code)
	}
}

func TestMirrorsOffWithoutCoordinator(t *testing.T) {
	f := newFixture(t)
	c := withMirrors(t, f, nil)
	if d, err := c.MirrorBeat(context.Background(), core.MirrorOffer{Capacity: 1}); err != nil || d != nil {
		t.Fatalf("mirror beat to a server without mirrors: %+v, %v", d, err)
	}
	if _, err := c.MirrorReport(context.Background(), 1, &core.MirrorFetch{}); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("report to a server without mirrors: %v, want unavailable", err)
	}
}

package runnerapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/runnerapi"
	"github.com/drover-ci/drover/server/store"
)

// fixture is the protocol on a real SQLite store, with a fake scheduler
// and one registered runner.
type fixture struct {
	srv    *httptest.Server
	store  *store.Store
	sched  *fakeSched
	reg    string // a registration token
	token  string // the runner's token
	runner int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: st, sched: &fakeSched{}}
	s := runnerapi.New(runnerapi.Options{Scheduler: f.sched, Store: st, LongPoll: 300 * time.Millisecond})
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	reg, hash, prefix := auth.NewSecret(auth.RegistrationTokenPrefix)
	if err := st.RunnerTokens().Create(context.Background(), &core.RunnerToken{Hash: hash, Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	f.reg = reg
	resp, err := rpcclient.Register(context.Background(), f.srv.URL, reg, runnerproto.RegisterRequest{Name: "r1", Engines: []string{"fake"}, Capacity: 2})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	f.token, f.runner = resp.Token, resp.ID
	return f
}

// call sends a raw request and returns the status and the decoded error
// message (if any).
func (f *fixture) call(t *testing.T, method, path, token, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, f.srv.URL+runnerproto.Prefix+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e runnerproto.ErrorBody
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Error
}

func TestRegister(t *testing.T) {
	f := newFixture(t)
	r, err := f.store.Runners().Find(context.Background(), f.runner)
	if err != nil || r.Name != "r1" || r.Capacity != 2 || r.TokenHash != auth.Hash(f.token) {
		t.Fatalf("registered runner %+v, %v", r, err)
	}
	if !strings.HasPrefix(f.token, auth.RunnerTokenPrefix) {
		t.Fatalf("runner token %q lacks its prefix", f.token)
	}
	cases := []struct {
		name, token, body string
		want              int
	}{
		{"no token", "", `{"name":"x"}`, 401},
		{"wrong token", "drvreg_nope", `{"name":"x"}`, 401},
		{"runner token is not a registration token", f.token, `{"name":"x"}`, 401},
		{"malformed", f.reg, `{"name":`, 400},
		{"unknown field", f.reg, `{"name":"x","admin":true}`, 400},
		{"no name", f.reg, `{"name":" "}`, 400},
		{"bad engine", f.reg, `{"name":"x","engines":["Bad Engine"]}`, 400},
		{"bad capacity", f.reg, `{"name":"x","capacity":-1}`, 400},
		{"oversized", f.reg, `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, msg := f.call(t, "POST", "/register", tc.token, tc.body)
			if code != tc.want || msg == "" {
				t.Fatalf("= %d %q, want %d with a message", code, msg, tc.want)
			}
		})
	}
	if list, _ := f.store.Runners().List(context.Background()); len(list) != 1 {
		t.Fatalf("%d runners after refused registrations, want 1", len(list))
	}
}

func TestAuth(t *testing.T) {
	f := newFixture(t)
	if code, msg := f.call(t, "POST", "/heartbeat", f.token, ""); code != 200 {
		t.Fatalf("heartbeat = %d %q", code, msg)
	}
	for _, tok := range []string{"", "drvr_wrong", f.reg} {
		if code, msg := f.call(t, "POST", "/heartbeat", tok, ""); code != 401 || msg == "" {
			t.Fatalf("heartbeat with %q = %d %q, want 401", tok, code, msg)
		}
	}
	if err := f.store.Runners().Delete(context.Background(), f.runner); err != nil {
		t.Fatal(err)
	}
	code, msg := f.call(t, "POST", "/heartbeat", f.token, "")
	if code != 401 || !strings.Contains(msg, "revoked") {
		t.Fatalf("revoked runner = %d %q, want 401 saying so", code, msg)
	}
	if n := f.sched.called("Heartbeat"); n != 1 {
		t.Fatalf("the scheduler saw %d heartbeats, want only the authenticated one", n)
	}
}

func TestRequestLongPoll(t *testing.T) {
	f := newFixture(t)
	arrive := make(chan *core.StageDetails, 1)
	f.sched.RequestFn = func(ctx context.Context, fl core.Filter) (*core.StageDetails, error) {
		if fl.RunnerID != f.runner || len(fl.Engines) != 1 || fl.Engines[0] != "docker" || fl.Machine != "host-1" {
			return nil, core.Errorf(core.CodeInvalid, "unexpected filter %+v", fl)
		}
		select {
		case s := <-arrive:
			return s, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	body := `{"engines":["docker"],"os":"linux","arch":"amd64","machine":"host-1"}`
	if code, msg := f.call(t, "POST", "/request", f.token, body); code != 204 {
		t.Fatalf("request with nothing queued = %d %q, want 204 after the long-poll", code, msg)
	}
	// The runner's offer is recorded for the admin view and matching.
	if r, _ := f.store.Runners().Find(context.Background(), f.runner); len(r.Engines) != 1 || r.Engines[0] != "docker" || r.OS != "linux" {
		t.Fatalf("runner offer not recorded: %+v", r)
	}
	c := rpcclient.New(f.srv.URL, f.token)
	got := make(chan *core.StageDetails, 1)
	go func() {
		d, _ := c.Request(context.Background(), core.Filter{Engines: []string{"docker"}, Machine: "host-1"})
		got <- d
	}()
	time.Sleep(50 * time.Millisecond)
	arrive <- &core.StageDetails{Stage: &core.Stage{ID: 42, Name: "build"}, Spec: &core.Spec{Name: "build"}}
	select {
	case d := <-got:
		if d == nil || d.Stage.ID != 42 || d.Spec == nil || d.Spec.Name != "build" {
			t.Fatalf("request returned %+v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long-poll did not return when a stage arrived")
	}
	// The client keeps polling across 204s until its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	if s, err := c.Request(ctx, core.Filter{Engines: []string{"docker"}, Machine: "host-1"}); s != nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("request with nothing coming = %+v, %v", s, err)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	f := newFixture(t)
	f.sched.UpdateStageFn = func(_ context.Context, runnerID int64, st *core.Stage) error {
		if st.ID != 7 {
			return errNotHeld
		}
		st.Version++
		return nil
	}
	f.sched.UpdateStepFn = func(_ context.Context, _ int64, st *core.Step) error { return errNotHeld }
	cases := []struct {
		name, method, path, body string
		want                     int
		method2                  string // the scheduler method that must not be called
	}{
		{"stage not held", "PUT", "/stages/8", `{"status":"success"}`, 409, ""},
		{"step not held", "PUT", "/steps/3", `{"status":"success"}`, 409, ""},
		{"id mismatch", "PUT", "/stages/7", `{"id":8,"status":"success"}`, 400, "UpdateStage"},
		{"bad status", "PUT", "/stages/7", `{"status":"done"}`, 400, "UpdateStage"},
		{"malformed stage", "PUT", "/stages/7", `{"status":`, 400, "UpdateStage"},
		{"unknown field", "PUT", "/stages/7", `{"status":"success","owner":1}`, 400, "UpdateStage"},
		{"bad id", "PUT", "/stages/x", `{"status":"success"}`, 400, "UpdateStage"},
		{"oversized logs", "POST", "/steps/3/logs", `[{"pos":0,"out":"` + strings.Repeat("x", 2<<20) + `"}]`, 413, "AppendLogs"},
		{"negative offset", "POST", "/steps/3/logs", `[{"pos":-1,"out":"x"}]`, 400, "AppendLogs"},
		{"null line", "POST", "/steps/3/logs", `[null]`, 400, "AppendLogs"},
		{"logs not an array", "POST", "/steps/3/logs", `{"pos":1}`, 400, "AppendLogs"},
		{"logs of a step not held", "POST", "/steps/3/logs", `[{"pos":0,"out":"x"}]`, 409, ""},
		{"steps with a running stage", "PUT", "/stages/7", `{"status":"running","steps":[{"id":1,"status":"success"}]}`, 400, "UpdateStage"},
		{"step not ended", "PUT", "/stages/7", `{"status":"success","steps":[{"id":1,"status":"running"}]}`, 400, "UpdateStage"},
		{"step without id", "PUT", "/stages/7", `{"status":"success","steps":[{"status":"success"}]}`, 400, "UpdateStage"},
		{"null line with a stage", "PUT", "/stages/7", `{"status":"success","steps":[{"id":1,"status":"success","logs":[null]}]}`, 400, "UpdateStage"},
		{"negative offset with a step", "PUT", "/steps/3", `{"status":"success","logs":[{"pos":-2,"out":"x"}]}`, 400, "UpdateStep"},
		{"too many lines with a step", "PUT", "/steps/3", `{"status":"success","logs":[` + strings.Repeat(`{"pos":1},`, runnerapi.MaxBatchLines) + `{"pos":1}]}`, 400, "UpdateStep"},
		{"machine too long", "POST", "/request", `{"engines":["docker"],"machine":"` + strings.Repeat("m", 256) + `"}`, 400, "Request"},
		{"watch not JSON", "POST", "/watch", `ignore`, 400, "Watch"},
		{"details not held", "GET", "/stages/9", ``, 409, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := 0
			if tc.method2 != "" {
				before = f.sched.called(tc.method2)
			}
			code, msg := f.call(t, tc.method, tc.path, f.token, tc.body)
			if code != tc.want || msg == "" {
				t.Fatalf("%s %s = %d %q, want %d with a message", tc.method, tc.path, code, msg, tc.want)
			}
			if tc.method2 != "" && f.sched.called(tc.method2) != before {
				t.Fatalf("the scheduler's %s was called for a refused request", tc.method2)
			}
		})
	}
	if code, msg := f.call(t, "PUT", "/stages/7", f.token, `{"status":"success","version":3}`); code != 200 {
		t.Fatalf("a good update = %d %q", code, msg)
	}
}

func TestWatch(t *testing.T) {
	f := newFixture(t)
	cancelled := make(chan struct{})
	f.sched.WatchFn = func(ctx context.Context, runnerID int64, ignore []int64) ([]int64, error) {
		if runnerID != f.runner {
			return nil, core.Errorf(core.CodeInvalid, "watch for runner %d", runnerID)
		}
		select {
		case <-cancelled:
			return slices.DeleteFunc([]int64{5, 6}, func(id int64) bool { return slices.Contains(ignore, id) }), nil
		case <-ctx.Done():
			return nil, nil
		}
	}
	c := rpcclient.New(f.srv.URL, f.token)
	// Nothing within the server's long-poll: an empty answer, no error.
	if ids, err := c.Watch(context.Background(), nil); err != nil || len(ids) != 0 {
		t.Fatalf("watch without a cancel = %v, %v; want nothing", ids, err)
	}
	got := make(chan []int64, 1)
	go func() { ids, _ := c.Watch(context.Background(), []int64{6}); got <- ids }()
	time.Sleep(50 * time.Millisecond)
	close(cancelled)
	select {
	case ids := <-got:
		if !slices.Equal(ids, []int64{5}) {
			t.Fatalf("watch returned %v, want [5] (6 is ignored)", ids)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not return on a cancel")
	}
	for _, body := range []string{`{"ignore":"x"}`, `{"ignore":[1],"extra":1}`, `[]`} {
		if code, msg := f.call(t, "POST", "/watch", f.token, body); code != 400 {
			t.Fatalf("watch with %s = %d %q, want 400", body, code, msg)
		}
	}
}

package runnerapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/server/runnerapi"
	"github.com/drover-ci/drover/server/scheduler"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

// parkingServer is the real scheduler behind the protocol with requests
// parked after 50 ms of a 20 s long-poll; stop answers the parked ones.
func parkingServer(t *testing.T, st *store.Store) (sc *scheduler.Scheduler, srv *httptest.Server, stop context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus := scheduler.NewBus(quiet)
	if st.Dialect() == store.Postgres {
		bus.ListenPostgres(ctx, st.DB())
	}
	sc = scheduler.New(st, bus, scheduler.Options{Lease: time.Minute, ReapEvery: 100 * time.Millisecond,
		PollEvery: 200 * time.Millisecond, Log: quiet, Secrets: staticSecrets{"token": "x"}})
	sc.Start(ctx)
	stopping, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	srv = httptest.NewServer(runnerapi.New(runnerapi.Options{Scheduler: sc, Store: st, LongPoll: 20 * time.Second,
		ParkAfter: 50 * time.Millisecond, Stopping: stopping, Lease: time.Minute}).Handler())
	t.Cleanup(srv.Close)
	return sc, srv, stop
}

const fakeRequest = `{"engines":["fake"],"os":"linux","arch":"amd64","capacity":1}`

// poll sends one request call and returns its status and stage.
func poll(t *testing.T, srv *httptest.Server, token string) (int, *core.StageDetails) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+runnerproto.Prefix+"/request", strings.NewReader(fakeRequest))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Errorf("request: %v", err)
		return 0, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var d core.StageDetails
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Errorf("decode the stage: %v", err)
	}
	return resp.StatusCode, &d
}

// pollAsync polls on a goroutine; the answer comes on the channel.
func pollAsync(t *testing.T, srv *httptest.Server, token string) <-chan *core.StageDetails {
	out := make(chan *core.StageDetails, 1)
	go func() {
		code, d := poll(t, srv, token)
		if code != http.StatusOK && code != http.StatusNoContent {
			t.Errorf("request answered %d", code)
		}
		out <- d
	}()
	return out
}

func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(15 * time.Second):
		t.Fatalf("no answer: %s", what)
		panic("unreachable")
	}
}

// An idle runner's request is parked (off its goroutine, on the raw
// connection): a stage queued meanwhile still reaches it, complete.
func TestParkedRequestGetsStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sc, srv, _ := parkingServer(t, st)
		r := registerRunner(t, st, srv)
		answer := pollAsync(t, srv, r.Token)
		time.Sleep(300 * time.Millisecond) // well past ParkAfter
		b := seedStages(t, st, 1)
		sc.Enqueued(context.Background())
		d := within(t, answer, "a parked request and a stage queued")
		if d == nil || d.Build == nil || d.Build.ID != b.ID || d.Spec == nil || d.Secrets["token"] != "x" {
			t.Fatalf("parked request got %+v, want build %d's stage with its spec and secrets", d, b.ID)
		}
	})
}

// A runner that went away while its request was parked gets no stage: the
// stage goes to a runner that is there, its attempt not counted.
func TestParkedRequestOfGoneRunner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sc, srv, _ := parkingServer(t, st)
		gone, there := registerRunner(t, st, srv), registerRunner(t, st, srv)
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST %s/request HTTP/1.1\r\nHost: drover\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			runnerproto.Prefix, gone.Token, len(fakeRequest), fakeRequest)
		time.Sleep(300 * time.Millisecond) // parked
		conn.Close()
		time.Sleep(100 * time.Millisecond)
		b := seedStages(t, st, 1)
		sc.Enqueued(context.Background())
		time.Sleep(300 * time.Millisecond) // the dispatcher tries the gone runner first
		d := within(t, pollAsync(t, srv, there.Token), "the stage for the runner that is there")
		if d == nil || d.Build.ID != b.ID {
			t.Fatalf("got %+v, want build %d's stage", d, b.ID)
		}
		if d.Stage.Attempts != 1 {
			t.Fatalf("stage attempts %d, want 1 (the gone runner's claim given back)", d.Stage.Attempts)
		}
	})
}

// Stopping the server answers parked requests at once with 204, and the
// answer is a well-formed HTTP/1.1 response on a closed connection.
func TestStoppingAnswersParkedRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		_, srv, stop := parkingServer(t, st)
		r := registerRunner(t, st, srv)
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s/request HTTP/1.1\r\nHost: drover\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			runnerproto.Prefix, r.Token, len(fakeRequest), fakeRequest)
		time.Sleep(300 * time.Millisecond)
		stop()
		answered := make(chan *http.Response, 1)
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Errorf("read the answer: %v", err)
			}
			answered <- resp
		}()
		resp := within(t, answered, "a parked request when the server stops")
		if resp == nil || resp.StatusCode != http.StatusNoContent || !resp.Close {
			t.Fatalf("answer %+v, want 204 closing the connection", resp)
		}
		if code, _ := poll(t, srv, r.Token); code != http.StatusNoContent {
			t.Fatalf("a request after stopping answered %d, want 204", code)
		}
	})
}

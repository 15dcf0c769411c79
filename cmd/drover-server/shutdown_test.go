package main_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover-ci/drover/internal/testenv"
)

// idleServer is the real binary, started on an empty data dir without a
// local runner, with one remote runner registered.
type idleServer struct {
	cmd    *exec.Cmd
	base   string
	runner string // the runner's token
	logs   *bytes.Buffer
	exited chan error
}

func startIdleServer(tb testing.TB, bin string) *idleServer {
	tb.Helper()
	data, addr := tb.TempDir(), freeAddr(tb)
	cmd := exec.Command(bin, "--http-addr", addr, "--data-dir", data, "--runner-capacity", "0")
	cmd.Env = append(os.Environ(), "DROVER_PLUGIN_DIR="+tb.TempDir())
	s := &idleServer{cmd: cmd, base: "http://" + addr, logs: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	tb.Cleanup(func() { cmd.Process.Kill() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("server did not answer /healthz\n%s", s.logs)
		}
	}
	admin, err := os.ReadFile(filepath.Join(data, "admin.token"))
	if err != nil {
		tb.Fatal(err)
	}
	var reg struct{ Token string }
	s.post(tb, "/api/runners/tokens", strings.TrimSpace(string(admin)), `{}`, &reg)
	var runner struct{ Token string }
	s.post(tb, "/rpc/v1/register", reg.Token, `{"name":"poller","engines":["docker"],"capacity":1}`, &runner)
	s.runner = runner.Token
	return s
}

func (s *idleServer) post(tb testing.TB, path, token, body string, out any) {
	tb.Helper()
	req, _ := http.NewRequest("POST", s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 || json.Unmarshal(data, out) != nil {
		tb.Fatalf("POST %s = %d %s", path, resp.StatusCode, data)
	}
}

// longPoll opens a runner's request long-poll and returns its status once
// answered (0 when the connection failed).
func (s *idleServer) longPoll() <-chan int {
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", s.base+"/rpc/v1/request", strings.NewReader(`{"engines":["docker"]}`))
		req.Header.Set("Authorization", "Bearer "+s.runner)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	return answered
}

// waitPolling waits until the server holds the runner's long-poll (its
// offer is recorded when the poll arrives).
func (s *idleServer) waitPolling(tb testing.TB, answered <-chan int) {
	tb.Helper()
	select {
	case code := <-answered:
		tb.Fatalf("the long-poll was answered %d at once", code)
	case <-time.After(500 * time.Millisecond):
	}
}

// stop sends SIGTERM and returns how long the server took to exit.
func (s *idleServer) stop(tb testing.TB) time.Duration {
	tb.Helper()
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatal(err)
	}
	select {
	case err := <-s.exited:
		if err != nil {
			tb.Fatalf("server exited with %v\n%s", err, s.logs)
		}
		return time.Since(start)
	case <-time.After(60 * time.Second):
		tb.Fatalf("server did not exit on SIGTERM\n%s", s.logs)
	}
	return 0
}

// TestSIGTERMAnswersLongPolls: on SIGTERM an idle server answers a
// runner's open long-poll at once with 204 (the runner polls again
// elsewhere or after the restart) rather than holding it for the whole
// long-poll (30 s), and exits cleanly.
func TestSIGTERMAnswersLongPolls(t *testing.T) {
	s := startIdleServer(t, buildServer(t))
	answered := s.longPoll()
	s.waitPolling(t, answered)
	took := s.stop(t)
	select {
	case code := <-answered:
		if code != http.StatusNoContent {
			t.Errorf("the open long-poll was answered %d, want 204", code)
		}
	default:
		t.Fatal("the server exited without answering the long-poll")
	}
	// Generous (a loaded machine), but well under the 30 s long-poll.
	if took > 15*time.Second {
		t.Errorf("the server took %v to stop: it waited for the long-poll", took)
	}
}

// BenchmarkShutdownIdle measures how long the real binary, idle with one
// runner long-polling, takes from SIGTERM to exit (target < 2000 ms).
func BenchmarkShutdownIdle(b *testing.B) {
	bin := buildServer(b)
	var took []time.Duration
	for i := 0; i < 3; i++ {
		s := startIdleServer(b, bin)
		s.waitPolling(b, s.longPoll())
		took = append(took, s.stop(b))
	}
	ms := float64(testenv.Median(took).Microseconds()) / 1000
	testenv.Bench(b, "shutdown_idle_ms", ms, "ms")
	b.Logf("runs: %v", took)
}

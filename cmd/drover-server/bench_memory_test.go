package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// idleRunners is how many runners the memory figure is taken with.
const idleRunners = 1000

// BenchmarkServerRSSIdleRunners starts the real drover-server (SQLite, no
// local runner), registers 1,000 runners through the runner protocol and
// lets them idle for a minute (DROVER_BENCH_IDLE overrides it), then
// reads the server's resident memory from /proc. Each runner is
// drover-runner's agent (runner.Agent of capacity 2 on runner/rpcclient,
// one HTTP client each) in this process, with an engine no stage asks for.
func BenchmarkServerRSSIdleRunners(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("skipping: reads the server's memory from /proc (Linux)")
	}
	idle := time.Minute
	if v := os.Getenv("DROVER_BENCH_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("DROVER_BENCH_IDLE=%q: %v", v, err)
		}
		idle = d
	}
	srv := startRealServer(b)
	regToken := srv.registrationToken(b)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	clients := make([]*rpcclient.Client, idleRunners)
	for i := range clients {
		resp, err := rpcclient.Register(ctx, srv.url, regToken, runnerproto.RegisterRequest{
			Name: fmt.Sprintf("idle-%04d", i), Engines: []string{"idle"}, OS: runtime.GOOS, Arch: runtime.GOARCH, Capacity: 2})
		if err != nil {
			b.Fatalf("register runner %d: %v", i, err)
		}
		clients[i] = rpcclient.New(srv.url, resp.Token)
		clients[i].Capacity = 2
	}
	b.ResetTimer()
	engines := runner.StaticEngines{"idle": enginetest.NewFake()}
	for i, c := range clients {
		a := runner.New(runner.Options{Client: c, Engines: engines, Capacity: 2,
			Name: fmt.Sprintf("idle-%04d", i), WorkDir: filepath.Join(b.TempDir(), "work")})
		wg.Add(1)
		go func() { defer wg.Done(); _ = a.Run(ctx) }()
	}
	time.Sleep(idle)
	rss, err := residentMB(srv.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(rss, "MB")
	testenv.Bench(b, "server_rss_idle_1000_runners_mb", rss, "MB")
}

// residentMB reads a process's VmRSS in MB (10⁶ bytes).
func residentMB(pid int) (float64, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("VmRSS %q: %w", rest, err)
			}
			return kb * 1024 / 1e6, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// realServer is the drover-server binary running on a fresh data dir.
type realServer struct {
	cmd   *exec.Cmd
	url   string
	admin string
}

// startRealServer builds and starts drover-server without a local runner,
// waits for /healthz and reads the admin token; it is stopped with tb.
func startRealServer(tb testing.TB) *realServer {
	tb.Helper()
	bin := buildServer(tb)
	data := tb.TempDir()
	addr := freeAddr(tb)
	cmd := exec.Command(bin, "--http-addr", addr, "--data-dir", data, "--runner-capacity", "0", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "DROVER_PLUGIN_DIR="+tb.TempDir())
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s := &realServer{cmd: cmd, url: "http://" + addr}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("server did not answer /healthz: %v\n%s", err, logs.String())
		}
	}
	tok, err := os.ReadFile(filepath.Join(data, "admin.token"))
	if err != nil {
		tb.Fatal(err)
	}
	s.admin = strings.TrimSpace(string(tok))
	return s
}

// registrationToken creates a registration token with the admin token.
func (s *realServer) registrationToken(tb testing.TB) string {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/runners/tokens", strings.NewReader(`{"note":"bench"}`))
	req.Header.Set("Authorization", "Bearer "+s.admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		tb.Fatalf("POST /api/runners/tokens = %d: %v", resp.StatusCode, err)
	}
	return out.Token
}

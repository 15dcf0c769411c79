package main_test

import (
	"bytes"
	"context"
	"errors"

	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildServer compiles drover-server once per test binary.
func buildServer(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "drover-server")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestFirstStart starts the real binary on an empty data dir: it must
// answer /healthz, write admin.token (0600), and accept only that token.
func TestFirstStart(t *testing.T) {
	bin := buildServer(t)
	data := t.TempDir()
	addr := freeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--http-addr", addr, "--data-dir", data, "--runner-capacity", "0")
	cmd.Env = append(os.Environ(), "DROVER_PLUGIN_DIR="+t.TempDir())
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			t.Errorf("server did not stop cleanly on SIGINT: %v\n%s", err, logs.String())
		}
	}()
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not answer /healthz: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	tokenPath := filepath.Join(data, "admin.token")
	info, err := os.Stat(tokenPath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("admin.token: %v mode %v", err, info)
	}
	if !strings.Contains(logs.String(), tokenPath) {
		t.Errorf("the token's path is not printed:\n%s", logs.String())
	}
	token, _ := os.ReadFile(tokenPath)
	for _, tc := range []struct {
		header string
		want   int
	}{{"Bearer " + strings.TrimSpace(string(token)), 200}, {"", 401}, {"Bearer drv_nope", 401}} {
		req, _ := http.NewRequest("GET", base+"/api/user", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET /api/user with %q = %d, want %d", tc.header, resp.StatusCode, tc.want)
		}
	}
}

// TestBadStarts checks that configuration mistakes exit 2 naming the
// culprit, and an unreachable database exits 1 naming the address.
func TestBadStarts(t *testing.T) {
	bin := buildServer(t)
	badFile := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(badFile, []byte("http_adr = \"x\"\n"), 0o600)
	dead := freeAddr(t)
	cases := []struct {
		name     string
		args     []string
		env      []string
		wantCode int
		wantText string
	}{
		{"unknown config key", []string{"--config", badFile}, nil, 2, `unknown key "http_adr"`},
		{"malformed variable", nil, []string{"DROVER_RUNNER_CAPACITY=many"}, 2, "DROVER_RUNNER_CAPACITY"},
		{"unknown flag", []string{"--bogus"}, nil, 2, "bogus"},
		{"unreachable database", nil, []string{
			"DROVER_DATABASE_URL=postgres://u:pw@" + dead + "/db?sslmode=disable&dial_timeout=500ms",
			"DROVER_DATABASE_WAIT=1s"}, 1, dead},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append(tc.args, "--data-dir", t.TempDir(), "--http-addr", freeAddr(t))...)
			cmd.Env = append(os.Environ(), tc.env...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tc.wantCode {
				t.Fatalf("exit = %v, want status %d\n%s", err, tc.wantCode, out)
			}
			if !strings.Contains(string(out), tc.wantText) || strings.Contains(string(out), "panic") {
				t.Fatalf("output does not name %q (or panicked):\n%s", tc.wantText, out)
			}
		})
	}
}

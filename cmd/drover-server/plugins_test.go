package main_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// pluginStatus is an instance as GET /api/plugins lists it.
type pluginStatus struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Plugin    string `json:"plugin"`
	Path      string `json:"path"`
	Version   string `json:"version"`
	SHA256    string `json:"sha256"`
	State     string `json:"state"`
	PID       int    `json:"pid"`
	Restarts  int    `json:"restarts"`
	LastError string `json:"last_error"`
}

// buildLikeMake builds every main package under cmd/ and plugins/ into a
// new directory the way `make build` does: a plugin's binary is named
// drover-<folder>, e.g. plugins/engine-docker → drover-engine-docker. It
// returns the directory and the names of the engine plugins built.
func buildLikeMake(t *testing.T) (string, []string) {
	t.Helper()
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	list := exec.Command("go", "list", "-f", `{{if eq .Name "main"}}{{.Dir}}{{end}}`, "./cmd/...", "./plugins/...")
	list.Dir = strings.TrimSpace(string(root))
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dirs := strings.Fields(string(out))
	// One go build for all of them (it builds in parallel), then make's
	// names.
	tmp := t.TempDir()
	build := exec.Command("go", append([]string{"build", "-o", tmp + string(os.PathSeparator)}, dirs...)...)
	if data, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, data)
	}
	bin := t.TempDir()
	var engines []string
	for _, d := range dirs {
		name := filepath.Base(d)
		rel, _ := filepath.Rel(list.Dir, d)
		target := name
		if strings.HasPrefix(rel, "plugins"+string(os.PathSeparator)) {
			target = "drover-" + name
		}
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(bin, target)); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if strings.HasPrefix(target, "drover-engine-") {
			engines = append(engines, strings.TrimPrefix(target, "drover-engine-"))
		}
	}
	sort.Strings(engines)
	return bin, engines
}

// runServer starts bin/drover-server as `make run` does (the plugin
// directory is bin) with extra environment, waits until it answers and
// returns its URL, the admin token and its output.
func runServer(t *testing.T, bin string, env ...string) (string, string, *lockedLogs) {
	t.Helper()
	data := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(filepath.Join(bin, "drover-server"))
	cmd.Env = append(os.Environ(), append([]string{"DROVER_PLUGIN_DIR=" + bin, "DROVER_DATA_DIR=" + data,
		"DROVER_HTTP_ADDR=" + addr}, env...)...)
	logs := &lockedLogs{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("drover-server did not stop cleanly on SIGINT: %v\n%s", err, logs)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("drover-server did not stop on SIGINT\n%s", logs)
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(60 * time.Second); ; {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("drover-server did not answer /healthz: %v\n%s", err, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	token, err := os.ReadFile(filepath.Join(data, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	return base, strings.TrimSpace(string(token)), logs
}

// listPlugins returns GET /api/plugins.
func listPlugins(t *testing.T, base, token string) []pluginStatus {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/plugins", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var list []pluginStatus
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &list) != nil {
		t.Fatalf("GET /api/plugins = %d %s", resp.StatusCode, data)
	}
	return list
}

// dockerReachable reports whether a Docker daemon answers on the socket
// the docker engine's client uses by default.
func dockerReachable() bool {
	sock := "/var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		if !strings.HasPrefix(h, "unix://") {
			return false
		}
		sock = strings.TrimPrefix(h, "unix://")
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	resp, err := client.Get("http://docker/_ping")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestMakeBuildEnablesEngines: after building like `make build`, the real
// drover-server on that plugin directory (like `make run`) lists every
// engine plugin built as running, from its binary in the directory; the
// remote plugins are not enabled without [[remote]] tables. The docker
// engine needs its daemon: without one it is listed as failed, naming the
// daemon, while the other engines run.
func TestMakeBuildEnablesEngines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every binary; not in -short mode")
	}
	bin, engines := buildLikeMake(t)
	if len(engines) < 2 {
		t.Fatalf("engine plugins built: %v; want at least docker and local", engines)
	}
	daemon := dockerReachable()
	cases := []struct {
		name   string
		env    []string
		docker bool // the docker engine's daemon answers
	}{
		{"as built", nil, daemon},
		{"no docker daemon", []string{"DOCKER_HOST=unix://" + filepath.Join(t.TempDir(), "no-docker.sock")}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base, token, logs := runServer(t, bin, tc.env...)
			list := listPlugins(t, base, token)
			for _, st := range list {
				t.Logf("listed: %+v", st)
			}
			var listed []string
			for _, st := range list {
				if st.Kind != "engine" {
					t.Errorf("%s %s is enabled without a [[%s]] table: %+v", st.Kind, st.Name, st.Kind, st)
					continue
				}
				listed = append(listed, st.Name)
				path := filepath.Join(bin, "drover-engine-"+st.Name)
				sum, err := fileSum(path)
				if err != nil || st.Path != path || st.SHA256 != sum || st.Plugin != "drover-engine-"+st.Name {
					t.Errorf("%s: binary %s sha256 %s (%v); listed %+v", st.Name, path, sum, err, st)
				}
				if st.Name == "docker" && !tc.docker {
					if st.State != "failed" || !strings.Contains(st.LastError, `"docker"`) || !strings.Contains(st.LastError, "docker daemon") {
						t.Errorf("docker without a daemon: %+v; want failed naming the instance and the daemon", st)
					}
					continue
				}
				if st.State != "running" || st.PID <= 0 || st.Version == "" || st.LastError != "" {
					t.Errorf("%s: %+v; want running\n%s", st.Name, st, logs)
				}
			}
			sort.Strings(listed)
			if strings.Join(listed, ",") != strings.Join(engines, ",") {
				t.Errorf("engines listed %v, built %v", listed, engines)
			}
		})
	}
	if !daemon {
		t.Logf("no Docker daemon answers here: the docker engine was checked as refused only")
	}
}

func fileSum(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", sha256.Sum256(data)), nil
}

// lockedLogs is a server's output, written by its process and read by
// the test.
type lockedLogs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/runner"
)

// fakeServer answers POST /rpc/v1/register for the registration token
// "reg-ok" and records the request.
func fakeServer(t *testing.T) (*httptest.Server, *runnerproto.RegisterRequest) {
	t.Helper()
	got := &runnerproto.RegisterRequest{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != runnerproto.Prefix+"/register" || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer reg-ok" {
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(runnerproto.ErrorBody{Error: "invalid or revoked registration token", Code: "unauthenticated"})
			return
		}
		if err := json.NewDecoder(r.Body).Decode(got); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(runnerproto.RegisterResponse{ID: 7, Name: got.Name, Token: "drvr_secret"})
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func runCLI(t *testing.T, stdin string, interactive bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Interactive: interactive})
	return code, out.String(), errb.String()
}

func TestRegisterWithFlags(t *testing.T) {
	srv, got := fakeServer(t)
	path := filepath.Join(t.TempDir(), "conf", "runner.toml")
	code, out, errs := runCLI(t, "", false, "register", "--config", path, "--server", srv.URL, "--token", "reg-ok",
		"--name", "build-01", "--labels", "gpu=yes, zone = a", "--engines", "docker,local", "--capacity", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "build-01") {
		t.Fatalf("output %q", out)
	}
	if got.Name != "build-01" || got.Capacity != 4 || strings.Join(got.Engines, ",") != "docker,local" || got.Labels["zone"] != "a" {
		t.Fatalf("the server got %+v", got)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config file %v, mode %v; want 0600", err, fi.Mode())
	}
	cfg, err := runner.LoadConfig(path)
	if err != nil {
		t.Fatalf("load the written config: %v", err)
	}
	ins, _ := cfg.Instances()
	if cfg.Token != "drvr_secret" || cfg.Server != srv.URL || cfg.Capacity != 4 || len(ins) != 2 || ins[0].Plugin != "drover-engine-docker" {
		t.Fatalf("config %+v, engines %+v", cfg, ins)
	}
	// A second registration does not silently replace the first.
	if code, _, errs := runCLI(t, "", false, "register", "--config", path, "--server", srv.URL, "--token", "reg-ok"); code == 0 || !strings.Contains(errs, "--force") {
		t.Fatalf("re-register without --force: exit %d, %q", code, errs)
	}
}

func TestRegisterInteractive(t *testing.T) {
	srv, got := fakeServer(t)
	path := filepath.Join(t.TempDir(), "runner.toml")
	answers := srv.URL + "\nreg-ok\nasked-name\nos=linux\n\n3\n"
	code, out, errs := runCLI(t, answers, true, "register", "--config", path)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	if !strings.Contains(out, "Server URL") || !strings.Contains(out, "Capacity") {
		t.Fatalf("no prompts shown: %q", out)
	}
	cfg, err := runner.LoadConfig(path)
	if err != nil || cfg.Name != "asked-name" || cfg.Capacity != 3 || cfg.Labels["os"] != "linux" || got.Name != "asked-name" {
		t.Fatalf("config %+v, %v", cfg, err)
	}
}

func TestRegisterRefusals(t *testing.T) {
	srv, _ := fakeServer(t)
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no server, not a terminal", []string{"--token", "x"}, 2, "--server and --token are required"},
		{"wrong token", []string{"--server", srv.URL, "--token", "nope"}, 1, "invalid or revoked registration token"},
		{"bad label", []string{"--server", srv.URL, "--token", "reg-ok", "--labels", "novalue"}, 2, "key=value"},
		{"bad engine name", []string{"--server", srv.URL, "--token", "reg-ok", "--engines", "Docker!"}, 2, "name"},
		{"bad url", []string{"--server", "ftp://x", "--token", "reg-ok"}, 2, "http"},
		{"unknown flag", []string{"--bogus"}, 2, "bogus"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".toml")
			code, _, errs := runCLI(t, "", false, append([]string{"register", "--config", path}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.msg) {
				t.Fatalf("case %d: exit %d %q; want %d mentioning %q", i, code, errs, tc.code, tc.msg)
			}
			if _, err := os.Stat(path); err == nil {
				t.Fatal("a config file was written for a refused registration")
			}
		})
	}
}

func TestConfigUnknownKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runner.toml")
	if err := os.WriteFile(path, []byte("server = \"http://x\"\ntoken = \"t\"\ncapacty = 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "", false, "run", "--config", path)
	if code != 1 || !strings.Contains(errs, "unknown key capacty") {
		t.Fatalf("exit %d %q; want the unknown key named", code, errs)
	}
}

func TestServiceWithoutInitSystem(t *testing.T) {
	old := initSystem
	initSystem = func() (string, error) { return "", errors.New("no init system found (PID 1 is \"sh\")") }
	defer func() { initSystem = old }()
	for _, cmd := range []string{"install", "start", "stop", "restart", "status", "uninstall"} {
		code, _, errs := runCLI(t, "", false, cmd, "--config", filepath.Join(t.TempDir(), "r.toml"))
		if code == 0 || !strings.Contains(errs, "no init system") {
			t.Fatalf("%s: exit %d %q; want a clear error", cmd, code, errs)
		}
	}
}

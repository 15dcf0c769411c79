package config_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/server/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "drover.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadPrecedence(t *testing.T) {
	file := writeFile(t, `
http_addr = "127.0.0.1:9000"
runner_capacity = 5
database_wait = "5s"

[[remote]]
name = "github"
plugin = "drover-remote-github"
client_id = "abc"
url = "https://github.com"

[[engine]]
name = "docker"
`)
	c, err := config.Load([]string{"--config", file, "--runner-capacity", "7"},
		env(map[string]string{"DROVER_HTTP_ADDR": "127.0.0.1:9100", "DROVER_RUNNER_CAPACITY": "6"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:9100" {
		t.Errorf("env should win over the file: http_addr = %q", c.HTTPAddr)
	}
	if c.RunnerCapacity != 7 {
		t.Errorf("flag should win over env: runner_capacity = %d", c.RunnerCapacity)
	}
	if c.DatabaseWait != 5*time.Second {
		t.Errorf("database_wait = %v", c.DatabaseWait)
	}
	if c.ServerURL != "http://127.0.0.1:9100" {
		t.Errorf("server_url default = %q", c.ServerURL)
	}
	if len(c.Remotes) != 1 || c.Remotes[0].Options["client_id"] != "abc" || c.Remotes[0].Plugin != "drover-remote-github" {
		t.Errorf("remotes = %+v", c.Remotes)
	}
	if len(c.Engines) != 1 || c.Engines[0].Plugin != "drover-engine-docker" {
		t.Errorf("engines = %+v (plugin should default to drover-engine-<name>)", c.Engines)
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.DataDir != "./data" || c.RunnerCapacity != 2 || c.DatabaseURL != "" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		args  []string
		env   map[string]string
		wants string // the message must name the culprit
	}{
		{name: "unknown top-level key", file: "htp_addr = \"x\"\n", wants: `unknown key "htp_addr"`},
		{name: "wrong type", file: "http_addr = 8080\n", wants: "http_addr"},
		{name: "wrong int type", file: "runner_capacity = \"two\"\n", wants: "runner_capacity"},
		{name: "negative capacity", file: "runner_capacity = -1\n", wants: "runner_capacity"},
		{name: "bad duration", file: "database_wait = \"soon\"\n", wants: "database_wait"},
		{name: "toml syntax", file: "http_addr = \n", wants: "drover.toml:1"},
		{name: "instance without name", file: "[[engine]]\nplugin = \"drover-engine-x\"\n", wants: "name: missing"},
		{name: "instance name type", file: "[[remote]]\nname = 3\n", wants: "name: want a string"},
		{name: "duplicate instance", file: "[[engine]]\nname = \"a\"\n[[engine]]\nname = \"a\"\n", wants: `"a" is used twice`},
		{name: "bad sha256", file: "[[engine]]\nname = \"a\"\nsha256 = \"xyz\"\n", wants: "sha256"},
		{name: "remote not a table array", file: "remote = \"github\"\n", wants: "remote"},
		{name: "bad env int", env: map[string]string{"DROVER_RUNNER_CAPACITY": "lots"}, wants: "DROVER_RUNNER_CAPACITY"},
		{name: "bad log level", env: map[string]string{"DROVER_LOG_LEVEL": "loud"}, wants: "DROVER_LOG_LEVEL"},
		{name: "unknown flag", args: []string{"--no-such-flag", "1"}, wants: "no-such-flag"},
		{name: "bad flag value", args: []string{"--database-wait", "x"}, wants: "--database-wait"},
		{name: "missing file", args: []string{"--config", "/nonexistent/drover.toml"}, wants: "/nonexistent/drover.toml"},
		{name: "bad server url", env: map[string]string{"DROVER_SERVER_URL": "ftp://x"}, wants: "server_url"},
		{name: "lease too short", env: map[string]string{"DROVER_STAGE_LEASE": "2s"}, wants: "DROVER_STAGE_LEASE: 2s is below the minimum 3s"},
		{name: "lease zero", file: "stage_lease = \"0s\"\n", wants: "stage_lease: 0s is below the minimum 3s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.file != "" {
				args = append([]string{"--config", writeFile(t, tc.file)}, args...)
			}
			_, err := config.Load(args, env(tc.env), io.Discard)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *config.Error", err)
			}
			if !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("error %q does not name %q", err, tc.wants)
			}
		})
	}
}

func TestEnsureSecretKey(t *testing.T) {
	dir := t.TempDir()
	c := &config.Config{DataDir: dir}
	if err := c.EnsureSecretKey(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, config.SecretKeyFile))
	if err != nil || info.Mode().Perm() != 0o600 || len(c.SecretKey) != 64 {
		t.Fatalf("key file %v mode %v, key %q", err, info.Mode(), c.SecretKey)
	}
	again := &config.Config{DataDir: dir}
	if err := again.EnsureSecretKey(); err != nil || again.SecretKey != c.SecretKey {
		t.Fatalf("second start read %q (%v), want the generated key", again.SecretKey, err)
	}
	given := &config.Config{DataDir: t.TempDir(), SecretKey: "mine"}
	if err := given.EnsureSecretKey(); err != nil || given.SecretKey != "mine" {
		t.Fatalf("a configured key must be kept: %q %v", given.SecretKey, err)
	}
}

// TestPipelineProgramSettings: jsonnet_enabled and starlark_enabled are
// off by default and set by the file (TOML booleans), variables and
// flags; anything but a boolean is refused.
func TestPipelineProgramSettings(t *testing.T) {
	c, err := config.Load(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.JsonnetEnabled || c.StarlarkEnabled {
		t.Fatalf("defaults: jsonnet %v, starlark %v; want both off", c.JsonnetEnabled, c.StarlarkEnabled)
	}
	file := writeFile(t, "jsonnet_enabled = true\n")
	c, err = config.Load([]string{"--config", file, "--starlark-enabled", "true"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.JsonnetEnabled || !c.StarlarkEnabled {
		t.Fatalf("file and flag: jsonnet %v, starlark %v", c.JsonnetEnabled, c.StarlarkEnabled)
	}
	c, err = config.Load([]string{"--config", file}, env(map[string]string{"DROVER_JSONNET_ENABLED": "false", "DROVER_STARLARK_ENABLED": "1"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.JsonnetEnabled || !c.StarlarkEnabled {
		t.Fatalf("variables: jsonnet %v, starlark %v", c.JsonnetEnabled, c.StarlarkEnabled)
	}
	for _, bad := range []struct {
		args []string
		file string
	}{
		{args: []string{"--jsonnet-enabled", "maybe"}},
		{file: "starlark_enabled = \"yes please\"\n"},
		{file: "starlark_enabled = 1\n"},
	} {
		args := bad.args
		if bad.file != "" {
			args = []string{"--config", writeFile(t, bad.file)}
		}
		if _, err := config.Load(args, env(nil), io.Discard); err == nil {
			t.Errorf("Load(%v, %q) accepted a non-boolean", bad.args, bad.file)
		}
	}
}

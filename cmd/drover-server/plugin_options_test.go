package main_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMistypedPluginOptionExits2: an instance whose options its plugin
// refuses (a mistyped key, as a mistyped server key) stops the start with
// exit status 2 and the plugin's message, with the real server and the
// real Gitea remote plugin; an instance whose plugin is merely missing
// does not stop the start (it is shown failed).
func TestMistypedPluginOptionExits2(t *testing.T) {
	server := buildServer(t)
	pluginDir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(pluginDir, "drover-remote-gitea"), "github.com/drover-ci/drover/plugins/remote-gitea")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the gitea plugin: %v\n%s", err, out)
	}
	secretFile := filepath.Join(t.TempDir(), "gitea.secret")
	os.WriteFile(secretFile, []byte("s3cret\n"), 0o600)
	gitea := `[[remote]]
name = "gitea"
url = "http://127.0.0.1:1"
client_id = "drover"
%s = %q
`
	cases := []struct {
		name     string
		config   string
		wantExit int // 0: the server starts and answers
		wantText string
	}{
		{"mistyped option", fmt.Sprintf(gitea, "client_secret_fil", secretFile), 2, "client_secret_fil"},
		{"good options", fmt.Sprintf(gitea, "client_secret_file", secretFile), 0, ""},
		{"plugin missing", "[[remote]]\nname = \"forge\"\nplugin = \"drover-remote-nothere\"\n", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "drover.toml")
			os.WriteFile(file, []byte(tc.config), 0o600)
			addr := freeAddr(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, server, "--config", file, "--data-dir", t.TempDir(), "--http-addr", addr, "--runner-capacity", "0")
			cmd.Env = append(os.Environ(), "DROVER_PLUGIN_DIR="+pluginDir)
			logs := &lockedLogs{}
			cmd.Stdout, cmd.Stderr = logs, logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			if tc.wantExit != 0 {
				err := <-exited
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != tc.wantExit {
					t.Fatalf("exit = %v, want status %d\n%s", err, tc.wantExit, logs)
				}
				if !strings.Contains(logs.String(), tc.wantText) || !strings.Contains(logs.String(), "unknown option") {
					t.Fatalf("the output does not give the plugin's message about %q:\n%s", tc.wantText, logs)
				}
				return
			}
			defer func() { cmd.Process.Signal(os.Interrupt); <-exited }()
			for {
				if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
					resp.Body.Close()
					return
				}
				select {
				case err := <-exited:
					t.Fatalf("the server exited: %v\n%s", err, logs)
				case <-time.After(50 * time.Millisecond):
				}
			}
		})
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// sshKey looks like an SSH private key (the server stores it sealed; no
// test fetches with it).
const sshKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"

// TestMirrorCommands: mirrors from add to rm, as tables and as JSON, a
// token read from a file and a key from standard input (never printed),
// update now limited with its Retry-After, a paused mirror shown and
// resumed; bad input exits non-zero with one line.
func TestMirrorCommands(t *testing.T) {
	e := newServerEnv(t)
	dir := t.TempDir()
	tokenFile, pubKey := filepath.Join(dir, "token"), filepath.Join(dir, "id.pub")
	if err := os.WriteFile(tokenFile, []byte("glpat-secret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubKey, []byte("ssh-ed25519 AAAA me@host\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.check(t, []cliCheck{
		{name: "add with a token file", token: "admin", args: []string{"mirror", "add", "https://git.test/acme/upstream.git", "--branch", "main", "--branch", "release/*",
			"--interval", "90s", "--token-file", tokenFile}, stdout: []string{"Watching https://git.test/acme/upstream.git as acme/upstream (mirror 1)"}},
		{name: "add public as JSON", token: "admin", args: []string{"mirror", "add", "file:///srv/git/tools.git", "--repo", "acme/tools", "--public", "--json=id,repo,private"},
			stdout: []string{`"id": 2`, `"repo": "acme/tools"`, `"private": false`}},
	})
	r := e.runIn(t, e.admin, sshKey, "mirror", "add", "git@git.test:acme/keyed.git", "--ssh-key-file", "-", "--jq", ".has_credential")
	if r.code != 0 || r.out != "true\n" || strings.Contains(r.out+r.err, "PRIVATE KEY") {
		t.Fatalf("add with a key from standard input: %d %q %q", r.code, r.out, r.err)
	}
	e.check(t, []cliCheck{
		{name: "ls", token: "admin", args: []string{"mirror", "ls"}, stdout: []string{
			"ID  REPO           URL                                 RUNNER  LAST FETCH  LAST ERROR  FAILURES  NEXT FETCH  STATE",
			"1   acme/upstream  https://git.test/acme/upstream.git  -       -           -           0         ", "active\n"}},
		{name: "ls json", token: "admin", args: []string{"mirror", "ls", "--json=repo,paused", "--jq", ".[].repo"}, stdout: []string{"acme/upstream\nacme/tools\nacme/keyed\n"}},
		{name: "info", token: "admin", args: []string{"mirror", "info", "1"}, stdout: []string{"Branches:     main,release/*", "Interval:     1m30s", "Credential:   yes", "Visibility:   private", "State:        active"}},
		{name: "info json hides the token", token: "admin", args: []string{"mirror", "info", "1", "--json"}, stdout: []string{`"has_credential": true`, `"interval": 90`}},
		{name: "update", token: "admin", args: []string{"mirror", "update", "1", "--interval", "2m", "--all-branches", "--no-credential"}, stdout: []string{"Updated the mirror of https://git.test/acme/upstream.git as acme/upstream (mirror 1)"}},
		{name: "update json", token: "admin", args: []string{"mirror", "update", "1", "--config-path", "ci/.drover.yml", "--json=interval,branches,has_credential,config_path"},
			stdout: []string{`"interval": 120`, `"branches": []`, `"has_credential": false`, `"config_path": "ci/.drover.yml"`}},
		{name: "fetch", token: "admin", args: []string{"mirror", "fetch", "1"}, stdout: []string{"Mirror 1 (acme/upstream) fetches at its runner's next heartbeat."}},
		{name: "fetch json", token: "admin", args: []string{"mirror", "fetch", "2", "--json=id,next_fetch"}, stdout: []string{`"id": 2`, `"next_fetch": "`}},
		{name: "fetch again too soon", token: "admin", args: []string{"mirror", "fetch", "1"}, code: 1, stderr: "s (Retry-After)", oneLine: true},
		{name: "resume an active mirror", token: "admin", args: []string{"mirror", "resume", "2"}, stdout: []string{"Mirror 2 (acme/tools) is active."}},
		{name: "a stranger does not see a private mirror", token: "alice", args: []string{"mirror", "info", "1"}, code: 1, stderr: "(404)", oneLine: true},
		{name: "a stranger lists the public one", token: "alice", args: []string{"mirror", "ls", "--jq", ".[].repo"}, stdout: []string{"acme/tools\n"}},
		{name: "bad url", token: "admin", args: []string{"mirror", "add", "http://git.test/acme/plain.git"}, code: 1, stderr: "http:// is refused", oneLine: true},
		{name: "unknown id", token: "admin", args: []string{"mirror", "info", "99"}, code: 1, stderr: "mirror 99 not found (404)", oneLine: true},
		{name: "id not a number", token: "admin", args: []string{"mirror", "rm", "one"}, code: 2, stderr: `mirror id "one" is not a positive number`, oneLine: true},
		{name: "update needs a change", token: "admin", args: []string{"mirror", "update", "1"}, code: 2, stderr: "nothing to change", oneLine: true},
		{name: "token file missing", token: "admin", args: []string{"mirror", "add", "https://git.test/a/b.git", "--token-file", filepath.Join(dir, "none")}, code: 2, stderr: "--token-file: open", oneLine: true},
		{name: "a public key is no key", token: "admin", args: []string{"mirror", "update", "1", "--ssh-key-file", pubKey}, code: 2, stderr: "holds no private key", oneLine: true},
		{name: "two credentials", token: "admin", args: []string{"mirror", "update", "1", "--token-file", tokenFile, "--no-credential"}, code: 2, stderr: "do not go together", oneLine: true},
		{name: "interval of a fraction", token: "admin", args: []string{"mirror", "update", "1", "--interval", "1500ms"}, code: 2, stderr: "whole number of seconds", oneLine: true},
		{name: "interval below the server's minimum", token: "admin", args: []string{"mirror", "update", "1", "--interval", "2s"}, code: 1, stderr: "interval: 2 seconds", oneLine: true},
		{name: "rm", token: "admin", args: []string{"mirror", "rm", "3"}, stdout: []string{"Stopped watching mirror 3."}},
		{name: "rm unknown", token: "admin", args: []string{"mirror", "rm", "3"}, code: 1, stderr: "(404)", oneLine: true},
	})
	if r := e.run(t, e.admin, "mirror", "info", "1", "--json"); strings.Contains(r.out, "glpat-secret-token") {
		t.Fatalf("a token is shown: %s", r.out)
	}

	// A failed fetch by the runner holding it, then a pause: shown so,
	// refused an update now, resumed.
	ctx := context.Background()
	runner := &core.Runner{Name: "mirror-runner", TokenHash: "h-mirror-runner"}
	if err := e.app.Store.Runners().Create(ctx, runner); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Mirrors.Beat(ctx, runner.ID, core.MirrorOffer{Capacity: 5}); err != nil {
		t.Fatal(err)
	}
	fetch := &core.MirrorFetch{At: time.Now().Add(-5 * time.Minute), Error: "fatal: repository '/srv/git/tools.git' does not exist", Next: time.Now().Add(time.Hour)}
	if _, err := e.app.Mirrors.Report(ctx, runner.ID, 2, fetch); err != nil {
		t.Fatal(err)
	}
	m, err := e.app.Store.Mirrors().Find(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	m.Paused = true
	if err := e.app.Store.Mirrors().Update(ctx, m); err != nil {
		t.Fatal(err)
	}
	// The paused one lost its lease; the other is the runner's.
	rows := []string{fmt.Sprintf("1   acme/upstream  https://git.test/acme/upstream.git  %-6d  -  ", runner.ID),
		"2   acme/tools     file:///srv/git/tools.git           -       5m ago      fatal: repository '/srv/git/tools.git' …  1         -           paused\n"}
	e.check(t, []cliCheck{
		{name: "ls a paused mirror", token: "admin", args: []string{"mirror", "ls"}, stdout: rows},
		{name: "fetch a paused mirror", token: "admin", args: []string{"mirror", "fetch", "2"}, code: 1, stderr: "is paused after 1 failed fetches", oneLine: true},
		{name: "resume", token: "admin", args: []string{"mirror", "resume", "2", "--json=paused,failures"}, stdout: []string{`"paused": false`, `"failures": 0`}},
	})

	// On a terminal the state is coloured and rm asks; --yes does not.
	env := map[string]string{"DROVER_SERVER": e.http.URL, "DROVER_TOKEN": e.admin}
	if r := runTTY(t, e.config, env, "", true, "mirror", "ls"); r.code != 0 || !strings.Contains(r.out, "\x1b[32mactive\x1b[0m") {
		t.Errorf("ls on a terminal: %d %q %q", r.code, r.out, r.err)
	}
	if r := runTTY(t, e.config, env, "n\n", true, "mirror", "rm", "2"); r.code != 1 || !strings.Contains(r.err, "Stop watching acme/tools (mirror 2, file:///srv/git/tools.git)? [y/N] Not removed.") {
		t.Errorf("rm answered no: %d %q %q", r.code, r.out, r.err)
	}
	if r := runTTY(t, e.config, env, "", true, "mirror", "rm", "2", "--yes"); r.code != 0 || r.err != "" || !strings.Contains(r.out, "Stopped watching mirror 2.") {
		t.Errorf("rm --yes on a terminal: %d %q %q", r.code, r.out, r.err)
	}
}

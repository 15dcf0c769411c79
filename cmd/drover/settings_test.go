package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretRegistryCron: a repository's and an owner's secrets and
// registry credentials, and schedules, from add to rm; values are read
// from standard input or a file and never printed.
func TestSecretRegistryCron(t *testing.T) {
	e := newServerEnv(t)
	activeRepo(t, e)
	valueFile := filepath.Join(t.TempDir(), "value")
	if err := os.WriteFile(valueFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	piped := func(name, token, stdin string, args ...string) {
		t.Run(name, func(t *testing.T) {
			if r := e.runIn(t, token, stdin, args...); r.code != 0 || strings.Contains(r.out, stdin) {
				t.Errorf("drover %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), r.code, r.out, r.err)
			}
		})
	}
	piped("secret add from stdin", e.alice, "hunter2\n", "secret", "add", "acme/app", "DOCKER_PASSWORD", "--event", "push,tag")
	piped("registry add from stdin", e.alice, "s3cret\n", "registry", "add", "acme/app", "ghcr.io", "--username", "bot")
	piped("orgsecret add", e.admin, "org-value", "orgsecret", "add", "acme", "ORG_TOKEN")
	piped("org registry add", e.admin, "pw", "registry", "add", "acme", "registry.example.com:5000", "--username", "ci")
	e.check(t, []cliCheck{
		{name: "secret ls", token: "alice", args: []string{"secret", "ls", "acme/app"}, stdout: []string{"NAME             EVENTS    FORKS", "DOCKER_PASSWORD  push,tag  no"}},
		{name: "secret ls json", token: "alice", args: []string{"secret", "ls", "acme/app", "--json=name,events"}, stdout: []string{`"name": "DOCKER_PASSWORD"`, `"tag"`}},
		{name: "secret info", token: "alice", args: []string{"secret", "info", "acme/app", "DOCKER_PASSWORD"}, stdout: []string{"Events:", "push,tag"}},
		{name: "secret update from a file", token: "alice", args: []string{"secret", "update", "acme/app", "DOCKER_PASSWORD", "--value", "@" + valueFile, "--event", "push"}, stdout: []string{"Updated secret DOCKER_PASSWORD"}},
		{name: "secret events changed", token: "alice", args: []string{"secret", "info", "acme/app", "DOCKER_PASSWORD", "--jq", ".events | join(\",\")"}, stdout: []string{"push\n"}},
		{name: "secret update needs a change", token: "alice", args: []string{"secret", "update", "acme/app", "DOCKER_PASSWORD"}, code: 2, stderr: "nothing to change", oneLine: true},
		{name: "secret bad name", token: "alice", args: []string{"secret", "add", "acme/app", "1BAD", "--value", "x"}, code: 1, stderr: "(400)", oneLine: true},
		{name: "secret empty value", token: "alice", args: []string{"secret", "add", "acme/app", "EMPTY"}, code: 2, stderr: "the value is empty", oneLine: true},
		{name: "secret rm", token: "alice", args: []string{"secret", "rm", "acme/app", "DOCKER_PASSWORD"}, stdout: []string{"Deleted secret DOCKER_PASSWORD of acme/app"}},
		{name: "secret gone", token: "alice", args: []string{"secret", "info", "acme/app", "DOCKER_PASSWORD"}, code: 1, stderr: "(404)", oneLine: true},
		{name: "orgsecret ls", token: "admin", args: []string{"orgsecret", "ls", "acme", "--jq", ".[].name"}, stdout: []string{"ORG_TOKEN\n"}},
		{name: "orgsecret is a system admin's", token: "alice", args: []string{"orgsecret", "ls", "acme"}, code: 1, stderr: "(403)", oneLine: true},
		{name: "orgsecret wants an owner", token: "admin", args: []string{"orgsecret", "ls", "acme/app"}, code: 2, stderr: "is not an owner", oneLine: true},
		{name: "orgsecret info", token: "admin", args: []string{"orgsecret", "info", "acme", "ORG_TOKEN", "--jq", ".namespace"}, stdout: []string{"acme\n"}},
		{name: "orgsecret update", token: "admin", args: []string{"orgsecret", "update", "acme", "ORG_TOKEN", "--fork", "--event", "pull_request", "--jq", ".fork"}, stdout: []string{"true\n"}},
		{name: "orgsecret rm", token: "admin", args: []string{"orgsecret", "rm", "acme", "ORG_TOKEN"}, stdout: []string{"Deleted secret ORG_TOKEN of acme"}},
		{name: "registry ls", token: "alice", args: []string{"registry", "ls", "acme/app"}, stdout: []string{"ADDRESS  USERNAME", "ghcr.io  bot"}},
		{name: "registry info", token: "alice", args: []string{"registry", "info", "acme/app", "ghcr.io", "--json=address,username"}, stdout: []string{`"username": "bot"`}},
		{name: "registry update", token: "alice", args: []string{"registry", "update", "acme/app", "ghcr.io", "--username", "robot", "--jq", ".username"}, stdout: []string{"robot\n"}},
		{name: "registry add needs a username", token: "alice", args: []string{"registry", "add", "acme/app", "quay.io"}, code: 2, stderr: "--username is needed", oneLine: true},
		{name: "registry bad address", token: "alice", args: []string{"registry", "add", "acme/app", "https://x/y", "--username", "u", "--password", "p"}, code: 1, stderr: "is not a registry host", oneLine: true},
		{name: "registry rm", token: "alice", args: []string{"registry", "rm", "acme/app", "ghcr.io"}, stdout: []string{"Deleted the credential for ghcr.io"}},
		{name: "org registry ls", token: "admin", args: []string{"registry", "ls", "acme", "--jq", ".[].address"}, stdout: []string{"registry.example.com:5000\n"}},
		{name: "org registry rm", token: "admin", args: []string{"registry", "rm", "acme", "registry.example.com:5000"}, stdout: []string{"Deleted"}},
		{name: "cron add", token: "alice", args: []string{"cron", "add", "acme/app", "nightly", "0 3 * * *", "--branch", "main"}, stdout: []string{"Saved schedule nightly of acme/app (0 3 * * *)"}},
		{name: "cron ls", token: "alice", args: []string{"cron", "ls", "acme/app"}, stdout: []string{"NAME     EXPR       BRANCH  ENABLED", "nightly  0 3 * * *  main    yes"}},
		{name: "cron info", token: "alice", args: []string{"cron", "info", "acme/app", "nightly"}, stdout: []string{"Next run 1:", "Next run 3:"}},
		{name: "cron update", token: "alice", args: []string{"cron", "update", "acme/app", "nightly", "--expr", "@hourly", "--disabled", "--json=expr,enabled"}, stdout: []string{`"expr": "@hourly"`, `"enabled": false`}},
		{name: "cron bad expr", token: "alice", args: []string{"cron", "add", "acme/app", "x", "not a cron"}, code: 1, stderr: "(400)", oneLine: true},
		{name: "cron run", token: "alice", args: []string{"cron", "run", "acme/app", "nightly", "--jq", ".event"}, stdout: []string{"cron\n"}},
		{name: "cron rm", token: "alice", args: []string{"cron", "rm", "acme/app", "nightly"}, stdout: []string{"Deleted schedule nightly"}},
		{name: "cron ls empty", token: "alice", args: []string{"cron", "ls", "acme/app", "--json"}, stdout: []string{"[]"}},
	})
}

// TestAdminCommands: runners, their tokens, users and plugins, as the
// system admin; a user is refused with one line.
func TestAdminCommands(t *testing.T) {
	e := newServerEnv(t)
	r := e.run(t, e.admin, "runner", "ls", "--jq", ".[0].id")
	id := strings.TrimSpace(r.out)
	if r.code != 0 || id == "" {
		t.Fatalf("runner ls: %d %q %q", r.code, r.out, r.err)
	}
	e.check(t, []cliCheck{
		{name: "runner ls", token: "admin", args: []string{"runner", "ls"}, stdout: []string{"ID  NAME", "online", "local"}},
		{name: "runner info", token: "admin", args: []string{"runner", "info", id}, stdout: []string{"Runner:", "Capacity:", "2"}},
		{name: "runner pause", token: "admin", args: []string{"runner", "pause", id, "--jq", ".status"}, stdout: []string{"paused\n"}},
		{name: "runner resume", token: "admin", args: []string{"runner", "resume", id, "--jq", ".paused"}, stdout: []string{"false\n"}},
		{name: "runner token piped is the token alone", token: "admin", args: []string{"runner", "token", "--note", "farm", "--max-uses", "2"}, stdout: []string{"drvreg_"}},
		{name: "runner token ls", token: "admin", args: []string{"runner", "token", "ls"}, stdout: []string{"ID  PREFIX", "farm  0/2"}},
		{name: "runner token rm", token: "admin", args: []string{"runner", "token", "rm", "1"}, stdout: []string{"Deleted registration token 1"}},
		{name: "runner token bad expiry", token: "admin", args: []string{"runner", "token", "--expires-in", "soon"}, code: 1, stderr: "(400)", oneLine: true},
		{name: "runner is a system admin's", token: "alice", args: []string{"runner", "ls"}, code: 1, stderr: "(403): your account may not do this", oneLine: true},
		{name: "runner bad id", token: "admin", args: []string{"runner", "pause", "x"}, code: 2, stderr: `runner id "x" is not a positive number`, oneLine: true},
		{name: "runner rm unknown", token: "admin", args: []string{"runner", "rm", "999"}, code: 1, stderr: "(404)", oneLine: true},
		{name: "user ls", token: "admin", args: []string{"user", "ls"}, stdout: []string{"LOGIN", "admin", "alice  fake"}},
		{name: "user add", token: "admin", args: []string{"user", "add", "deploy-bot", "--json=token", "--jq", ".token"}, stdout: []string{"drv_"}},
		{name: "user info", token: "admin", args: []string{"user", "info", "deploy-bot"}, stdout: []string{"Login:", "deploy-bot", "Active:", "yes"}},
		{name: "user block", token: "admin", args: []string{"user", "block", "alice", "--remote", "fake"}, stdout: []string{"User alice is blocked."}},
		{name: "blocked user is refused", token: "alice", args: []string{"info"}, code: 1, stderr: "user alice is deactivated (403)", oneLine: true},
		{name: "user unblock", token: "admin", args: []string{"user", "unblock", "alice", "--remote", "fake", "--jq", ".active"}, stdout: []string{"true\n"}},
		{name: "unblocked user", token: "alice", args: []string{"info", "--jq", ".user.login"}, stdout: []string{"alice\n"}},
		{name: "user rm", token: "admin", args: []string{"user", "rm", "deploy-bot"}, stdout: []string{"Deleted user deploy-bot"}},
		{name: "user rm again", token: "admin", args: []string{"user", "rm", "deploy-bot"}, code: 1, stderr: "(404)", oneLine: true},
		{name: "plugin ls", token: "admin", args: []string{"plugin", "ls"}, stdout: []string{"KIND", "remote  fake", "engine  local"}},
		{name: "plugin ls json", token: "admin", args: []string{"plugin", "ls", "--json=name,state", "--jq", ".[].state"}, stdout: []string{"running\n"}},
	})
}

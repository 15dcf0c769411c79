package main

import (
	"context"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// TestRepoCommands: alice syncs her repositories from the remote, lists,
// activates, shows and deactivates them; errors are one line with a hint.
func TestRepoCommands(t *testing.T) {
	e := newServerEnv(t)
	e.check(t, []cliCheck{
		{name: "sync", token: "alice", args: []string{"repo", "sync"}, stdout: []string{"Synced 2 repositories"}},
		{name: "sync json", token: "alice", args: []string{"repo", "sync", "--json=repos,listed"}, stdout: []string{`"repos": 2`, `"listed": 2`}},
		{name: "none active", token: "alice", args: []string{"repo", "ls"}, stderr: "No repositories"},
		{name: "ls all", token: "alice", args: []string{"repo", "ls", "--all"}, stdout: []string{"REPOSITORY  ACTIVE", "acme/app    no", "acme/lib    no"}},
		{name: "activate", token: "alice", args: []string{"repo", "activate", "acme/app"}, stdout: []string{"Repository:", "acme/app", "Active:", "yes"}},
		{name: "activate lib", token: "alice", args: []string{"repo", "activate", "acme/lib", "--json=active", "--jq", ".active"}, stdout: []string{"true\n"}},
		{name: "ls active", token: "alice", args: []string{"repo", "ls", "--json=slug", "--jq", ".[].slug"}, stdout: []string{"acme/app\nacme/lib\n"}},
		{name: "info", token: "alice", args: []string{"repo", "info", "acme/app"}, stdout: []string{"Default branch:", "main", "Trusted:", "no"}},
		{name: "info template", token: "alice", args: []string{"repo", "info", "acme/app", "--template", "{{.slug}} {{.default_branch}}"}, stdout: []string{"acme/app main"}},
		{name: "deactivate", token: "alice", args: []string{"repo", "deactivate", "acme/lib"}, stdout: []string{"Active:", "no"}},
		{name: "admin names the remote", token: "admin", args: []string{"repo", "info", "acme/app", "--remote", "fake", "--jq", ".remote"}, stdout: []string{"fake\n"}},
		{name: "not found", token: "alice", args: []string{"repo", "info", "acme/nope"}, code: 1, stderr: "(404): check the name", oneLine: true},
		{name: "bad name", token: "alice", args: []string{"repo", "info", "acme"}, code: 2, stderr: `"acme" is not a repository: want OWNER/NAME`, oneLine: true},
		{name: "no token", token: "drvt_wrong", args: []string{"repo", "ls"}, code: 1, stderr: "(401): run drover login " + e.http.URL, oneLine: true},
		{name: "too many args", token: "alice", args: []string{"repo", "info", "a/b", "c"}, code: 2, stderr: "got 2 arguments, want OWNER/NAME", oneLine: true},
		{name: "update needs a flag", token: "alice", args: []string{"repo", "update", "acme/app"}, code: 2, stderr: "nothing to change", oneLine: true},
		{name: "unknown flag", token: "alice", args: []string{"repo", "ls", "--nope"}, code: 2, stderr: "unknown flag: --nope", oneLine: true},
	})
	if routeExists(t, e, "PATCH", "/api/repos/{owner}/{name}") {
		e.check(t, []cliCheck{
			{name: "update", token: "alice", args: []string{"repo", "update", "acme/app", "--timeout", "30", "--cancel-previous", "--json=timeout,cancel_previous"},
				stdout: []string{`"timeout": 30`, `"cancel_previous": true`}},
			{name: "trusted is a system admin's", token: "alice", args: []string{"repo", "update", "acme/app", "--trusted"}, code: 1, stderr: "(403)", oneLine: true},
			{name: "trusted by the admin", token: "admin", args: []string{"repo", "update", "acme/app", "--trusted", "--remote", "fake", "--jq", ".trusted"}, stdout: []string{"true\n"}},
		})
	}
	if routeExists(t, e, "POST", "/api/repos/{owner}/{name}/repair") {
		e.check(t, []cliCheck{{name: "repair", token: "alice", args: []string{"repo", "repair", "acme/app"}, stdout: []string{"acme/app"}}})
	}
	if routeExists(t, e, "POST", "/api/repos/{owner}/{name}/chown") {
		e.check(t, []cliCheck{{name: "chown", token: "alice", args: []string{"repo", "chown", "acme/app", "--jq", ".slug"}, stdout: []string{"acme/app\n"}}})
	}
}

// activeRepo syncs and activates acme/app as alice and makes it trusted
// (exec pipelines run on the local engine), and returns it.
func activeRepo(t testing.TB, e *serverEnv) *core.Repo {
	t.Helper()
	for _, args := range [][]string{{"repo", "sync"}, {"repo", "activate", "acme/app"}} {
		if r := e.run(t, e.alice, args...); r.code != 0 {
			t.Fatalf("drover %s: %s", strings.Join(args, " "), r.err)
		}
	}
	ctx := context.Background()
	repo, err := e.app.Store.Repos().FindSlug(ctx, "fake", "acme/app")
	if err != nil {
		t.Fatal(err)
	}
	repo.Trusted = true
	if err := e.app.Store.Repos().Update(ctx, repo); err != nil {
		t.Fatal(err)
	}
	return repo
}

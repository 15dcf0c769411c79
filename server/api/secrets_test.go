package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const repoSecrets = "/api/repos/acme/app/secrets"

func TestRepoSecretLifecycle(t *testing.T) {
	f := newRoleFixture(t)
	tok := f.tokens["owner"]
	code, body := f.raw(t, "POST", repoSecrets, tok, `{"name":"DEPLOY_KEY","value":"hunter2","events":["push","pull_request"],"fork":true}`)
	if code != 201 || strings.Contains(body, "hunter2") {
		t.Fatalf("create = %d %s", code, body)
	}
	if code, _ := f.raw(t, "POST", repoSecrets, tok, `{"name":"DEPLOY_KEY","value":"again"}`); code != 409 {
		t.Fatalf("duplicate = %d, want 409", code)
	}
	code, body = f.raw(t, "PATCH", repoSecrets+"/DEPLOY_KEY", tok, `{"value":"hunter3","events":["tag"],"fork":false}`)
	if code != 200 || strings.Contains(body, "hunter3") {
		t.Fatalf("update = %d %s", code, body)
	}
	for _, path := range []string{repoSecrets, repoSecrets + "/DEPLOY_KEY"} {
		code, body := f.raw(t, "GET", path, tok, "")
		if code != 200 || strings.Contains(body, "hunter") || !strings.Contains(body, `"events":["tag"]`) {
			t.Fatalf("GET %s = %d %s", path, code, body)
		}
	}
	stored, err := f.store.Secrets().List(context.Background(), f.repo.ID, "")
	if err != nil || len(stored) != 1 || stored[0].Data != "hunter3" || stored[0].Fork || stored[0].PullRequest {
		t.Fatalf("stored: %+v %v", stored, err)
	}
	// A change without a value keeps it.
	if code, _ := f.raw(t, "PATCH", repoSecrets+"/DEPLOY_KEY", tok, `{"events":["push"]}`); code != 200 {
		t.Fatalf("update without value = %d", code)
	}
	if stored, _ := f.store.Secrets().List(context.Background(), f.repo.ID, ""); stored[0].Data != "hunter3" {
		t.Fatalf("value lost: %q", stored[0].Data)
	}
	if code, _ := f.raw(t, "DELETE", repoSecrets+"/DEPLOY_KEY", tok, ""); code != 204 {
		t.Fatalf("delete = %d", code)
	}
	if code, _ := f.raw(t, "GET", repoSecrets+"/DEPLOY_KEY", tok, ""); code != 404 {
		t.Fatalf("get deleted = %d, want 404", code)
	}
}

// TestSettingsAccess: a repository's secrets, registry credentials and
// schedules are its admins' (and system admins'); a user who may not
// read the private repository is told it does not exist.
func TestSettingsAccess(t *testing.T) {
	f := newRoleFixture(t)
	want := map[string]int{"anonymous": 401, "other": 404, "reader": 403, "writer": 403, "owner": 200, "admin": 200}
	for _, path := range []string{repoSecrets, "/api/repos/acme/app/registries", "/api/repos/acme/app/cron"} {
		for _, role := range settingRoles {
			if code, body := f.raw(t, "GET", path, f.tokens[role], ""); code != want[role] {
				t.Errorf("GET %s as %s = %d %s, want %d", path, role, code, body, want[role])
			}
		}
	}
	// Refused writes leave nothing behind.
	for _, role := range []string{"other", "reader", "writer"} {
		f.raw(t, "POST", repoSecrets, f.tokens[role], `{"name":"X","value":"v"}`)
		f.raw(t, "POST", "/api/repos/acme/app/registries", f.tokens[role], `{"address":"ghcr.io","username":"u","password":"p"}`)
		f.raw(t, "POST", "/api/repos/acme/app/cron", f.tokens[role], `{"name":"n","expr":"@daily"}`)
	}
	ctx := context.Background()
	secs, _ := f.store.Secrets().List(ctx, f.repo.ID, "acme")
	regs, _ := f.store.Registries().List(ctx, f.repo.ID, "acme")
	crons, _ := f.store.Crons().List(ctx, f.repo.ID)
	if len(secs)+len(regs)+len(crons) != 0 {
		t.Fatalf("refused writes stored %d secrets, %d registries, %d schedules", len(secs), len(regs), len(crons))
	}
}

func TestSecretBadInput(t *testing.T) {
	f := newRoleFixture(t)
	tok := f.tokens["owner"]
	if code, body := f.raw(t, "POST", repoSecrets, tok, `{"name":"KEEP","value":"kept"}`); code != 201 {
		t.Fatalf("seed = %d %s", code, body)
	}
	before, _ := f.store.Secrets().List(context.Background(), f.repo.ID, "")
	create := badInputCases("name", map[string]string{
		"illegal name":        `{"name":"9lives","value":"v"}`,
		"name with a dash":    `{"name":"MY-KEY","value":"v"}`,
		"name with a space":   `{"name":"A B","value":"v"}`,
		"empty name":          `{"name":"","value":"v"}`,
		"no value":            `{"name":"NOVALUE"}`,
		"value too large":     fmt.Sprintf(`{"name":"BIG","value":"%s"}`, strings.Repeat("v", 64<<10+1)),
		"unknown event":       `{"name":"EV","value":"v","events":["merge"]}`,
		"no events":           `{"name":"EV","value":"v","events":[]}`,
		"fork without the pr": `{"name":"FK","value":"v","events":["push"],"fork":true}`,
		"events not a list":   `{"name":"EV","value":"v","events":"push"}`,
	})
	for name, tc := range create {
		code, body := f.raw(t, "POST", repoSecrets, tok, tc.body)
		wantError(t, "create: "+name, code, body, tc.want)
	}
	update := badInputCases("value", map[string]string{
		"rename":        `{"name":"OTHER"}`,
		"unknown event": `{"events":["merge"]}`,
	})
	for name, tc := range update {
		code, body := f.raw(t, "PATCH", repoSecrets+"/KEEP", tok, tc.body)
		wantError(t, "update: "+name, code, body, tc.want)
	}
	code, body := f.raw(t, "GET", repoSecrets+"/bad-name", tok, "")
	wantError(t, "illegal name in the path", code, body, 400)
	after, _ := f.store.Secrets().List(context.Background(), f.repo.ID, "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("bad requests changed the store (-before +after):\n%s", diff)
	}
}

func TestOrgSecrets(t *testing.T) {
	f := newRoleFixture(t)
	const path = "/api/secrets/acme"
	for _, role := range []string{"other", "owner"} {
		if code, _ := f.raw(t, "POST", path, f.tokens[role], `{"name":"ORG","value":"v"}`); code != 403 {
			t.Fatalf("%s creating an organisation secret = %d, want 403", role, code)
		}
	}
	if code, body := f.raw(t, "POST", path, f.token, `{"name":"ORG","value":"org-value"}`); code != 201 || strings.Contains(body, "org-value") {
		t.Fatalf("create = %d %s", code, body)
	}
	if code, _ := f.raw(t, "POST", repoSecrets, f.tokens["owner"], `{"name":"ORG","value":"repo-value"}`); code != 201 {
		t.Fatalf("repository secret of the same name = %d", code)
	}
	list := f.list(t, path, f.token)
	if len(list) != 1 || list[0]["name"] != "ORG" || list[0]["namespace"] != "acme" || list[0]["value"] != nil {
		t.Fatalf("organisation list %v", list)
	}
	if repoList := f.list(t, repoSecrets, f.tokens["owner"]); len(repoList) != 1 || repoList[0]["repo_id"] == nil {
		t.Fatalf("the repository's list shows %v", repoList)
	}
	if code, _ := f.raw(t, "GET", "/api/secrets/other/ORG", f.token, ""); code != 404 {
		t.Fatalf("another owner's secret = %d, want 404", code)
	}
	if code, _ := f.raw(t, "DELETE", path+"/ORG", f.token, ""); code != 204 {
		t.Fatalf("delete = %d", code)
	}
	left, _ := f.store.Secrets().List(context.Background(), f.repo.ID, "acme")
	if len(left) != 1 || left[0].RepoID != f.repo.ID {
		t.Fatalf("left: %+v", left)
	}
}

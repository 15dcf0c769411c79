package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const repoRegistries = "/api/repos/acme/app/registries"

func TestRegistryLifecycle(t *testing.T) {
	f := newRoleFixture(t)
	tok := f.tokens["owner"]
	code, body := f.raw(t, "POST", repoRegistries, tok, `{"address":"registry.example.com:5000","username":"bot","password":"s3cret"}`)
	if code != 201 || strings.Contains(body, "s3cret") {
		t.Fatalf("create = %d %s", code, body)
	}
	if code, _ := f.raw(t, "POST", repoRegistries, tok, `{"address":"registry.example.com:5000","username":"b","password":"p"}`); code != 409 {
		t.Fatalf("duplicate = %d, want 409", code)
	}
	if code, body := f.raw(t, "PATCH", repoRegistries+"/registry.example.com:5000", tok, `{"password":"n3w"}`); code != 200 || strings.Contains(body, "n3w") {
		t.Fatalf("update = %d %s", code, body)
	}
	code, body = f.raw(t, "GET", repoRegistries, tok, "")
	if code != 200 || strings.Contains(body, "n3w") || strings.Contains(body, "password") || !strings.Contains(body, `"username":"bot"`) {
		t.Fatalf("list = %d %s", code, body)
	}
	stored, _ := f.store.Registries().List(context.Background(), f.repo.ID, "")
	if len(stored) != 1 || stored[0].Password != "n3w" || stored[0].Username != "bot" {
		t.Fatalf("stored %+v", stored)
	}
	// An owner's credentials are a system admin's.
	if code, _ := f.raw(t, "POST", "/api/registries/acme", tok, `{"address":"ghcr.io","username":"u","password":"p"}`); code != 403 {
		t.Fatalf("repository admin creating an owner's credential = %d, want 403", code)
	}
	if code, _ := f.raw(t, "POST", "/api/registries/acme", f.token, `{"address":"https://ghcr.io/","username":"u","password":"p"}`); code != 201 {
		t.Fatalf("system admin creating an owner's credential = %d", code)
	}
	if list := f.list(t, "/api/registries/acme", f.token); len(list) != 1 || list[0]["address"] != "ghcr.io" {
		t.Fatalf("owner's credentials %v", list)
	}
	if code, _ := f.raw(t, "DELETE", repoRegistries+"/registry.example.com:5000", tok, ""); code != 204 {
		t.Fatalf("delete = %d", code)
	}
	if list := f.list(t, repoRegistries, tok); len(list) != 0 {
		t.Fatalf("after delete %v", list)
	}
}

func TestRegistryBadInput(t *testing.T) {
	f := newRoleFixture(t)
	tok := f.tokens["owner"]
	if code, _ := f.raw(t, "POST", repoRegistries, tok, `{"address":"ghcr.io","username":"u","password":"p"}`); code != 201 {
		t.Fatal("seed failed")
	}
	before, _ := f.store.Registries().List(context.Background(), f.repo.ID, "")
	for name, tc := range badInputCases("address", map[string]string{
		"path in address":   `{"address":"ghcr.io/team","username":"u","password":"p"}`,
		"upper case":        `{"address":"GHCR.io","username":"u","password":"p"}`,
		"no password":       `{"address":"quay.io","username":"u"}`,
		"empty username":    `{"address":"quay.io","username":"","password":"p"}`,
		"password too long": `{"address":"quay.io","username":"u","password":"` + strings.Repeat("p", 64<<10+1) + `"}`,
	}) {
		code, body := f.raw(t, "POST", repoRegistries, tok, tc.body)
		wantError(t, "create: "+name, code, body, tc.want)
	}
	code, body := f.raw(t, "PATCH", repoRegistries+"/ghcr.io", tok, `{"address":"quay.io"}`)
	wantError(t, "move", code, body, 400)
	after, _ := f.store.Registries().List(context.Background(), f.repo.ID, "")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Fatalf("bad requests changed the store:\n%s", diff)
	}
}

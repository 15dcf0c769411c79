package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/secrets"
)

// roleFixture is the API with the build and settings routes, a sealer for
// secrets, the private repository acme/app and a user per role: other (no
// access), reader (pull), writer (push), owner (repository admin) and
// admin (the system admin).
type roleFixture struct {
	*fixture
	builder *stubBuilder
	repo    *core.Repo
	tokens  map[string]string
}

// roles in the order of growing rights.
var settingRoles = []string{"anonymous", "other", "reader", "writer", "owner", "admin"}

func newRoleFixture(t *testing.T) *roleFixture {
	t.Helper()
	f := newFixture(t)
	c, err := secrets.NewCipher("test-key")
	if err != nil {
		t.Fatal(err)
	}
	f.store.UseSealer(c)
	b := &stubBuilder{}
	f.srv.AddBuilds(api.BuildDeps{Builder: b})
	ctx := context.Background()
	repo := &core.Repo{RemoteID: "1", Owner: "acme", Name: "app", Slug: "acme/app", Branch: "main", Private: true, Active: true}
	if err := f.store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	rf := &roleFixture{fixture: f, builder: b, repo: repo, tokens: map[string]string{"admin": f.token}}
	for _, role := range []struct {
		name string
		perm *core.Perm
	}{
		{"other", nil},
		{"reader", &core.Perm{Pull: true}},
		{"writer", &core.Perm{Pull: true, Push: true}},
		{"owner", &core.Perm{Pull: true, Push: true, Admin: true}},
	} {
		rf.tokens[role.name] = rf.addUser(t, role.name)
		if role.perm != nil {
			u, _ := f.store.Users().FindLogin(ctx, "", role.name)
			p := *role.perm
			p.UserID, p.RepoID = u.ID, repo.ID
			if err := f.store.Perms().Upsert(ctx, &p); err != nil {
				t.Fatal(err)
			}
		}
	}
	return rf
}

// addUser creates a local user with an API token and returns the token.
func (f *fixture) addUser(t *testing.T, login string) string {
	t.Helper()
	ctx := context.Background()
	u := &core.User{Login: login, Active: true}
	if err := f.store.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	if err := f.store.Tokens().Create(ctx, &core.Token{UserID: u.ID, Name: "t", Hash: hash, Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	return secret
}

// raw sends a request and returns the status and the raw body.
func (f *fixture) raw(t *testing.T, method, path, token, body string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// list decodes a JSON array answer.
func (f *fixture) list(t *testing.T, path, token string) []map[string]any {
	t.Helper()
	code, body := f.raw(t, "GET", path, token, "")
	if code != 200 {
		t.Fatalf("GET %s = %d %s", path, code, body)
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
	return out
}

// badInputCases are the bodies every write route refuses, with the
// status: malformed JSON, an oversized body, an unknown field, a wrong
// type, an empty body. extra adds the resource's own.
func badInputCases(field string, extra map[string]string) map[string]struct {
	body string
	want int
} {
	cases := map[string]struct {
		body string
		want int
	}{
		"malformed json": {`{"` + field + `":`, 400},
		"oversized body": {`{"` + field + `":"` + strings.Repeat("x", api.MaxBodyBytes+10) + `"}`, 413},
		"unknown field":  {`{"` + field + `":"a","surprise":true}`, 400},
		"wrong type":     {`{"` + field + `":42}`, 400},
		"empty body":     {``, 400},
		"trailing data":  {`{"` + field + `":"a"} {}`, 400},
	}
	for name, body := range extra {
		cases[name] = struct {
			body string
			want int
		}{body, 400}
	}
	return cases
}

// wantError checks an answer is status want with an error message.
func wantError(t *testing.T, what string, code int, body string, want int) {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal([]byte(body), &e)
	if code != want || e.Error == "" {
		t.Errorf("%s: %d %s, want %d with an error message", what, code, body, want)
	}
}

package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/api/apitest"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/store"
)

// fixture is an API on a real SQLite store with a bootstrapped admin.
type fixture struct {
	srv   *api.Server
	store *store.Store
	token string

	checked    http.Handler // srv behind apitest's validation (served)
	checkedFor *api.Server
}

// served is the fixture's API behind apitest.Handler: every request a
// test makes and its answer are validated against the OpenAPI document.
func (f *fixture) served(t testing.TB) http.Handler {
	if f.checkedFor != f.srv {
		f.checked, f.checkedFor = apitest.Handler(t, f.srv), f.srv
	}
	return f.checked
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	path, err := server.Bootstrap(context.Background(), s, dir)
	if err != nil {
		t.Fatal(err)
	}
	tok := readFile(t, path)
	return &fixture{srv: api.New(api.Options{Store: s, Version: "test"}), store: s, token: tok}
}

func (f *fixture) do(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, r)
	var out map[string]any
	if w.Body.Len() > 0 && strings.HasPrefix(strings.TrimSpace(w.Body.String()), "{") {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: body is not JSON: %q", method, path, w.Body.String())
		}
	}
	return w.Code, out
}

func TestHealthAndVersion(t *testing.T) {
	f := newFixture(t)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/version": 200, "/nope": 404} {
		if code, _ := f.do(t, "GET", path, "", ""); code != want {
			t.Errorf("GET %s = %d, want %d", path, code, want)
		}
	}
	f.store.Close()
	if code, body := f.do(t, "GET", "/readyz", "", ""); code != http.StatusServiceUnavailable || body["error"] == nil {
		t.Errorf("readyz with a closed database = %d %v, want 503 with an error", code, body)
	}
}

func TestUserNeedsToken(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, token string
		want        int
	}{
		{"no header", "", 401},
		{"wrong token", "drv_wrong", 401},
		{"admin token", f.token, 200},
	}
	for _, tc := range cases {
		code, body := f.do(t, "GET", "/api/user", tc.token, "")
		if code != tc.want {
			t.Errorf("%s: status %d, want %d (%v)", tc.name, code, tc.want, body)
		}
		if code == 401 && body["error"] == "" {
			t.Errorf("%s: 401 without a message", tc.name)
		}
		if code == 200 && (body["login"] != "admin" || body["admin"] != true) {
			t.Errorf("%s: user = %v", tc.name, body)
		}
	}
}

func TestTokenLifecycle(t *testing.T) {
	f := newFixture(t)
	code, created := f.do(t, "POST", "/api/user/tokens", f.token, `{"name":"laptop"}`)
	if code != http.StatusCreated {
		t.Fatalf("create = %d %v", code, created)
	}
	secret, _ := created["token"].(string)
	if !strings.HasPrefix(secret, "drv_") {
		t.Fatalf("token secret %q", secret)
	}
	if code, u := f.do(t, "GET", "/api/user", secret, ""); code != 200 || u["login"] != "admin" {
		t.Fatalf("new token does not authenticate: %d %v", code, u)
	}
	if code, _ := f.do(t, "POST", "/api/user/tokens", f.token, `{"name":"laptop"}`); code != http.StatusConflict {
		t.Fatalf("duplicate name = %d, want 409", code)
	}
	list, err := f.store.Tokens().List(context.Background(), 1)
	if err != nil || len(list) != 2 {
		t.Fatalf("tokens stored: %d, %v", len(list), err)
	}
	for _, tok := range list {
		if strings.Contains(tok.Hash, secret) || tok.Hash == secret {
			t.Fatal("a token secret is stored in clear")
		}
	}
	id := int64(created["id"].(float64))
	if code, _ := f.do(t, "DELETE", "/api/user/tokens/"+itoa(id), f.token, ""); code != http.StatusNoContent {
		t.Fatalf("revoke = %d", code)
	}
	if code, _ := f.do(t, "GET", "/api/user", secret, ""); code != http.StatusUnauthorized {
		t.Fatalf("revoked token = %d, want 401", code)
	}
	if code, _ := f.do(t, "DELETE", "/api/user/tokens/"+itoa(id), f.token, ""); code != http.StatusNotFound {
		t.Fatalf("revoking twice = %d, want 404", code)
	}
}

func TestBadInput(t *testing.T) {
	f := newFixture(t)
	big := `{"name":"` + strings.Repeat("x", api.MaxBodyBytes+10) + `"}`
	cases := []struct {
		name, method, path, body string
		want                     int
	}{
		{"malformed json", "POST", "/api/user/tokens", `{"name":`, 400},
		{"empty body", "POST", "/api/user/tokens", ``, 400},
		{"unknown field", "POST", "/api/user/tokens", `{"name":"a","admin":true}`, 400},
		{"trailing data", "POST", "/api/user/tokens", `{"name":"a"} {}`, 400},
		{"missing name", "POST", "/api/user/tokens", `{}`, 400},
		{"bad expiry", "POST", "/api/user/tokens", `{"name":"b","expires_in":"soon"}`, 400},
		{"oversized body", "POST", "/api/user/tokens", big, 413},
		{"bad id", "DELETE", "/api/user/tokens/abc", ``, 400},
		{"wrong method", "PUT", "/api/user", ``, 405},
	}
	for _, tc := range cases {
		code, body := f.do(t, tc.method, tc.path, f.token, tc.body)
		if code != tc.want || body["error"] == nil || body["error"] == "" {
			t.Errorf("%s: %d %v, want %d with an error message", tc.name, code, body, tc.want)
		}
	}
	list, _ := f.store.Tokens().List(context.Background(), 1)
	if len(list) != 1 {
		t.Errorf("bad requests created tokens: %d stored", len(list))
	}
}

func TestExpiredToken(t *testing.T) {
	f := newFixture(t)
	code, created := f.do(t, "POST", "/api/user/tokens", f.token, `{"name":"short","expires_in":"1ns"}`)
	if code != http.StatusCreated {
		t.Fatalf("create = %d", code)
	}
	if code, body := f.do(t, "GET", "/api/user", created["token"].(string), ""); code != 401 || !strings.Contains(body["error"].(string), "expired") {
		t.Fatalf("expired token = %d %v", code, body)
	}
}

func TestListUsersNeedsAdmin(t *testing.T) {
	f := newFixture(t)
	if code, _ := f.do(t, "GET", "/api/users", f.token, ""); code != http.StatusOK {
		t.Fatalf("admin listing users = %d", code)
	}
	u := &core.User{Login: "dev", Active: true}
	if err := f.store.Users().Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	if err := f.store.Tokens().Create(context.Background(), &core.Token{UserID: u.ID, Name: "t", Hash: hash, Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	if code, body := f.do(t, "GET", "/api/users", secret, ""); code != http.StatusForbidden {
		t.Fatalf("non-admin listing users = %d %v, want 403", code, body)
	}
}

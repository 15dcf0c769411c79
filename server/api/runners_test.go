package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/auth"
)

func TestRunnerAdmin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	code, body := f.do(t, "POST", "/api/runners/tokens", f.token, `{"note":"ci","max_uses":1}`)
	if code != http.StatusCreated {
		t.Fatalf("create registration token = %d %v", code, body)
	}
	secret, _ := body["token"].(string)
	if !strings.HasPrefix(secret, auth.RegistrationTokenPrefix) {
		t.Fatalf("registration token %q lacks its prefix", secret)
	}
	r := &core.Runner{Name: "r1", TokenHash: "h", Engines: []string{"docker"}}
	if err := f.store.RunnerTokens().Register(ctx, auth.Hash(secret), r); err != nil {
		t.Fatalf("the created token does not register a runner: %v", err)
	}
	// The list is an array: read it raw.
	req := httptest.NewRequest("GET", "/api/runners", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, req)
	var list []core.Runner
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &list) != nil || len(list) != 1 || list[0].Name != "r1" {
		t.Fatalf("list runners = %d %s", w.Code, w.Body.String())
	}
	if strings.Contains(w.Body.String(), `"h"`) {
		t.Fatalf("the runner list shows the token hash: %s", w.Body.String())
	}
	if code, body := f.do(t, "DELETE", "/api/runners/"+itoa(r.ID), f.token, ""); code != http.StatusNoContent {
		t.Fatalf("revoke = %d %v", code, body)
	}
	if _, err := f.store.Runners().FindToken(ctx, "h"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("revoked runner still found: %v", err)
	}
	if code, _ := f.do(t, "DELETE", "/api/runners/"+itoa(r.ID), f.token, ""); code != http.StatusNotFound {
		t.Fatalf("revoke twice = %d, want 404", code)
	}
}

func TestRunnerAdminBadInput(t *testing.T) {
	f := newFixture(t)
	u := &core.User{Login: "dev", Active: true}
	if err := f.store.Users().Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	dev, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	if err := f.store.Tokens().Create(context.Background(), &core.Token{UserID: u.ID, Name: "t", Hash: hash, Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"no token", "POST", "/api/runners/tokens", "", `{}`, http.StatusUnauthorized},
		{"not an admin creates", "POST", "/api/runners/tokens", dev, `{}`, http.StatusForbidden},
		{"not an admin lists", "GET", "/api/runners", dev, "", http.StatusForbidden},
		{"not an admin revokes", "DELETE", "/api/runners/1", dev, "", http.StatusForbidden},
		{"unknown field", "POST", "/api/runners/tokens", f.token, `{"uses":3}`, http.StatusBadRequest},
		{"negative uses", "POST", "/api/runners/tokens", f.token, `{"max_uses":-1}`, http.StatusBadRequest},
		{"bad expiry", "POST", "/api/runners/tokens", f.token, `{"expires_in":"soon"}`, http.StatusBadRequest},
		{"bad id", "DELETE", "/api/runners/x", f.token, "", http.StatusBadRequest},
		{"oversized", "POST", "/api/runners/tokens", f.token, `{"note":"` + strings.Repeat("x", 2<<20) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := f.do(t, tc.method, tc.path, tc.token, tc.body)
			if code != tc.want || body["error"] == nil {
				t.Fatalf("%s %s = %d %v, want %d with an error message", tc.method, tc.path, code, body, tc.want)
			}
		})
	}
	if toks, _ := f.store.RunnerTokens().List(context.Background()); len(toks) != 0 {
		t.Fatalf("refused requests created %d tokens", len(toks))
	}
}

package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

func TestActivateDeactivate(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	first := f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
	ctx := context.Background()
	repo, _ := f.store.Repos().FindSlug(ctx, "fake", "acme/app")
	user, _ := f.store.Users().FindLogin(ctx, "fake", "octo")
	if !repo.Active || repo.HookSecret != first || repo.UserID != user.ID || len(first) < 32 {
		t.Fatalf("activated repo %+v", repo)
	}
	// Activating again installs a fresh secret.
	cookies := []*http.Cookie{session, csrf}
	csrfHeader := map[string]string{api.CSRFHeader: csrf.Value}
	if w := f.serve(t, request{method: "POST", path: "/api/repos/acme/app", cookies: cookies, headers: csrfHeader}); w.Code != 200 {
		t.Fatalf("second activation = %d", w.Code)
	}
	f.fake.Lock()
	second := f.fake.Hooks["acme/app"][hookURL]
	f.fake.Unlock()
	if second == first {
		t.Fatal("the secret did not change")
	}
	// The GET route of the repository still answers.
	if w := f.serve(t, request{method: "GET", path: "/api/repos/acme/app", cookies: cookies}); w.Code != 200 {
		t.Fatalf("GET repo = %d", w.Code)
	}
	if w := f.serve(t, request{method: "DELETE", path: "/api/repos/acme/app", cookies: cookies, headers: csrfHeader}); w.Code != 200 {
		t.Fatalf("deactivate = %d %s", w.Code, w.Body)
	}
	f.fake.Lock()
	_, still := f.fake.Hooks["acme/app"][hookURL]
	f.fake.Unlock()
	repo, _ = f.store.Repos().FindSlug(ctx, "fake", "acme/app")
	if still || repo.Active || repo.HookSecret != "" {
		t.Fatalf("after deactivation: hook %v, repo %+v", still, repo)
	}
}

func TestActivateNeedsAdmin(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	f.fake.AddRepo("tok", "acme/pushonly", core.Perm{Pull: true, Push: true})
	cookies := []*http.Cookie{session, csrf}
	f.serve(t, request{method: "GET", path: "/api/user/repos?all=true&flush=true", cookies: cookies})
	tests := []struct {
		name, method, path string
		headers            map[string]string
		want               int
	}{
		{"push only", "POST", "/api/repos/acme/pushonly", map[string]string{api.CSRFHeader: csrf.Value}, 403},
		{"unknown", "POST", "/api/repos/acme/none", map[string]string{api.CSRFHeader: csrf.Value}, 404},
		{"no CSRF token", "POST", "/api/repos/acme/pushonly", nil, 403},
		{"deactivate push only", "DELETE", "/api/repos/acme/pushonly", map[string]string{api.CSRFHeader: csrf.Value}, 403},
	}
	for _, tt := range tests {
		if w := f.serve(t, request{method: tt.method, path: tt.path, cookies: cookies, headers: tt.headers}); w.Code != tt.want {
			t.Errorf("%s = %d %s, want %d", tt.name, w.Code, w.Body, tt.want)
		}
	}
	f.fake.Lock()
	n := len(f.fake.Hooks)
	f.fake.Unlock()
	if n != 0 {
		t.Fatalf("hooks installed: %d", n)
	}
}

package kittest

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// LoginWant is what a host's OAuth2 login gives.
type LoginWant struct {
	// AuthPath is the authorisation page's path; Scope a scope the page
	// asks for ("" when the host takes none).
	AuthPath, Scope string
	// User is the fake user (ID, Login, Email and Admin are compared).
	User core.RemoteUser
}

// Login runs the authorisation URL, code exchange, refresh and user.
func Login(t *testing.T, e Env, want LoginWant) {
	t.Helper()
	r, ctx := e.Remote, context.Background()
	redirect := "http://127.0.0.1:8080/login/" + e.Name
	raw, err := r.AuthURL(ctx, "st4te", redirect)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	if u.Path != want.AuthPath || q.Get("state") != "st4te" || q.Get("client_id") != hostfake.ClientID ||
		q.Get("redirect_uri") != redirect || q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), want.Scope) {
		t.Fatalf("auth url %s", raw)
	}
	c, err := r.Exchange(ctx, hostfake.Code, redirect)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != hostfake.Token || c.Refresh != hostfake.RefreshToken || c.Expiry.IsZero() {
		t.Fatalf("creds %+v", c)
	}
	if _, err := r.Exchange(ctx, "bad-code", redirect); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("bad code: %v", err)
	}
	c2, err := r.Refresh(ctx, c)
	if err != nil || c2.Token != hostfake.Token {
		t.Fatalf("refresh: %+v %v", c2, err)
	}
	if _, err := r.Refresh(ctx, core.Creds{Token: "x"}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("refresh without token: %v", err)
	}
	if _, err := r.Refresh(ctx, core.Creds{Refresh: "stale"}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("stale refresh: %v", err)
	}
	user, err := r.User(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if w := want.User; user.ID != w.ID || user.Login != w.Login || user.Email != w.Email || user.Admin != w.Admin {
		t.Fatalf("user %+v", user)
	}
	if _, err := r.User(ctx, core.Creds{Token: "wrong"}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("wrong token: %v", err)
	}
}

package kittest

import (
	"context"
	"errors"
	"testing"

	"github.com/drover-ci/drover/core"
)

// HookURL is the webhook URL Drover installs in the tests of remote name.
func HookURL(name string) string { return "http://127.0.0.1:8080/hook/" + name }

// Webhooks are a fake's webhooks of the fixtures' repository.
type Webhooks struct {
	// Add installs a hook to url, as another tool would.
	Add func(url string)
	// URLs lists the installed hooks' URLs.
	URLs func() []string
	// Drover checks the one hook to HookURL after activation with secret.
	Drover func(secret string) bool
	// FailCreate makes creating a hook forbidden.
	FailCreate func()
}

// ActivateDeactivate activates over a stale hook and a duplicate, again
// with a new secret, deactivates twice and activates afresh; then a missing
// repository, no secret and a forbidden create.
func ActivateDeactivate(t *testing.T, e Env, w Webhooks) {
	t.Helper()
	r, ctx, url := e.Remote, context.Background(), HookURL(e.Name)
	w.Add("http://127.0.0.1:9999/other")
	w.Add(url) // a stale Drover hook, and a duplicate
	w.Add(url)
	if err := r.Activate(ctx, Creds, e.Slug, url, "secret-1"); err != nil {
		t.Fatal(err)
	}
	if err := r.Activate(ctx, Creds, e.Slug, url, "secret-2"); err != nil {
		t.Fatal(err)
	}
	urls := w.URLs()
	mine := 0
	for _, u := range urls {
		if u == url {
			mine++
		}
	}
	if len(urls) != 2 || mine != 1 {
		t.Fatalf("hooks after activation: %v", urls)
	}
	if !w.Drover("secret-2") {
		t.Fatal("drover hook wrong")
	}
	if err := r.Deactivate(ctx, Creds, e.Slug, url); err != nil {
		t.Fatal(err)
	}
	if urls := w.URLs(); len(urls) != 1 || urls[0] == url {
		t.Fatalf("hooks after deactivation: %v", urls)
	}
	if err := r.Deactivate(ctx, Creds, e.Slug, url); err != nil {
		t.Fatalf("second deactivation: %v", err)
	}
	// A fresh activation creates the hook.
	if err := r.Activate(ctx, Creds, e.Slug, url, "secret-3"); err != nil || len(w.URLs()) != 2 {
		t.Fatalf("activate: %v %v", err, w.URLs())
	}
	if err := r.Activate(ctx, Creds, e.Missing, url, "s"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing repo: %v", err)
	}
	if err := r.Activate(ctx, Creds, e.Slug, url, ""); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("no secret: %v", err)
	}
	_ = r.Deactivate(ctx, Creds, e.Slug, url)
	w.FailCreate()
	if err := r.Activate(ctx, Creds, e.Slug, url, "s"); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("forbidden: %v", err)
	}
}

// Posted is a commit status as the fake recorded it.
type Posted struct{ Slug, SHA, State, Label, Description string }

// Statuses posts each Drover status and checks the host's state for it
// (want) in what the fake recorded last; then a missing repository.
func Statuses(t *testing.T, e Env, last func() Posted, want map[core.Status]string) {
	t.Helper()
	r, ctx := e.Remote, context.Background()
	for st, state := range want {
		err := r.Status(ctx, Creds, e.Slug, &core.CommitStatus{SHA: e.SHA, State: st, Label: "drover/push", Desc: "build " + string(st), Target: "http://127.0.0.1:8080/" + e.Slug + "/1"})
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		if p := last(); p.State != state || p.Label != "drover/push" || p.SHA != e.SHA || p.Description != "build "+string(st) || p.Slug != e.Slug {
			t.Fatalf("%s: posted %+v, want state %s", st, p, state)
		}
	}
	if err := r.Status(ctx, Creds, e.Missing, &core.CommitStatus{SHA: e.SHA, State: core.StatusSuccess}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing repo: %v", err)
	}
}

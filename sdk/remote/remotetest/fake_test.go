package remotetest

import (
	"context"
	"errors"
	"testing"

	"github.com/drover-ci/drover/core"
)

func fixture() (*Fake, Config) {
	f := NewFake()
	f.PageSize = 2
	f.AddUser("tok", "alice")
	f.AddRepo("tok", "alice/app", core.Perm{Pull: true, Push: true, Admin: true})
	f.AddRepo("tok", "alice/lib", core.Perm{Pull: true})
	f.AddRepo("tok", "org/site", core.Perm{Pull: true, Push: true})
	f.SetFile("alice/app", "main", "abc123", ".drover.yml", []byte("steps: []\n"))
	push := &core.Event{Kind: core.EventPush, Repo: &core.RemoteRepo{Owner: "alice", Name: "app"},
		Commit: &core.Hook{Ref: "refs/heads/main", After: "abc123"}}
	return f, Config{
		Creds: core.Creds{Token: "tok"}, Login: "alice", Repo: "alice/app", Ref: "main",
		File: ".drover.yml", FileContent: []byte("steps: []\n"), MinRepos: 3,
		Webhooks: []Webhook{{Request: Hook(push, "s3cret"), Secret: "s3cret", Want: push}},
	}
}

// The fake passes its own kit, through gRPC.
func TestFakeConformance(t *testing.T) {
	f, cfg := fixture()
	Run(t, func(*testing.T) core.Remote { return core.RemoteOf(f) }, cfg)
	if f.RequestCount("Repos") == 0 || len(f.Statuses) == 0 {
		t.Fatalf("requests %v, statuses %v", f.Requests, f.Statuses)
	}
}

func TestFakeErrorInjectionAndPaging(t *testing.T) {
	f, cfg := fixture()
	r := Connect(t, core.RemoteOf(f))
	ctx := context.Background()
	f.Err = func(method string) error {
		if method == "Repos" {
			return core.Errorf(core.CodeUnavailable, "rate limited")
		}
		return nil
	}
	if _, err := r.Repos(ctx, cfg.Creds, core.Page{Page: 1}); !errors.Is(err, core.ErrUnavailable) || err.Error() != "rate limited" {
		t.Fatalf("injected error: %v", err)
	}
	f.Lock()
	f.Err = nil
	f.Unlock()
	p, err := r.Repos(ctx, cfg.Creds, core.Page{Page: 1})
	if err != nil || len(p.Repos) != 2 || p.Next != 2 || p.Last != 2 {
		t.Fatalf("page 1: %+v, %v", p, err)
	}
	if got := f.RequestCount("Repos"); got != 2 {
		t.Fatalf("Repos requests %d, want 2", got)
	}
}

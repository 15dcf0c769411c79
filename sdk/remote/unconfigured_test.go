package remote_test

import (
	"context"
	"errors"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

func TestUnconfigured(t *testing.T) {
	ctx := context.Background()
	fake := remotetest.NewFake()
	fake.AddUser("tok", "octo")
	u := remote.NewUnconfigured("fake", "1.2.3", func(options map[string]any) (*remotetest.Fake, error) {
		if options["url"] == nil {
			return nil, core.Errorf(core.CodeInvalid, "url: missing")
		}
		return fake, nil
	})
	if info := u.PluginInfo(); info.Name != "fake" || info.Version != "1.2.3" {
		t.Fatalf("info = %+v", info)
	}
	if _, err := u.User(ctx, core.Creds{Token: "tok"}); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("before Configure: %v, want unavailable", err)
	}
	if err := u.Configure(ctx, map[string]any{}); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("bad options: %v, want invalid", err)
	}
	if err := u.Configure(ctx, map[string]any{"url": "x"}); err != nil {
		t.Fatal(err)
	}
	if u, err := u.User(ctx, core.Creds{Token: "tok"}); err != nil || u.Login != "octo" {
		t.Fatalf("after Configure: %+v %v", u, err)
	}
	if err := u.Configure(ctx, map[string]any{}); err == nil {
		t.Fatal("bad options accepted on reconfigure")
	}
	if _, err := u.User(ctx, core.Creds{Token: "tok"}); err != nil {
		t.Fatalf("a failed reconfigure lost the previous remote: %v", err)
	}
}

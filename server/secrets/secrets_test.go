package secrets_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestCipher(t *testing.T) {
	c, err := secrets.NewCipher("key-one")
	if err != nil {
		t.Fatal(err)
	}
	sealed := c.Seal([]byte("hunter2"), []byte("1//db"))
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("the sealed value contains the plain text")
	}
	if got, err := c.Open(sealed, []byte("1//db")); err != nil || string(got) != "hunter2" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := c.Open(sealed, []byte("2//db")); err == nil {
		t.Fatal("a value moved to another secret opened")
	}
	other, _ := secrets.NewCipher("key-two")
	if _, err := other.Open(sealed, []byte("1//db")); err == nil {
		t.Fatal("a value opened with another key")
	}
	if _, err := secrets.NewCipher(""); err == nil {
		t.Fatal("an empty key was accepted")
	}
}

func TestResolve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, _ := secrets.NewCipher("k")
		s.UseSealer(c)
		repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app"}
		if err := s.Repos().Create(ctx, repo); err != nil {
			t.Fatal(err)
		}
		for _, sec := range []*core.Secret{
			{RepoID: repo.ID, Name: "token", Data: "repo-token"},
			{RepoID: repo.ID, Name: "pr_ok", Data: "pr-value", PullRequest: true},
			{Namespace: "acme", Name: "token", Data: "org-token"},
			{Namespace: "acme", Name: "registry", Data: "org-registry"},
			{Namespace: "other", Name: "registry", Data: "not-ours"},
		} {
			if err := s.Secrets().Create(ctx, sec); err != nil {
				t.Fatal(err)
			}
		}
		var raw []byte
		if err := s.DB().NewSelect().Table("secrets").Column("data").Where("name = 'pr_ok'").Scan(ctx, &raw); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("pr-value")) {
			t.Fatal("secret stored in clear")
		}
		r := &secrets.Resolver{Store: s.Secrets()}
		names := []string{"token", "registry", "pr_ok", "missing"}
		cases := []struct {
			name  string
			build core.Build
			repo  func(core.Repo) core.Repo
			want  map[string]string
		}{
			{"push", core.Build{Event: core.EventPush}, nil,
				map[string]string{"token": "repo-token", "registry": "org-registry", "pr_ok": "pr-value"}},
			{"pull request", core.Build{Event: core.EventPullRequest}, nil, map[string]string{"pr_ok": "pr-value"}},
			{"fork", core.Build{Event: core.EventPullRequest, Fork: "evil/app"}, nil, map[string]string{}},
			{"fork allowed", core.Build{Event: core.EventPullRequest, Fork: "evil/app"},
				func(r core.Repo) core.Repo { r.ForkSecrets = true; return r },
				map[string]string{"token": "repo-token", "registry": "org-registry", "pr_ok": "pr-value"}},
		}
		for _, tc := range cases {
			rp := *repo
			if tc.repo != nil {
				rp = tc.repo(rp)
			}
			got, err := r.Resolve(ctx, &rp, &tc.build, names)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%s: got %v, want %v", tc.name, got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("%s: %s = %q, want %q", tc.name, k, got[k], v)
				}
			}
		}
	})
}

package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
)

func sealed(t *testing.T, s *store.Store) {
	t.Helper()
	c, err := secrets.NewCipher("test-key")
	if err != nil {
		t.Fatal(err)
	}
	s.UseSealer(c)
}

func TestSecretEventsAndFork(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sealed(t, s)
		r := newRepo(t, s, "sec")
		sec := &core.Secret{RepoID: r.ID, Name: "TOKEN", Data: "v1", Events: []string{"pull_request", "push"}, Fork: true}
		if err := s.Secrets().Create(ctx, sec); err != nil {
			t.Fatal(err)
		}
		got, err := s.Secrets().List(ctx, r.ID, "")
		if err != nil || len(got) != 1 {
			t.Fatalf("list: %v %v", got, err)
		}
		if g := got[0]; !g.Fork || !g.PullRequest || len(g.Events) != 2 || g.Data != "v1" {
			t.Fatalf("read back %+v", g)
		}
		sec.Events, sec.Fork, sec.Data = []string{"tag"}, false, "v2"
		if err := s.Secrets().Update(ctx, sec); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Secrets().List(ctx, r.ID, "")
		if g := got[0]; g.Fork || g.PullRequest || len(g.Events) != 1 || g.Events[0] != "tag" || g.Data != "v2" {
			t.Fatalf("after update %+v", g)
		}
	})
}

func TestRegistries(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Registries().Create(ctx, &core.Registry{Address: "ghcr.io"}); !errors.Is(err, core.ErrUnavailable) {
			t.Fatalf("without a sealer: %v, want unavailable", err)
		}
		sealed(t, s)
		r := newRepo(t, s, "reg")
		for _, reg := range []*core.Registry{
			{RepoID: r.ID, Address: "ghcr.io", Username: "repo-user", Password: "repo-pass"},
			{Namespace: "acme", Address: "ghcr.io", Username: "org-user", Password: "org-pass"},
			{Namespace: "acme", Address: "quay.io", Username: "org-quay", Password: "q"},
			{Namespace: "other", Address: "quay.io", Username: "not-ours", Password: "x"},
		} {
			if err := s.Registries().Create(ctx, reg); err != nil || reg.ID == 0 {
				t.Fatalf("create %+v: %v", reg, err)
			}
		}
		dup := &core.Registry{RepoID: r.ID, Address: "ghcr.io", Username: "u", Password: "p"}
		if err := s.Registries().Create(ctx, dup); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("duplicate address: %v, want conflict", err)
		}
		var raw [][]byte
		if err := s.DB().NewSelect().Table("registries").Column("password").Scan(ctx, &raw); err != nil {
			t.Fatal(err)
		}
		for _, b := range raw {
			if bytes.Contains(b, []byte("repo-pass")) || bytes.Contains(b, []byte("org-pass")) {
				t.Fatal("a password is stored in clear")
			}
		}
		all, err := s.Registries().List(ctx, r.ID, "acme")
		if err != nil || len(all) != 3 {
			t.Fatalf("list: %d %v", len(all), err)
		}
		if all[0].Address != "ghcr.io" || all[0].RepoID != r.ID || all[0].Password != "repo-pass" || all[1].Username != "org-user" || all[2].Address != "quay.io" {
			t.Fatalf("order or values: %+v %+v %+v", all[0], all[1], all[2])
		}
		mine := all[0]
		mine.Username, mine.Password = "new-user", "new-pass"
		if err := s.Registries().Update(ctx, mine); err != nil {
			t.Fatal(err)
		}
		own, _ := s.Registries().List(ctx, r.ID, "")
		if len(own) != 1 || own[0].Username != "new-user" || own[0].Password != "new-pass" {
			t.Fatalf("after update: %+v", own)
		}
		moved := *mine
		moved.RepoID = r.ID + 100
		if err := s.Registries().Update(ctx, &moved); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("update in another scope: %v, want not found", err)
		}
		if err := s.Registries().Delete(ctx, mine.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Registries().Delete(ctx, mine.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func TestRunnerStates(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		run := &core.Runner{Name: "r", TokenHash: "state-h"}
		if err := s.Runners().Create(ctx, run); err != nil {
			t.Fatal(err)
		}
		rs := s.RunnerStates()
		if err := rs.Pause(ctx, run.ID+99, 1); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("pause of no runner: %v, want not found", err)
		}
		for range 2 { // pausing twice is no change
			if err := rs.Pause(ctx, run.ID, 1); err != nil {
				t.Fatal(err)
			}
		}
		if p, err := rs.Paused(ctx, run.ID); err != nil || !p {
			t.Fatalf("paused = %v, %v", p, err)
		}
		repo := newRepo(t, s, "states")
		b, stages := newBuild(repo.ID, "")
		if err := s.Builds().Create(ctx, b, stages); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().NewUpdate().Table("stages").Set("status = ?", core.StatusRunning).Set("runner_id = ?", run.ID).
			Set("started = ?", time.Now().UTC()).Where("id = ?", stages[0].ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		states, err := rs.States(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st := states[run.ID]
		if st == nil || !st.Paused || len(st.Running) != 1 || st.Running[0].ID != stages[0].ID || st.Running[0].Name != "build" || st.Running[0].BuildID != b.ID {
			t.Fatalf("state %+v", st)
		}
		if err := rs.Resume(ctx, run.ID); err != nil {
			t.Fatal(err)
		}
		if p, _ := rs.Paused(ctx, run.ID); p {
			t.Fatal("still paused after resume")
		}
		if err := s.Runners().Delete(ctx, run.ID); err != nil {
			t.Fatal(err)
		}
		if err := rs.Pause(ctx, run.ID, 1); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("pause of a revoked runner: %v", err)
		}
	})
}

func TestCronUpdate(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newRepo(t, s, "cron")
		c := &core.Cron{RepoID: r.ID, Name: "nightly", Expr: "@daily", Next: time.Now().Add(time.Hour)}
		if err := s.Crons().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		c.Expr, c.Branch, c.Disabled = "@hourly", "dev", true
		if err := s.Crons().Update(ctx, c); err != nil {
			t.Fatal(err)
		}
		list, _ := s.Crons().List(ctx, r.ID)
		if len(list) != 1 || list[0].Expr != "@hourly" || list[0].Branch != "dev" || !list[0].Disabled {
			t.Fatalf("after update %+v", list)
		}
		other := *c
		other.RepoID = r.ID + 1
		if err := s.Crons().Update(ctx, &other); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("update through another repository: %v", err)
		}
	})
}

func TestMachineUser(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := &core.User{Login: "bot", Active: true}
		tok := &core.Token{Name: "ci", Hash: "bot-hash", Prefix: "drv_x"}
		if err := s.Tokens().CreateUser(ctx, u, tok); err != nil || u.ID == 0 || tok.UserID != u.ID {
			t.Fatalf("create machine user: %v %+v %+v", err, u, tok)
		}
		// A duplicate login creates neither the user nor the token.
		again := &core.User{Login: "bot", Active: true}
		if err := s.Tokens().CreateUser(ctx, again, &core.Token{Name: "ci", Hash: "other-hash"}); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("duplicate login: %v", err)
		}
		if _, err := s.Tokens().FindHash(ctx, "other-hash"); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("the refused machine user's token exists: %v", err)
		}
		// A duplicate token hash leaves no user behind.
		if err := s.Tokens().CreateUser(ctx, &core.User{Login: "bot2", Active: true}, &core.Token{Name: "x", Hash: "bot-hash"}); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("duplicate token: %v", err)
		}
		if _, err := s.Users().FindLogin(ctx, "", "bot2"); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("a refused machine user exists: %v", err)
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

func TestRunners(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rs, ts := s.Runners(), s.RunnerTokens()
		tok := &core.RunnerToken{Hash: "reghash", Prefix: "drvr_r", Note: "ci hosts", MaxUses: 2}
		if err := ts.Create(ctx, tok); err != nil || tok.ID == 0 {
			t.Fatalf("create token: %v (id %d)", err, tok.ID)
		}
		r := &core.Runner{Name: "a", TokenHash: "h1", Labels: map[string]string{"gpu": "yes"},
			Engines: []string{"docker", "local"}, OS: "linux", Arch: "amd64", Capacity: 4}
		if err := ts.Register(ctx, "reghash", r); err != nil || r.ID == 0 {
			t.Fatalf("register: %v (id %d)", err, r.ID)
		}
		if err := ts.Register(ctx, "nope", &core.Runner{Name: "x", TokenHash: "hx"}); !errors.Is(err, core.ErrUnauthenticated) {
			t.Fatalf("unknown registration token: got %v, want unauthenticated", err)
		}
		got, err := rs.FindToken(ctx, "h1")
		if err != nil {
			t.Fatalf("find token: %v", err)
		}
		if got.ID != r.ID || got.Labels["gpu"] != "yes" || len(got.Engines) != 2 || got.Capacity != 4 {
			t.Fatalf("found %+v, want %+v", got, r)
		}
		got.Engines = []string{"ssh"}
		got.Capacity = 1
		if err := rs.Update(ctx, got); err != nil {
			t.Fatalf("update: %v", err)
		}
		at := time.Now().UTC().Truncate(time.Second)
		if err := rs.Touch(ctx, r.ID, at); err != nil {
			t.Fatalf("touch: %v", err)
		}
		again, _ := rs.Find(ctx, r.ID)
		if again.Capacity != 1 || len(again.Engines) != 1 || !again.LastSeen.Equal(at) {
			t.Fatalf("after update and touch: %+v", again)
		}
		// The token allows two uses: concurrent registrations get exactly one more.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = ts.Register(ctx, "reghash", &core.Runner{Name: "c", TokenHash: "hc" + string(rune('0'+i))})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, core.ErrUnauthenticated):
				t.Fatalf("register on a used-up token: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d registrations succeeded on a token with one use left, want 1", ok)
		}
		list, err := rs.List(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %d runners, %v; want 2", len(list), err)
		}
		toks, _ := ts.List(ctx)
		if len(toks) != 1 || toks[0].Uses != 2 || toks[0].Usable(time.Now()) {
			t.Fatalf("token after two uses: %+v", toks)
		}
		if err := rs.Delete(ctx, r.ID); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := rs.FindToken(ctx, "h1"); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("revoked runner still found: %v", err)
		}
		if err := rs.Delete(ctx, r.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
		local := &core.Runner{Name: "local", TokenHash: "local-h", Local: true}
		if err := rs.Create(ctx, local); err != nil {
			t.Fatalf("create local: %v", err)
		}
		if f, err := rs.FindLocal(ctx, "local"); err != nil || f.ID != local.ID {
			t.Fatalf("find local: %v, %v", f, err)
		}
		if err := ts.Delete(ctx, tok.ID); err != nil {
			t.Fatalf("delete token: %v", err)
		}
		if err := ts.Delete(ctx, tok.ID); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("delete token twice: %v", err)
		}
	})
}

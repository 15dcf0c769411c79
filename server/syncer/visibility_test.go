package syncer_test

import (
	"context"
	"testing"

	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
)

// A visibility an admin set survives later syncs; it follows the remote
// again only when the remote's privacy changes.
func TestSyncKeepsVisibilitySetting(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{})
		remote := e.fake.AddRepo("tok", "acme/app", admin)
		remote.Visibility = "public"
		e.slugs(t, e.user, true)
		repo, err := s.Repos().FindSlug(ctx, "fake", "acme/app")
		if err != nil || repo.Visibility != "public" {
			t.Fatalf("synced repository %+v, %v", repo, err)
		}
		repo.Visibility = "private" // as PATCH /api/repos/acme/app does
		if err := s.Repos().Update(ctx, repo); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			private bool
			vis     string
			want    string
		}{
			{false, "public", "private"}, // the setting is kept
			{true, "private", "private"}, // made private on the remote: follows it
			{false, "public", "public"},  // public again on the remote: follows it
		}
		for i, st := range steps {
			e.fake.Lock()
			remote.Private, remote.Visibility = st.private, st.vis
			e.fake.Unlock()
			e.slugs(t, e.user, true)
			got, err := s.Repos().FindSlug(ctx, "fake", "acme/app")
			if err != nil || got.Visibility != st.want || got.Private != st.private {
				t.Fatalf("step %d: visibility %q private %v (%v), want %q %v", i, got.Visibility, got.Private, err, st.want, st.private)
			}
		}
	})
}

package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

// addMatrixMirror gives the matrix mirror 1: acme/mirrored, private, on
// which each role holds the permission it holds on the fixture's
// repositories.
func addMatrixMirror(t *testing.T, s *store.Store, perms map[role]core.Perm) {
	t.Helper()
	ctx := context.Background()
	url := "https://git.test/upstream/mirrored.git"
	m := &core.Mirror{URL: url, Branches: []string{"main"}, Interval: 60, Credential: "tok"}
	repo := &core.Repo{RemoteID: url, Owner: "acme", Name: "mirrored", CloneURL: url, Private: true}
	if err := s.Mirrors().Create(ctx, m, repo, 0); err != nil {
		t.Fatal(err)
	}
	if m.ID != 1 {
		t.Fatalf("the matrix's mirror is %d, not 1", m.ID)
	}
	for r, perm := range perms {
		if perm == (core.Perm{}) {
			continue
		}
		u, err := s.Users().FindLogin(ctx, "fake", string(r[:3])+"-user")
		if err != nil {
			t.Fatal(err)
		}
		p := perm
		p.UserID, p.RepoID = u.ID, m.RepoID
		if err := s.Perms().Upsert(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
}

// mirrorFingerprint sums up the mirrors for the matrix's fingerprint.
func mirrorFingerprint(t *testing.T, s *store.Store) string {
	t.Helper()
	ms, _, err := s.Mirrors().List(context.Background(), core.MirrorFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "mirror %d %s %s paused=%t next=%s updated=%s; ", m.ID, m.Repo, m.URL, m.Paused, m.NextFetch, m.Updated)
	}
	return b.String()
}

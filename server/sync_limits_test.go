package server_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/config"
)

// TestSyncAppliesConfiguredLimits starts the server with sync_owners and
// sync_max_repos set and shows that a user's sync keeps only what they
// allow (the fake lists repositories sorted by slug).
func TestSyncAppliesConfiguredLimits(t *testing.T) {
	listed := []string{"acme/app", "octo/private", "other/lib", "team-x/tool"}
	for _, tc := range []struct {
		name     string
		owners   string
		maxRepos int
		want     []string
	}{
		{"no limits", "", 0, listed},
		{"sync_owners", "ACME, team-*", 0, []string{"acme/app", "team-x/tool"}},
		{"sync_max_repos", "", 2, []string{"acme/app", "octo/private"}},
		{"both", "acme,team-*,other", 2, []string{"acme/app", "other/lib"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, srv, _, fake := startFakeRemote(t, func(c *config.Config) {
				c.SyncOwners, c.SyncMaxRepos = tc.owners, tc.maxRepos
			})
			fake.AddUser("octo-remote", "octo")
			for _, slug := range listed {
				fake.AddRepo("octo-remote", slug, core.Perm{Pull: true, Push: true})
			}
			token := apiUser(t, app, "octo", "octo-remote")

			if code, body := do(t, http.MethodPost, srv.URL+"/api/user/repos", token, ""); code != http.StatusOK {
				t.Fatalf("sync: %d %s", code, body)
			}
			code, body := do(t, http.MethodGet, srv.URL+"/api/user/repos?all=true", token, "")
			if code != http.StatusOK {
				t.Fatalf("list: %d %s", code, body)
			}
			var repos []*core.Repo
			if err := json.Unmarshal(body, &repos); err != nil {
				t.Fatalf("list: %v: %s", err, body)
			}
			var got []string
			for _, r := range repos {
				got = append(got, r.Slug)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("synced %v, want %v", got, tc.want)
			}
		})
	}
}

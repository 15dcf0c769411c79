package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/auth"
)

// TestRevokedRunnerRefusedAtNextCall: runner lookups are cached, yet a
// runner revoked through the API — on this server or, with Postgres, on
// another replica — is refused at its very next call.
func TestRevokedRunnerRefusedAtNextCall(t *testing.T) {
	type setup struct {
		name     string
		revokeOn *replica
		callOn   *replica
	}
	var setups []setup
	sqlite := newReplica(t, "", t.TempDir())
	setups = append(setups, setup{"sqlite", sqlite, sqlite})
	if base := testenv.PostgresURL(t); base != "" {
		url := testenv.CreateDatabase(t, base, fmt.Sprintf("drover_revoke_%d", os.Getpid()), "")
		a, b := newReplica(t, url, t.TempDir()), newReplica(t, url, t.TempDir())
		setups = append(setups, setup{"postgres across replicas", a, b})
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			ctx := context.Background()
			tokenPath, err := server.Bootstrap(ctx, s.revokeOn.app.Store, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			var admin string
			if tokenPath != "" {
				b, _ := os.ReadFile(tokenPath)
				admin = strings.TrimSpace(string(b))
			} else {
				admin = adminToken(t, s.revokeOn)
			}
			secret, hash, _ := auth.NewSecret(auth.RunnerTokenPrefix)
			rec := &core.Runner{Name: "doomed", TokenHash: hash, Engines: []string{"fake"}}
			if err := s.revokeOn.app.Store.Runners().Create(ctx, rec); err != nil {
				t.Fatal(err)
			}
			c := rpcclient.New(s.callOn.http.URL, secret)
			for i := 0; i < 3; i++ { // cached now
				if _, err := c.Heartbeat(ctx); err != nil {
					t.Fatalf("heartbeat before revocation: %v", err)
				}
			}
			req, _ := http.NewRequest("DELETE", fmt.Sprintf("%s/api/runners/%d", s.revokeOn.http.URL, rec.ID), nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 300 {
				t.Fatalf("revoke = %d", resp.StatusCode)
			}
			if _, err := c.Heartbeat(ctx); !errors.Is(err, core.ErrUnauthenticated) {
				t.Fatalf("heartbeat after revocation: %v, want unauthenticated", err)
			}
		})
	}
}

// adminToken makes a fresh admin token when the database already has users.
func adminToken(t *testing.T, r *replica) string {
	t.Helper()
	ctx := context.Background()
	u := &core.User{Login: fmt.Sprintf("admin-%d", os.Getpid()), Admin: true, Active: true}
	if err := r.app.Store.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	secret, hash, prefix := auth.NewSecret(auth.TokenPrefix)
	if err := r.app.Store.Tokens().Create(ctx, &core.Token{UserID: u.ID, Name: "t", Hash: hash, Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	return secret
}

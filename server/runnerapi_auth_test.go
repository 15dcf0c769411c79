package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/auth"
)

// TestRunnerProtocolAuthorisation walks every route of the runner
// protocol (/rpc/v1/, outside the OpenAPI document and so outside the
// API's authorisation matrix) as anonymous, as a user (the first admin),
// as a runner and with a registration token: only a runner's token
// passes, and only the registration token registers.
func TestRunnerProtocolAuthorisation(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	reg, regHash, regPrefix := auth.NewSecret(auth.RegistrationTokenPrefix)
	if err := h.app.Store.RunnerTokens().Create(ctx, &core.RunnerToken{Hash: regHash, Prefix: regPrefix}); err != nil {
		t.Fatal(err)
	}
	runner, runnerHash, _ := auth.NewSecret(auth.RunnerTokenPrefix)
	if err := h.app.Store.RunnerTokens().Register(ctx, regHash, &core.Runner{Name: "matrix", TokenHash: runnerHash}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, rt := range h.app.API.Router().Routes() {
		if !strings.HasPrefix(rt.Path, "/rpc/v1/") {
			continue
		}
		n++
		path := strings.ReplaceAll(rt.Path, ":id", "999999")
		for _, caller := range []struct {
			name, token string
			allowed     bool
		}{
			{"anonymous", "", false},
			{"a user", h.token, false},
			{"a runner", runner, !strings.HasSuffix(rt.Path, "/register")},
			{"a registration token", reg, strings.HasSuffix(rt.Path, "/register")},
		} {
			// A malformed body (an empty registration): an allowed caller
			// is refused for it or the missing stage or step, not for who
			// it is, and long polls answer at once.
			body := "{"
			if strings.HasSuffix(rt.Path, "/register") {
				body = `{"name":"matrix-2","engines":["docker"]}`
			}
			req, _ := http.NewRequest(rt.Method, h.http.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if caller.token != "" {
				req.Header.Set("Authorization", "Bearer "+caller.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			refused := resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden
			if refused == caller.allowed {
				t.Errorf("%s %s as %s = %d, want %s", rt.Method, rt.Path, caller.name, resp.StatusCode,
					map[bool]string{true: "no 401 or 403 (allowed)", false: "401 or 403"}[caller.allowed])
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d runner protocol routes on the router", n)
	}
}

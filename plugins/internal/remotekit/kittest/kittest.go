// Package kittest holds the tests every remote plugin runs against its
// fake host (plugins/internal/hostfake), table-driven: each plugin's test
// says what its host answers, kittest asks and checks. The conformance kit
// (sdk/remote/remotetest) checks the contract through gRPC; these check
// each host's mapping in detail.
package kittest

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// Creds are the fake user's credentials.
var Creds = core.Creds{Token: hostfake.Token, Refresh: hostfake.RefreshToken}

// Env is one remote under test against its fake host.
type Env struct {
	Remote core.Remote
	// Name is the remote's name ("github"), in redirect and hook URLs.
	Name string
	// Slug and SHA are the repository and commit the fixtures describe;
	// Missing is a repository the fake does not know.
	Slug, SHA, Missing string
	// Files are the fake repository's files.
	Files map[string]string
	// Fail injects a failure of a route (see hostfake.Host.Fail).
	Fail func(route string, status int, header http.Header)
	// Close stops the fake.
	Close func()
}

// Fixture names what a fake's fixtures describe: the remote's name, the
// repository and commit, and a repository the fake does not know.
type Fixture struct{ Name, Slug, SHA, Missing string }

// Start builds the remote with newFn for the fake host h (started, closed
// when the test ends) and returns its Env.
func Start[H, S any](t *testing.T, h *hostfake.Host[H, S], f Fixture, newFn func(url string) (core.Remote, error)) Env {
	t.Helper()
	t.Cleanup(h.Close)
	r, err := newFn(h.URL)
	if err != nil {
		t.Fatal(err)
	}
	return Env{Remote: r, Name: f.Name, Slug: f.Slug, SHA: f.SHA, Missing: f.Missing, Files: h.Files, Fail: h.Fail, Close: h.Close}
}

// Options returns the options of New for a fake at url.
func Options(url string, extra ...string) map[string]any {
	o := map[string]any{"url": url, "client_id": hostfake.ClientID, "client_secret": hostfake.ClientSecret}
	for i := 0; i+1 < len(extra); i += 2 {
		o[extra[i]] = extra[i+1]
	}
	return o
}

// SecretFile writes "s3cret\n" to a file and returns its path.
func SecretFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// With returns a copy of m with k set to v, or removed when v is nil.
func With(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

// Package remotetest is the conformance kit for remotes, and an in-memory
// fake remote for other packages' tests.
//
// A remote's test points the kit at a fixture (a test server faking the
// forge's API, say) through Config, and the kit runs every call through
// the real gRPC path:
//
//	remotetest.Run(t, func(t *testing.T) core.Remote { return github.New(srv.URL) }, cfg)
package remotetest

import (
	"context"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/drover-ci/drover/sdk/remote"
	"google.golang.org/grpc"
)

// Factory returns a fresh remote implementation; the kit serves it over
// gRPC itself.
type Factory func(t *testing.T) core.Remote

// Webhook is a signed incoming webhook of the fixture and what it parses to.
type Webhook struct {
	Request *core.HookRequest
	Secret  string
	Want    *core.Event // Kind, Repo.Owner/Name and Commit.After are compared
}

// Config is the fixture the remote under test serves.
type Config struct {
	Creds       core.Creds // a user's working credentials
	Login       string     // that user's login
	Repo        string     // owner/name of a repository the user administers
	MissingRepo string     // a slug that does not exist; default "drover-kit/missing"
	Ref         string     // a ref of Repo; default its default branch
	File        string     // a path at Ref's commit
	FileContent []byte     // its content
	// MinRepos is how many repositories the user has at least; paging is
	// checked with pages of one repository when it is above 1.
	MinRepos int
	HookURL  string // where Activate points; default https://drover.test/hook/kit
	// Webhooks are signed webhooks to parse and verify (at least one: push).
	Webhooks []Webhook
	Timeout  time.Duration // per case; default 1m
	// Options, when set, are handed to Configure.
	Options map[string]any
}

// Connect serves impl over gRPC on a unix socket in this process, as a
// plugin process serves it, and returns the host-side client.
func Connect(t testing.TB, impl core.Remote) *remote.Client {
	t.Helper()
	cc, closeAll, err := plugintransport.InProcess(func(s *grpc.Server) { remote.Register(s, impl) })
	if err != nil {
		t.Fatalf("serve remote: %v", err)
	}
	t.Cleanup(closeAll)
	return remote.NewClient(cc)
}

type kit struct {
	factory Factory
	cfg     Config
}

func (k *kit) remote(t *testing.T) core.Remote {
	c := Connect(t, k.factory(t))
	if k.cfg.Options != nil {
		if err := c.Configure(k.ctx(t), k.cfg.Options); err != nil {
			t.Fatalf("configure: %v", err)
		}
	}
	return core.RemoteOf(c)
}

func (k *kit) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), k.cfg.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// Run runs the conformance suite against remotes made by factory.
func Run(t *testing.T, factory Factory, cfg Config) {
	if cfg.MissingRepo == "" {
		cfg.MissingRepo = "drover-kit/missing"
	}
	if cfg.HookURL == "" {
		cfg.HookURL = "https://drover.test/hook/kit"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Minute
	}
	k := &kit{factory: factory, cfg: cfg}
	cases := []struct {
		name string
		run  func(t *testing.T, k *kit)
	}{
		{"Info", testInfo},
		{"Login", testLogin},
		{"Repos", testRepos},
		{"Repo", testRepo},
		{"RefAndFile", testRefAndFile},
		{"Netrc", testNetrc},
		{"Hooks", testHooks},
		{"Webhooks", testWebhooks},
		{"Status", testStatus},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, k) })
	}
}

package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
	"github.com/drover-ci/drover/plugins/remote-github/github"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/api"
)

// stubBuilder records the build templates the webhook route makes.
type stubBuilder struct {
	mu    sync.Mutex
	tmpls []*core.Build
}

func (b *stubBuilder) Trigger(_ context.Context, _ *core.Repo, tmpl *core.Build) (*core.Build, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tmpls = append(b.tmpls, tmpl)
	cp := *tmpl
	cp.Number = int64(len(b.tmpls))
	return &cp, nil
}

// stubRepoEvents records the repository events passed on.
type stubRepoEvents struct{ events []*core.Event }

func (s *stubRepoEvents) Apply(_ context.Context, _ string, ev *core.Event) error {
	s.events = append(s.events, ev)
	return nil
}

func hmacHex(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// remoteCase is one remote's webhook conventions and documented payloads.
type remoteCase struct {
	name     string
	remote   func() (core.Remote, error)
	testdata string
	payloads map[string]string // file → event header value
	event    string            // the event header
	delivery string            // the delivery header
	sign     func(h map[string][]string, body []byte, secret string)
}

var hookRemotes = []remoteCase{
	{
		name: "gitea",
		remote: func() (core.Remote, error) {
			return remotetest.Remote(gitea.New(map[string]any{"url": "http://127.0.0.1:9", "client_id": "i", "client_secret": "s"}))
		},
		testdata: "../../plugins/remote-gitea/fake/testdata",
		payloads: map[string]string{"hook_push.json": "push", "hook_push_tag.json": "push", "hook_pull_request.json": "pull_request", "hook_repository.json": "repository", "hook_issues.json": "issues"},
		event:    "X-Gitea-Event", delivery: "X-Gitea-Delivery",
		sign: func(h map[string][]string, body []byte, secret string) {
			h["X-Gitea-Signature"] = []string{hmacHex(body, secret)}
		},
	},
	{
		name: "github",
		remote: func() (core.Remote, error) {
			return remotetest.Remote(github.New(map[string]any{"client_id": "i", "client_secret": "s"}))
		},
		testdata: "../../plugins/remote-github/fake/testdata",
		payloads: map[string]string{"hook_push.json": "push", "hook_push_tag.json": "push", "hook_pull_request.json": "pull_request", "hook_repository.json": "repository", "hook_issues.json": "issues", "hook_ping.json": "ping"},
		event:    "X-GitHub-Event", delivery: "X-GitHub-Delivery",
		sign: func(h map[string][]string, body []byte, secret string) {
			h["X-Hub-Signature-256"] = []string{"sha256=" + hmacHex(body, secret)}
		},
	},
	{
		name: "gitlab",
		remote: func() (core.Remote, error) {
			return remotetest.Remote(gitlab.New(map[string]any{"client_id": "i", "client_secret": "s"}))
		},
		testdata: "../../plugins/remote-gitlab/fake/testdata",
		payloads: map[string]string{"hook_push.json": "Push Hook", "hook_tag_push.json": "Tag Push Hook", "hook_merge_request.json": "Merge Request Hook", "system_project_create.json": "System Hook", "system_project_destroy.json": "System Hook", "system_project_rename.json": "System Hook", "system_project_transfer.json": "System Hook", "hook_issue.json": "Issue Hook"},
		event:    "X-Gitlab-Event", delivery: "X-Gitlab-Event-UUID",
		sign: func(h map[string][]string, body []byte, secret string) { h["X-Gitlab-Token"] = []string{secret} },
	},
}

// TestHookDocumentedPayloads sends each remote's documented webhook
// payloads (the plugins' testdata, in-process parsers) through
// /hook/{remote}: pushes, tags and pull requests become build templates
// carrying the event's commit, repository events go to the syncer signed
// with the system hook secret, other events are ignored, and a wrong
// signature is 401.
func TestHookDocumentedPayloads(t *testing.T) {
	for _, rc := range hookRemotes {
		t.Run(rc.name, func(t *testing.T) {
			remote, err := rc.remote()
			if err != nil {
				t.Fatal(err)
			}
			f := newFixture(t)
			builder, repos := &stubBuilder{}, &stubRepoEvents{}
			srv := api.New(api.Options{Store: f.store, Version: "test"})
			srv.AddHooks(api.HookDeps{Remotes: remoteMap{rc.name: remote}, Builder: builder, Repos: repos, Key: serverKey, ServerURL: serverURL})
			ctx := context.Background()
			const secret = "repo-secret"
			for file, kind := range rc.payloads {
				body, err := os.ReadFile(filepath.Join(rc.testdata, file))
				if err != nil {
					t.Fatal(err)
				}
				headers := map[string][]string{rc.event: {kind}, rc.delivery: {"delivery-" + file}}
				ev, err := remote.ParseHook(ctx, &core.HookRequest{Headers: headers, Body: body})
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				signWith := secret
				if ev.Kind == core.EventRepo {
					signWith = api.SystemHookSecret(serverKey, rc.name)
				}
				if ev.Repo != nil && ev.Kind != core.EventRepo {
					r := &core.Repo{Remote: rc.name, RemoteID: ev.Repo.ID, Owner: ev.Repo.Owner, Name: ev.Repo.Name, Active: true, HookSecret: secret}
					if _, err := f.store.Repos().FindRemoteID(ctx, rc.name, ev.Repo.ID); err != nil {
						if err := f.store.Repos().Create(ctx, r); err != nil {
							t.Fatal(err)
						}
					}
				}
				send := func(sig string) (int, string) {
					h := map[string][]string{rc.event: {kind}, rc.delivery: {"delivery-" + file}}
					rc.sign(h, body, sig)
					req := httptest.NewRequest("POST", "/hook/"+rc.name, strings.NewReader(string(body)))
					for k, v := range h {
						req.Header[k] = v
					}
					w := httptest.NewRecorder()
					srv.ServeHTTP(w, req)
					return w.Code, w.Body.String()
				}
				if ev.Kind != core.EventIgnored {
					if code, out := send("wrong"); code != 401 {
						t.Errorf("%s with a wrong signature = %d %s", file, code, out)
					}
				}
				builds, applied := len(builder.tmpls), len(repos.events)
				code, out := send(signWith)
				if code != 200 {
					t.Errorf("%s = %d %s", file, code, out)
					continue
				}
				switch {
				case ev.Kind == core.EventRepo:
					if len(repos.events) != applied+1 || repos.events[applied].Action != ev.Action {
						t.Errorf("%s: repository event not applied: %s", file, out)
					}
				case ev.Kind == core.EventIgnored || (ev.Kind == core.EventPullRequest && ev.Action == "closed"):
					if !strings.Contains(out, "ignored") || len(builder.tmpls) != builds {
						t.Errorf("%s: not ignored: %s", file, out)
					}
				default:
					if len(builder.tmpls) != builds+1 {
						t.Errorf("%s: no build: %s", file, out)
						continue
					}
					got, c := builder.tmpls[builds], ev.Commit
					if got.Event != ev.Kind || got.Action != ev.Action || got.Ref != c.Ref || got.After != c.After || got.Before != c.Before ||
						got.Source != c.Source || got.Target != c.Target || got.Fork != c.Fork || got.Message != c.Message ||
						got.Author != c.Author || got.Email != c.Email || got.Link != c.Link || got.Sender != ev.Sender ||
						got.Delivery != "delivery-"+file || got.After == "" || got.Ref == "" {
						t.Errorf("%s: template %+v from event %+v / %+v", file, got, ev, c)
					}
				}
			}
			if len(builder.tmpls) < 3 {
				t.Errorf("%d builds from %s's payloads, want push, tag and pull request", len(builder.tmpls), rc.name)
			}
			if len(repos.events) < 1 {
				t.Errorf("no repository event from %s's payloads", rc.name)
			}
		})
	}
}

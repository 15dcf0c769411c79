package api_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/store"
)

type remoteMap map[string]core.Remote

func (m remoteMap) Remote(name string) (core.Remote, error) {
	if r, ok := m[name]; ok {
		return r, nil
	}
	return core.Remote{}, core.Errorf(core.CodeNotFound, "no remote %q", name)
}

// FuzzHookNever5xx: whatever a client sends to /hook/gitea (the real
// Gitea parser, in-process) or /hook/fake, the answer is never a 5xx.
func FuzzHookNever5xx(f *testing.F) {
	for _, seed := range []struct{ event, body string }{
		{"push", `{"ref":"refs/heads/main","after":"abc","repository":{"id":1,"name":"r","full_name":"o/r","owner":{"login":"o"}}}`},
		{"pull_request", `{"action":"opened","number":1,"pull_request":{"head":{"ref":"f","sha":"1"},"base":{"ref":"main"}},"repository":{"id":1,"full_name":"o/r"}}`},
		{"repository", `{"action":"created","repository":{"id":2,"name":"n","full_name":"o/n","owner":{"login":"o"}}}`},
		{"issues", `{}`},
		{"push", `not json`},
		{"", ``},
	} {
		f.Add(seed.event, seed.body, "sig")
	}
	st, err := store.Open(context.Background(), "", f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	g, err2 := gitea.New(map[string]any{"url": "http://127.0.0.1:9", "client_id": "id", "client_secret": "s"})
	if err2 != nil {
		f.Fatal(err2)
	}
	srv := api.New(api.Options{Store: st, Version: "test"})
	srv.AddHooks(api.HookDeps{Remotes: remoteMap{"gitea": core.RemoteOf(g)}, Builder: nil, Key: serverKey, ServerURL: serverURL})
	f.Fuzz(func(t *testing.T, event, body, sig string) {
		req := httptest.NewRequest("POST", "/hook/gitea", strings.NewReader(body))
		req.Header.Set("X-Gitea-Event", event)
		req.Header.Set("X-Gitea-Signature", sig)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("event %q body %q: %d %s", event, body, w.Code, w.Body)
		}
	})
}

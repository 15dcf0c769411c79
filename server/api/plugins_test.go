package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/drover-ci/drover/sdk/host"
)

type pluginList []host.Status

func (l pluginList) Status() []host.Status { return l }

func TestPlugins(t *testing.T) {
	f := newFixture(t)
	f.srv.AddPlugins(pluginList{
		{Name: "docker", Kind: host.KindEngine, Plugin: "drover-engine-docker", State: host.StateRunning, PID: 42, Restarts: 1},
		{Name: "github", Kind: host.KindRemote, Plugin: "drover-remote-github", State: host.StateFailed, LastError: "configure: bad url"},
	})
	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"anonymous", "", http.StatusUnauthorized},
		{"admin", f.token, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/plugins", nil)
			if tc.token != "" {
				r.Header.Set("Authorization", "Bearer "+tc.token)
			}
			w := httptest.NewRecorder()
			f.served(t).ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("GET /api/plugins = %d, want %d: %s", w.Code, tc.want, w.Body)
			}
			if tc.want != http.StatusOK {
				return
			}
			var got []map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0]["state"] != "running" || got[0]["restarts"] != 1.0 || got[0]["pid"] != 42.0 ||
				got[1]["last_error"] != "configure: bad url" || got[1]["kind"] != "remote" {
				t.Fatalf("listing %v", got)
			}
		})
	}
}

package server_test

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// TestMetricsAccess: /metrics answers only a bearer of metrics_token or
// an admin's API token; with metrics_addr it is open on that address.
func TestMetricsAccess(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := l.Addr().String()
	l.Close()
	var dataDir string
	addr := runServer(t, func(c *config.Config) {
		c.MetricsToken, c.MetricsAddr, dataDir = "scrape-secret-0123456789", metricsAddr, c.DataDir
	})
	admin, err := os.ReadFile(filepath.Join(dataDir, server.AdminTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, url, token string
		want             int
	}{
		{"anonymous", "http://" + addr + "/metrics", "", http.StatusUnauthorized},
		{"wrong token", "http://" + addr + "/metrics", "scrape-secret-wrong", http.StatusUnauthorized},
		{"metrics token", "http://" + addr + "/metrics", "scrape-secret-0123456789", http.StatusOK},
		{"admin token", "http://" + addr + "/metrics", strings.TrimSpace(string(admin)), http.StatusOK},
		{"metrics address", "http://" + metricsAddr + "/metrics", "", http.StatusOK},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest("GET", tc.url, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: GET %s = %d, want %d", tc.name, tc.url, resp.StatusCode, tc.want)
		}
		if tc.want == http.StatusOK && !strings.Contains(string(body), "drover_builds_created_total") {
			t.Errorf("%s: no metrics in the answer: %.200s", tc.name, body)
		}
		if tc.want != http.StatusOK && strings.Contains(string(body), "drover_") {
			t.Errorf("%s: metrics leaked: %.200s", tc.name, body)
		}
	}
}

// TestMetricsDefaultAdminsOnly: without metrics_token or metrics_addr,
// /metrics is for admins' API tokens only.
func TestMetricsDefaultAdminsOnly(t *testing.T) {
	var dataDir string
	addr := runServer(t, func(c *config.Config) { dataDir = c.DataDir })
	admin, _ := os.ReadFile(filepath.Join(dataDir, server.AdminTokenFile))
	for token, want := range map[string]int{"": http.StatusUnauthorized, strings.TrimSpace(string(admin)): http.StatusOK} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET /metrics with token %v = %d, want %d", token != "", resp.StatusCode, want)
		}
	}
}

package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/metrics"
)

// scrape serves the metrics and parses the text answer.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("scrape = %d %s", w.Code, w.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return fams
}

// value is the sample of the family whose labels include want: a
// counter's or gauge's value, a histogram's count; -1 when absent.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

func TestRequestsByRouteTemplate(t *testing.T) {
	m := metrics.New()
	r := gin.New()
	r.Use(m.Middleware())
	r.GET("/api/repos/:owner/:name", func(c *gin.Context) { c.Status(http.StatusOK) })
	r.GET("/api/fail", func(c *gin.Context) { c.Status(http.StatusTeapot) })
	for _, p := range []string{"/api/repos/acme/app", "/api/repos/other/thing", "/api/fail", "/nope/1", "/nope/2"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	fams := scrape(t, m)
	cases := []struct {
		route, status string
		want          float64
	}{
		{"/api/repos/:owner/:name", "200", 2},
		{"/api/fail", "418", 1},
		{"unmatched", "404", 2},
		{"/api/repos/acme/app", "200", -1}, // never the raw path
	}
	for _, tc := range cases {
		if got := value(fams, "drover_http_request_duration_seconds", map[string]string{"method": "GET", "route": tc.route, "status": tc.status}); got != tc.want {
			t.Errorf("requests of %s %s = %v, want %v", tc.route, tc.status, got, tc.want)
		}
	}
}

func TestBuildsSyncsAndScrapeTimeGauges(t *testing.T) {
	m := metrics.New()
	start := time.Now()
	b := &core.Build{ID: 1, Started: start, Finished: start.Add(90 * time.Second)}
	for _, c := range []core.BuildChange{
		{BuildID: 1, Status: "created"}, {BuildID: 1, Status: core.StatusPending}, {BuildID: 1, Status: core.StatusRunning},
		{BuildID: 1, StageID: 3, Status: core.StatusSuccess}, {BuildID: 1, Status: core.StatusSuccess},
	} {
		m.BuildChanged(c, b)
	}
	m.StageClaimed(&core.Stage{Created: start, Started: start.Add(2 * time.Second)})
	syncs := m.ObserveSyncs(fakeStore{}).Syncs()
	for _, o := range []*core.SyncOutcome{{Started: start, Finished: start.Add(time.Second)}, {Started: start, Finished: start, Error: "boom"}} {
		if err := syncs.SaveOutcome(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	m.Watch(metrics.Sources{
		State: func(context.Context) (metrics.State, error) {
			return metrics.State{BuildsPending: 4, BuildsRunning: 2, StagesPending: 7, StagesRunning: 3, RunnersOnline: 2, RunnersBusy: 1}, nil
		},
		Plugins: func() []metrics.PluginRestarts {
			return []metrics.PluginRestarts{{Kind: "engine", Name: "docker", Restarts: 3}}
		},
	})
	fams := scrape(t, m)
	cases := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"drover_builds_total", map[string]string{"status": "pending"}, 1},
		{"drover_builds_total", map[string]string{"status": "success"}, 1},
		{"drover_builds_total", map[string]string{"status": "created"}, -1},
		{"drover_build_duration_seconds", nil, 1},
		{"drover_stage_queue_wait_seconds", nil, 1},
		{"drover_sync_duration_seconds", map[string]string{"result": "ok"}, 1},
		{"drover_sync_duration_seconds", map[string]string{"result": "error"}, 1},
		{"drover_builds_pending", nil, 4},
		{"drover_builds_running", nil, 2},
		{"drover_stages_pending", nil, 7},
		{"drover_stages_running", nil, 3},
		{"drover_runners_online", nil, 2},
		{"drover_runners_busy", nil, 1},
		{"drover_plugin_restarts_total", map[string]string{"kind": "engine", "name": "docker"}, 3},
		{"drover_builds_created_total", nil, 0},
		{"drover_stages_dispatched_total", nil, 0},
	}
	for _, tc := range cases {
		if got := value(fams, tc.name, tc.labels); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if h := fams["drover_build_duration_seconds"].Metric[0].Histogram; h.GetSampleSum() != 90 {
		t.Errorf("build duration sum %v, want 90", h.GetSampleSum())
	}
}

// TestUnreadableStateLeavesTheRest: a store that does not answer drops
// the gauges from the scrape, not the other metrics.
func TestUnreadableStateLeavesTheRest(t *testing.T) {
	m := metrics.New()
	m.Watch(metrics.Sources{State: func(context.Context) (metrics.State, error) { return metrics.State{}, errors.New("database down") }})
	m.BuildsCreated.Inc()
	fams := scrape(t, m)
	if value(fams, "drover_builds_pending", nil) != -1 || value(fams, "drover_builds_created_total", nil) != 1 {
		t.Fatalf("families %v", keys(fams))
	}
}

func keys(m map[string]*dto.MetricFamily) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// fakeStore is a store whose sync store records nothing.
type fakeStore struct{ core.Store }

func (fakeStore) Syncs() core.SyncStore { return fakeSyncs{} }

type fakeSyncs struct{ core.SyncStore }

func (fakeSyncs) SaveOutcome(context.Context, *core.SyncOutcome) error { return nil }

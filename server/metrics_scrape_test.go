package server_test

import (
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/drover-ci/drover/core"
)

// scrapeMetrics GETs /metrics with the admin's token and parses it.
func (h *harness) scrapeMetrics(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest("GET", h.http.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// sample is the value of the family's series with the labels (a
// histogram's count), or -1.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			ok = ok && have[labels[i]] == labels[i+1]
		}
		if !ok {
			continue
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

// TestMetricsAfterABuild: after a build ran on the local runner, a scrape
// shows it by status, its duration, its stage's queue wait, the API's
// requests by route template, the gauges read from the store and the
// engine's restarts, with the three counters that were there before.
func TestMetricsAfterABuild(t *testing.T) {
	h := newHarness(t)
	h.repo(t, "acme/app", pipelineFile)
	var created core.Build
	if code := h.call(t, "POST", "/api/repos/acme/app/builds?remote=fake", `{"branch":"main"}`, &created); code != 201 {
		t.Fatalf("trigger = %d", code)
	}
	if b := h.waitBuild(t, "acme/app", created.Number); b.Status != core.StatusSuccess {
		t.Fatalf("build = %s", b.Status)
	}
	var fams map[string]*dto.MetricFamily
	deadline := time.Now().Add(30 * time.Second)
	for { // the change reaches the counters through the event hub
		fams = h.scrapeMetrics(t)
		if sample(fams, "drover_builds_total", "status", "success") == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cases := []struct {
		name   string
		labels []string
		want   func(float64) bool
	}{
		{"drover_builds_total", []string{"status", "success"}, eq(1)},
		{"drover_builds_total", []string{"status", "running"}, eq(1)},
		{"drover_build_duration_seconds", nil, eq(1)},
		{"drover_stage_queue_wait_seconds", nil, eq(1)},
		{"drover_builds_created_total", nil, eq(1)},
		{"drover_stages_dispatched_total", nil, eq(1)},
		{"drover_stages_finished_total", []string{"status", "success"}, eq(1)},
		{"drover_builds_pending", nil, eq(0)},
		{"drover_builds_running", nil, eq(0)},
		{"drover_stages_pending", nil, eq(0)},
		{"drover_stages_running", nil, eq(0)},
		{"drover_runners_online", nil, eq(1)}, // the local runner
		{"drover_runners_busy", nil, eq(0)},
		{"drover_plugin_restarts_total", []string{"kind", "engine", "name", "local"}, eq(0)},
		{"drover_http_request_duration_seconds", []string{"route", "/api/repos/:owner/:name/builds/:number", "status", "200"}, atLeast(1)},
		{"drover_http_request_duration_seconds", []string{"route", "/api/repos/:owner/:name/builds", "method", "POST", "status", "201"}, eq(1)},
		{"drover_http_request_duration_seconds", []string{"route", "/api/repos/acme/app/builds"}, eq(-1)},
	}
	for _, tc := range cases {
		if got := sample(fams, tc.name, tc.labels...); !tc.want(got) {
			t.Errorf("%s%v = %v", tc.name, tc.labels, got)
		}
	}
}

func eq(want float64) func(float64) bool      { return func(v float64) bool { return v == want } }
func atLeast(want float64) func(float64) bool { return func(v float64) bool { return v >= want } }

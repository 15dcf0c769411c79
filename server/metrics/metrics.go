// Package metrics holds the server's Prometheus metrics, served at /metrics.
package metrics

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are one server's metrics, registered on their own registry so
// that several servers in one process (tests) do not collide. Counters
// and histograms count what this replica did; the gauges of Watch are
// read from the store (shared by the replicas) at every scrape.
type Metrics struct {
	registry         *prometheus.Registry
	BuildsCreated    prometheus.Counter
	StagesDispatched prometheus.Counter
	StagesFinished   *prometheus.CounterVec
	// BuildsByStatus counts builds reaching each status, once across the
	// replicas (BuildChanged).
	BuildsByStatus *prometheus.CounterVec
	// QueueWait is how long stages waited to be claimed by a runner.
	QueueWait prometheus.Histogram
	// BuildDuration is how long finished builds ran.
	BuildDuration prometheus.Histogram
	// HTTPDuration is the API's request durations by method, route
	// template and status (Middleware).
	HTTPDuration *prometheus.HistogramVec
	// SyncDuration is the repository syncs' durations, by result
	// (ObserveSyncs).
	SyncDuration *prometheus.HistogramVec
}

// New returns registered metrics, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		BuildsCreated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "drover_builds_created_total", Help: "Builds created by webhooks, manual triggers, schedules and restarts.",
		}),
		StagesDispatched: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "drover_stages_dispatched_total", Help: "Stages handed to runners by this server.",
		}),
		StagesFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drover_stages_finished_total", Help: "Stages reported finished through this server, by status.",
		}, []string{"status"}),
		BuildsByStatus: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drover_builds_total", Help: "Builds that reached each status (pending, running, success, failure, ...), counted by the replica that saw the change first.",
		}, []string{"status"}),
		QueueWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "drover_stage_queue_wait_seconds", Help: "Time from a stage's creation to its claim by a runner (including any wait for the stages it depends on).",
			Buckets: prometheus.ExponentialBuckets(0.05, 2.5, 12), // 50 ms to about 3 h
		}),
		BuildDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "drover_build_duration_seconds", Help: "Time from a build's start to its end, for finished builds.",
			Buckets: prometheus.ExponentialBuckets(1, 2.5, 12), // 1 s to about 16 h
		}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "drover_http_request_duration_seconds", Help: "API request durations by method, route template and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "status"}),
		SyncDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "drover_sync_duration_seconds", Help: "Repository syncs' durations, by result (ok or error).",
			Buckets: prometheus.ExponentialBuckets(0.05, 2.5, 10), // 50 ms to about 12 min
		}, []string{"result"}),
	}
	m.registry.MustRegister(m.BuildsCreated, m.StagesDispatched, m.StagesFinished, m.BuildsByStatus,
		m.QueueWait, m.BuildDuration, m.HTTPDuration, m.SyncDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format; a gauge that
// cannot be read is left out of the answer (and logged), not the rest.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, ErrorLog: errorLog{}})
}

// errorLog sends promhttp's errors to slog.
type errorLog struct{}

func (errorLog) Println(v ...any) { slog.Warn("metrics", "err", v) }

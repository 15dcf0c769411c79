// Package metrics holds the server's Prometheus metrics, served at /metrics.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are one server's counters, registered on their own registry so
// that several servers in one process (tests) do not collide.
type Metrics struct {
	registry         *prometheus.Registry
	BuildsCreated    prometheus.Counter
	StagesDispatched prometheus.Counter
	StagesFinished   *prometheus.CounterVec
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
	}
	m.registry.MustRegister(m.BuildsCreated, m.StagesDispatched, m.StagesFinished,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

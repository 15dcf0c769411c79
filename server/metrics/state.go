package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// State is what the gauges show: counts read from the store when
// Prometheus scrapes.
type State struct {
	BuildsPending, BuildsRunning int
	StagesPending, StagesRunning int
	RunnersOnline, RunnersBusy   int
}

// PluginRestarts is how often a plugin instance's process was restarted.
type PluginRestarts struct {
	Kind, Name string
	Restarts   int
}

// Sources are what the scrape-time metrics are read from; nil ones are
// left out.
type Sources struct {
	State   func(ctx context.Context) (State, error)
	Plugins func() []PluginRestarts
}

// scrapeTimeout bounds reading the state at a scrape.
const scrapeTimeout = 5 * time.Second

// Watch registers the gauges read from src at every scrape. Call it once.
func (m *Metrics) Watch(src Sources) {
	m.registry.MustRegister(&sourceCollector{src: src})
}

var (
	descBuildsPending = prometheus.NewDesc("drover_builds_pending", "Builds waiting for a runner.", nil, nil)
	descBuildsRunning = prometheus.NewDesc("drover_builds_running", "Builds running.", nil, nil)
	descStagesPending = prometheus.NewDesc("drover_stages_pending", "Stages waiting for a runner.", nil, nil)
	descStagesRunning = prometheus.NewDesc("drover_stages_running", "Stages running.", nil, nil)
	descRunnersOnline = prometheus.NewDesc("drover_runners_online", "Runners in contact and not paused, idle or busy.", nil, nil)
	descRunnersBusy   = prometheus.NewDesc("drover_runners_busy", "Runners in contact running at least one stage.", nil, nil)
	descRestarts      = prometheus.NewDesc("drover_plugin_restarts_total", "Restarts of plugin processes since the server started, by plugin kind and instance.",
		[]string{"kind", "name"}, nil)
)

// sourceCollector reads the gauges from the sources at every scrape.
type sourceCollector struct{ src Sources }

func (c *sourceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBuildsPending, descBuildsRunning, descStagesPending, descStagesRunning,
		descRunnersOnline, descRunnersBusy, descRestarts} {
		ch <- d
	}
}

func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src.State != nil {
		ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
		st, err := c.src.State(ctx)
		cancel()
		if err != nil {
			ch <- prometheus.NewInvalidMetric(descBuildsPending, err)
		} else {
			for d, v := range map[*prometheus.Desc]int{descBuildsPending: st.BuildsPending, descBuildsRunning: st.BuildsRunning,
				descStagesPending: st.StagesPending, descStagesRunning: st.StagesRunning,
				descRunnersOnline: st.RunnersOnline, descRunnersBusy: st.RunnersBusy} {
				ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
			}
		}
	}
	if c.src.Plugins != nil {
		for _, p := range c.src.Plugins() {
			ch <- prometheus.MustNewConstMetric(descRestarts, prometheus.CounterValue, float64(p.Restarts), p.Kind, p.Name)
		}
	}
}

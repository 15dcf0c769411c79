package server_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// BenchmarkDispatchLatency: 100 runners long-poll over HTTP; one stage is
// enqueued at a time; the figure is enqueue → the runner holding it with
// its details.
func BenchmarkDispatchLatency(b *testing.B) {
	for db, url := range benchDatabases(b) {
		b.Run(db, func(b *testing.B) {
			e := newBenchEnv(b, url(b), map[string]any{"noop": enginetest.NewFake()})
			const runners, samples = 100, 200
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var mu sync.Mutex
			sent := map[int64]time.Time{}
			var lat []time.Duration
			done := make(chan struct{}, 1)
			for i := 0; i < runners; i++ {
				c := e.runnerClient(b, "r")
				go func() {
					for ctx.Err() == nil {
						d, err := c.Request(ctx, noopFilter())
						if err != nil || d == nil {
							continue
						}
						mu.Lock()
						lat = append(lat, time.Since(sent[d.Stage.ID]))
						mu.Unlock()
						d.Stage.Status = core.StatusSuccess
						c.UpdateStage(ctx, d.Stage)
						done <- struct{}{}
					}
				}()
			}
			time.Sleep(time.Second) // every runner is polling
			for i := 0; i < samples; i++ {
				ids := e.seed(b, 1, 1)
				mu.Lock()
				sent[ids[0]] = time.Now()
				mu.Unlock()
				e.app.Scheduler.Enqueued(ctx)
				select {
				case <-done:
				case <-time.After(30 * time.Second):
					b.Fatalf("sample %d: no runner received the stage", i)
				}
				time.Sleep(5 * time.Millisecond) // the runner polls again
			}
			cancel()
			mu.Lock()
			defer mu.Unlock()
			slices.Sort(lat)
			testenv.Bench(b, "dispatch_latency_p50_"+db, ms(lat[len(lat)/2]), "ms")
			testenv.Bench(b, "dispatch_latency_p99_"+db, ms(lat[len(lat)*99/100]), "ms")
		})
	}
}

// BenchmarkDispatchThroughput: 50 runners of capacity 4 (the real runner
// loop over HTTP, a no-op engine) work off 5,000 one-step stages; then the
// same with 100,000 more matchable stages queued behind them. Each figure
// is the median of throughputRuns runs, each on a fresh database: on a
// shared 2-core machine one run varies by ±15%, and the machine's speed
// drifts over minutes, so the runs of the two figures alternate and their
// medians compare like with like.
func BenchmarkDispatchThroughput(b *testing.B) {
	for db, url := range benchDatabases(b) {
		b.Run(db, func(b *testing.B) {
			plain, behind := make([]float64, throughputRuns), make([]float64, throughputRuns)
			for i := range throughputRuns {
				plain[i] = throughput(b, url(b), 0)
				behind[i] = throughput(b, url(b), 100_000)
			}
			testenv.Bench(b, "dispatch_throughput_"+db, median(b, plain, 0), "stages/s")
			testenv.Bench(b, "dispatch_throughput_100k_pending_"+db, median(b, behind, 100_000), "stages/s")
		})
	}
}

// throughputRuns is how many runs a throughput figure is the median of.
const throughputRuns = 3

func median(b *testing.B, rates []float64, behind int) float64 {
	b.Logf("stages/s with %d pending behind, %d runs: %.0f", behind, len(rates), rates)
	rates = slices.Clone(rates)
	slices.Sort(rates)
	return rates[len(rates)/2]
}

func throughput(b *testing.B, dbURL string, behind int) float64 {
	const runners, capacity, stages = 50, 4, 5000
	e := newBenchEnv(b, dbURL, map[string]any{"noop": enginetest.NewFake()})
	e.seed(b, stages/10, 10)
	if behind > 0 {
		e.seed(b, behind/100, 100)
	}
	e.settleDatabase(b)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	engines := runner.StaticEngines{"noop": enginetest.NewFake()}
	start := time.Now()
	for i := 0; i < runners; i++ {
		agent := runner.New(runner.Options{
			Client: e.runnerClient(b, "r"), Engines: engines, Capacity: capacity, WorkDir: b.TempDir(),
			DrainTimeout: time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		wg.Add(1)
		go func() { defer wg.Done(); agent.Run(ctx) }()
	}
	// Polled seldom, so that counting takes little from the database;
	// the run ends with the last stage's end as the server recorded it.
	deadline := time.Now().Add(10 * time.Minute)
	for e.doneStages(b) < stages {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d stages done after the deadline", e.doneStages(b), stages)
		}
		time.Sleep(250 * time.Millisecond)
	}
	elapsed := e.lastStageEnd(b).Sub(start)
	if elapsed <= 0 {
		b.Fatalf("the last stage ended %v after the start", elapsed)
	}
	cancel()
	wg.Wait()
	return float64(stages) / elapsed.Seconds()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

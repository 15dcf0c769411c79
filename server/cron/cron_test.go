package cron_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/cron"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type countingBuilder struct{ n atomic.Int32 }

func (b *countingBuilder) Trigger(_ context.Context, repo *core.Repo, tmpl *core.Build) (*core.Build, error) {
	if tmpl.Event != core.EventCron || tmpl.Ref != "refs/heads/main" {
		return nil, core.Errorf(core.CodeInvalid, "unexpected build %+v", tmpl)
	}
	b.n.Add(1)
	return tmpl, nil
}

// TestOncePerDueTimeAcrossReplicas: four replicas tick at once over the
// same store; each due time fires exactly one build.
func TestOncePerDueTimeAcrossReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true}
		if err := s.Repos().Create(ctx, repo); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		c := &core.Cron{RepoID: repo.ID, Name: "nightly", Expr: "@hourly", Next: start}
		if err := s.Crons().Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		b := &countingBuilder{}
		now := start.Add(time.Minute)
		for round := 0; round < 3; round++ {
			var wg sync.WaitGroup
			for r := 0; r < 4; r++ {
				tick := &cron.Ticker{Crons: s.Crons(), Repos: s.Repos(), Builder: b,
					Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
				wg.Add(1)
				go func() { defer wg.Done(); tick.Once(ctx) }()
			}
			wg.Wait()
			if got := b.n.Load(); got != int32(round+1) {
				t.Fatalf("round %d: %d builds, want %d", round, got, round+1)
			}
			now = now.Add(time.Hour)
		}
		list, _ := s.Crons().List(ctx, repo.ID)
		if !list[0].Next.After(now.Add(-time.Hour)) {
			t.Fatalf("next = %v", list[0].Next)
		}
	})
}

func TestNext(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)
	cases := []struct {
		expr string
		want time.Time
		bad  bool
	}{
		{expr: "@hourly", want: at.Add(30 * time.Minute)},
		{expr: "0 0 * * *", want: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)},
		{expr: "@every 10m", want: at.Add(10 * time.Minute)},
		{expr: "61 * * * *", bad: true},
		{expr: "often", bad: true},
	}
	for _, tc := range cases {
		got, err := cron.Next(tc.expr, at)
		if tc.bad {
			if core.ErrorCode(err) != core.CodeInvalid {
				t.Errorf("%q: got %v, want invalid", tc.expr, err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%q: got %v %v, want %v", tc.expr, got, err, tc.want)
		}
	}
}

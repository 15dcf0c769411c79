package runner

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/drover-ci/drover/core"
)

// backoff computes delays that double from Min to Max, with full jitter
// over the upper half (so runners that lost the server together do not
// come back in lockstep).
type backoff struct {
	Min, Max time.Duration
	n        int
}

func (b *backoff) next() time.Duration {
	d := b.Min << min(b.n, 30)
	if d <= 0 || d > b.Max {
		d = b.Max
	}
	b.n++
	half := d / 2
	return half + rand.N(half+1)
}

func (b *backoff) reset() { b.n = 0 }

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// permanent reports whether err is the server refusing the call (a coded
// error other than unavailable), which retrying cannot fix.
func permanent(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	c := core.ErrorCode(err)
	return c != "" && c != core.CodeUnavailable
}

// retry calls fn until it succeeds, fails permanently, or ctx ends,
// sleeping with backoff between transient failures.
func retry(ctx context.Context, b backoff, fn func(ctx context.Context) error) error {
	for {
		err := fn(ctx)
		if err == nil || permanent(err) {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		if !sleep(ctx, b.next()) {
			return err
		}
	}
}

package web

import (
	"context"
	"errors"
	"testing"

	"github.com/drover-ci/drover/core"
)

// fakeLines answers Read from a function.
type fakeLines struct {
	read func(offset int64, limit int) ([]*core.LogLine, error)
}

func (f fakeLines) Read(_ context.Context, _ int64, offset int64, limit int) ([]*core.LogLine, error) {
	return f.read(offset, limit)
}

// linesUpTo has lines 0 … n-1 and counts its reads.
func linesUpTo(n int64, reads *int) fakeLines {
	return fakeLines{read: func(offset int64, _ int) ([]*core.LogLine, error) {
		*reads++
		if offset < n {
			return []*core.LogLine{{Number: offset}}, nil
		}
		return nil, nil
	}}
}

func TestCountLines(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 3, 4, 5, 1000, 1024, 1025, 100000, 1 << 21} {
		reads := 0
		got, err := countLines(context.Background(), linesUpTo(n, &reads), 1)
		if err != nil || got != n {
			t.Errorf("countLines(%d lines) = %d, %v", n, got, err)
		}
		if limit := 2*bitLen(n) + 2; reads > limit {
			t.Errorf("countLines(%d lines) read %d times, want at most %d", n, reads, limit)
		}
	}
	boom := errors.New("database gone")
	for _, failAt := range []int64{0, 1, 64} {
		f := fakeLines{read: func(offset int64, _ int) ([]*core.LogLine, error) {
			if offset == failAt {
				return nil, boom
			}
			if offset < 100 {
				return []*core.LogLine{{Number: offset}}, nil
			}
			return nil, nil
		}}
		if _, err := countLines(context.Background(), f, 1); !errors.Is(err, boom) {
			t.Errorf("a failed read at %d: err = %v, want it", failAt, err)
		}
	}
}

func bitLen(n int64) int {
	b := 0
	for ; n > 0; n >>= 1 {
		b++
	}
	return b
}

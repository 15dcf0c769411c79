package api

import (
	"context"
	"fmt"
	"time"
)

// mirrorShare is what a runner does for mirrors: how many it holds and
// the capacity it offers.
type mirrorShare struct {
	held, capacity int
	diskFull       bool
}

// mirrorShares are the runners' mirror shares by runner id, read from
// the leases (mirrors not paused) and the runners' last offers.
func (s *Server) mirrorShares(ctx context.Context) (map[int64]mirrorShare, error) {
	leases, err := s.store.MirrorLeases().Leases(ctx)
	if err != nil {
		return nil, fmt.Errorf("mirror leases: %w", err)
	}
	offers, err := s.store.MirrorLeases().Runners(ctx, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("mirror runners: %w", err)
	}
	out := map[int64]mirrorShare{}
	for _, o := range offers {
		out[o.RunnerID] = mirrorShare{capacity: o.Capacity, diskFull: o.DiskFull}
	}
	for _, l := range leases {
		if l.RunnerID != 0 {
			sh := out[l.RunnerID]
			sh.held++
			out[l.RunnerID] = sh
		}
	}
	return out, nil
}

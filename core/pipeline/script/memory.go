package script

import (
	"context"
	"runtime/metrics"
	"time"
)

// heapMetric is the heap's current size, live and not yet swept objects.
const heapMetric = "/memory/classes/heap/objects:bytes"

// watchHeap calls exceeded (once) when the process's heap grows by more
// than limit bytes while ctx lives. It measures the whole process, so
// the limit is generous: it catches a program building gigabytes, not
// one using a little more than its share.
func watchHeap(ctx context.Context, limit uint64, exceeded func()) {
	sample := []metrics.Sample{{Name: heapMetric}}
	read := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	base := read()
	go func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if now := read(); now > base && now-base > limit {
					exceeded()
					return
				}
			}
		}
	}()
}

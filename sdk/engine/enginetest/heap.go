package enginetest

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// heapWindow is how many consecutive samples the heap must stay above a
// level for it to count (see sustainedPeak).
const heapWindow = 3

// liveHeap forces a collection and returns the bytes of the objects it
// found live (runtime/metrics /gc/heap/live:bytes). Unlike HeapAlloc read
// after the collection, it does not count what goroutines allocated since
// the mark ended.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	return s[0].Value.Uint64()
}

// sampleHeap samples liveHeap every interval until stop is closed, then
// sends the samples on the returned channel.
func sampleHeap(interval time.Duration, stop <-chan struct{}) <-chan []uint64 {
	out := make(chan []uint64, 1)
	go func() {
		var samples []uint64
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				out <- samples
				return
			case <-tick.C:
			}
			samples = append(samples, liveHeap())
		}
	}()
	return out
}

// sustainedPeak is the highest level the heap held for window consecutive
// samples: the maximum over every run of window samples of the run's
// minimum (the minimum of all when there are fewer). A stream buffered
// whole grows steadily and shows in full; a streaming engine's transient
// spikes (packets in flight when a collection marks: x/crypto/ssh, say,
// allocates a buffer per packet) do not.
func sustainedPeak(samples []uint64, window int) uint64 {
	if len(samples) == 0 {
		return 0
	}
	window = max(1, min(window, len(samples)))
	var peak uint64
	for i := 0; i+window <= len(samples); i++ {
		low := samples[i]
		for _, s := range samples[i+1 : i+window] {
			low = min(low, s)
		}
		peak = max(peak, low)
	}
	return peak
}

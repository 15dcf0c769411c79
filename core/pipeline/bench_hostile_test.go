package pipeline

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/drover-ci/drover/internal/testenv"
)

// BenchmarkAliasBombReject measures rejecting the hostile files of
// TestHostileFiles (the 512 KiB string aliased 100 times, and a
// nested bomb): the slowest of the two, best of 5 rounds of 5 runs, and
// the peak heap growth while rejecting, bounded from above by the bytes
// allocated with the collector off.
func BenchmarkAliasBombReject(b *testing.B) {
	files := [][]byte{wideBomb(512<<10, 100), nestedBomb(9)}
	reject := func(data []byte) {
		if parseCompile(data) == nil {
			b.Fatal("a bomb was accepted")
		}
	}
	var worst time.Duration
	for _, data := range files {
		reject(data) // warm up
		best := time.Duration(1<<63 - 1)
		for range 5 {
			start := time.Now()
			for range 5 {
				reject(data)
			}
			best = min(best, time.Since(start)/5)
		}
		worst = max(worst, best)
	}
	var peak uint64
	for _, data := range files {
		peak = max(peak, allocatedWithGCOff(func() { reject(data) }))
	}
	b.Logf("worst of the two bombs: %v per rejection, at most %d bytes allocated", worst, peak)
	testenv.Bench(b, "pipeline_alias_bomb_reject_ms", float64(worst.Microseconds())/1e3, "ms")
	testenv.Bench(b, "pipeline_alias_bomb_peak_mb", float64(peak)/(1<<20), "MB")
}

// allocatedWithGCOff runs f with the collector off and returns the heap
// bytes it allocated: an upper bound of the heap growth f causes.
func allocatedWithGCOff(f func()) uint64 {
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

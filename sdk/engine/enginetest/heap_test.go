package enginetest

import (
	"runtime"
	"testing"
)

func TestSustainedPeak(t *testing.T) {
	tests := []struct {
		name    string
		samples []uint64
		window  int
		want    uint64
	}{
		{"none", nil, 3, 0},
		{"fewer than the window: their minimum", []uint64{9, 4}, 3, 4},
		{"a lone spike is ignored", []uint64{5, 5, 40, 5, 6}, 3, 5},
		{"a spike held for the window counts", []uint64{5, 40, 41, 42, 5}, 3, 40},
		{"steady growth (buffered whole) shows in full", []uint64{10, 20, 30, 40, 50}, 3, 30},
		{"window 1 is the maximum", []uint64{3, 9, 1}, 1, 9},
		{"window 0 is treated as 1", []uint64{3, 9, 1}, 0, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sustainedPeak(tt.samples, tt.window); got != tt.want {
				t.Fatalf("sustainedPeak(%v, %d) = %d, want %d", tt.samples, tt.window, got, tt.want)
			}
		})
	}
}

// liveHeap sees memory that is held, and stops seeing it once released.
func TestLiveHeap(t *testing.T) {
	base := liveHeap()
	held := make([]byte, 32<<20)
	held[len(held)-1] = 1
	during := liveHeap()
	runtime.KeepAlive(held)
	if during < base+30<<20 {
		t.Fatalf("live heap %d → %d while holding 32 MiB", base, during)
	}
	held = nil
	if after := liveHeap(); after > during-30<<20 {
		t.Fatalf("live heap %d after releasing 32 MiB (was %d)", after, during)
	}
}

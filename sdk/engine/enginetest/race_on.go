//go:build race

package enginetest

// raceEnabled: the race detector slows the collector, so objects allocated
// while it runs inflate the heap samples; the heap bound is only logged.
const raceEnabled = true

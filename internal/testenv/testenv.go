// Package testenv holds the helpers tests share: reporting benchmark figures,
// requiring outside programs (fail in CI, skip locally), and a throwaway
// Postgres cluster.
package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// InCI reports whether the tests run in CI (CI=true), where every outside
// program a test needs must be present.
func InCI() bool { return os.Getenv("CI") == "true" }

// Need stops the test when ok is false: in CI it fails, since CI installs
// everything; locally it skips with a message saying how to enable the test.
func Need(tb testing.TB, ok bool, what, howToEnable string) {
	tb.Helper()
	if ok {
		return
	}
	if InCI() {
		tb.Fatalf("%s is required in CI but is not available (%s)", what, howToEnable)
	}
	tb.Skipf("skipping: %s is not available; to enable this test: %s", what, howToEnable)
}

// NeedProgram returns the path of the named program, or stops the test as
// Need does when it is not on PATH.
func NeedProgram(tb testing.TB, name, howToEnable string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	Need(tb, err == nil, name, howToEnable)
	return path
}

// Bench prints one benchmark figure in the form `make bench` collects:
// "BENCH <name> <value> <unit>". Names are snake_case and say what and where.
func Bench(tb testing.TB, name string, value float64, unit string) {
	tb.Helper()
	fmt.Printf("BENCH %s %s %s\n", name, formatValue(value), unit)
}

func formatValue(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.4f", v)
	}
}

// freePort returns a free TCP port on the loopback interface.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Median returns the median of the durations (0 for none).
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

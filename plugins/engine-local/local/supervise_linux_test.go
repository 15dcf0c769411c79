package local

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The test binary doubles as the supervisor, as the plugin binary does.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == SuperviseArg {
		os.Exit(Supervise(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// A supervised step gets the default handling of SIGTERM, SIGINT and
// SIGHUP, so that a gentle stop reaches it.
func TestSupervisedStepCanBeStopped(t *testing.T) {
	out, err := exec.Command(os.Args[0], SuperviseArg, "grep", "^SigIgn:", "/proc/self/status").Output()
	if err != nil {
		t.Fatalf("supervise grep: %v", err)
	}
	hex := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "SigIgn:"))
	mask, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		t.Fatalf("SigIgn %q: %v", out, err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		if mask&(1<<(uint(sig)-1)) != 0 {
			t.Errorf("the step ignores %v (SigIgn %s)", sig, hex)
		}
	}
}

package host

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv makes the test binary a host process for TestNoOrphans.
const helperEnv = "DROVER_HOST_HELPER_DIR"

// runHostHelper starts a host on dir, prints the plugin's pid and waits to
// be killed.
func runHostHelper(dir string) {
	h := New(Options{Dir: dir, Logger: testLogger(os.Stderr)})
	if err := h.Start(context.Background()); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for _, s := range h.Status() {
		fmt.Println("pid", s.PID)
	}
	time.Sleep(time.Hour)
}

// gone reports whether the process has ended (a zombie counts as ended).
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	fields := strings.Fields(string(b))
	return len(fields) > 2 && fields[2] == "Z"
}

// No plugin outlives a host killed with SIGKILL.
func TestNoOrphans(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+pluginDir(t, "drover-engine-fake"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	var pid int
	if _, err := fmt.Sscanf(line, "pid %d", &pid); err != nil || pid == 0 {
		t.Fatalf("helper said %q", line)
	}
	if gone(pid) {
		t.Fatalf("plugin %d is not running", pid)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for !gone(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("plugin %d outlived its SIGKILLed host", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

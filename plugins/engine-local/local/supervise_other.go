//go:build !linux

package local

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func superviseAttr(*syscall.SysProcAttr) {}

// Supervise runs argv and returns its exit status; outside Linux nothing
// ends the step with the engine.
func Supervise(argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "drover-engine-local: nothing to supervise")
		return 2
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode()
		}
		return 127
	}
	return 0
}

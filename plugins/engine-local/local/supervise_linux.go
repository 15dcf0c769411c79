package local

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// Supervise runs argv as a child in this process's group, the step's, and
// returns its exit status. When the engine process that started it dies,
// even by SIGKILL (with the runner that ran it), the kernel signals the
// supervisor, which kills the whole group: a step does not outlive its
// runner. Signals the engine sends to the group reach the step directly;
// the supervisor outlives them to pass the step's status on.
func Supervise(argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "drover-engine-local: nothing to supervise")
		return 2
	}
	orphaned := make(chan os.Signal, 1)
	signal.Notify(orphaned, orphanSignal)
	// Caught, not ignored: an ignored signal stays ignored across exec, so
	// the step could never be stopped gently; a caught one is back to its
	// default in the child.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "drover-engine-local:", err)
		return 127
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-orphaned:
		killGroup()
		return 137
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				// Die of the same signal, so the engine sees the step's end.
				signal.Reset(ws.Signal())
				_ = syscall.Kill(os.Getpid(), ws.Signal())
				return 128 + int(ws.Signal())
			}
			return exit.ExitCode()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "drover-engine-local:", err)
			return 127
		}
		return 0
	}
}

// orphanSignal is what the kernel sends the supervisor when the engine
// process dies (its parent-death signal, set when the engine starts it).
const orphanSignal = syscall.SIGUSR2

// superviseAttr has the kernel signal a supervisor when its engine dies.
// (Set at fork, it applies to the process's main thread, which is the one
// the kernel looks at.)
func superviseAttr(attr *syscall.SysProcAttr) {
	if supervisor != "" {
		attr.Pdeathsig = orphanSignal
	}
}

// killGroup kills this process's group, the supervisor with it.
func killGroup() {
	_ = syscall.Kill(-syscall.Getpgrp(), syscall.SIGKILL)
	os.Exit(137)
}

//go:build !windows

package local

import "syscall"

// checkPlatform reports whether steps can run here: they can wherever
// process groups exist.
func checkPlatform() error { return nil }

// groupAttr makes the step the leader of a new process group, so that
// stopping it reaches what it started.
func groupAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	superviseAttr(attr)
	return attr
}

// signalGroup sends sig to every process of the group pgid.
func signalGroup(pgid int, sig syscall.Signal) error { return syscall.Kill(-pgid, sig) }

// killProcess sends SIGKILL to one process.
func killProcess(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }

package host

import (
	"os/exec"
	"syscall"
)

// setPdeathsig makes the kernel kill the plugin when its host dies, even by
// SIGKILL.
func setPdeathsig(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

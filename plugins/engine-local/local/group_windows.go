package local

import (
	"syscall"

	"github.com/drover-ci/drover/core"
)

// errWindows is what the engine answers on Windows, where it has no
// process groups to stop a step with what it started.
var errWindows = core.Errorf(core.CodeInvalid,
	"the local engine runs steps on Linux and macOS only: it needs POSIX process groups, which Windows lacks; use the docker or ssh engine")

// checkPlatform refuses to run steps on Windows (see errWindows).
func checkPlatform() error { return errWindows }

func groupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

func signalGroup(int, syscall.Signal) error { return errWindows }

func killProcess(int) {}

package local

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/drover-ci/drover/sdk/engine"
)

// Main is drover-engine-local's main: a step's supervisor when the first
// argument is SuperviseArg, else the plugin, whose steps are supervised by
// this same binary. A program that bundles the engine (the images' runner)
// calls it when started under the name drover-engine-local.
func Main() {
	if len(os.Args) > 1 && os.Args[1] == SuperviseArg {
		os.Exit(Supervise(os.Args[2:]))
	}
	if exe, err := self(); err == nil {
		UseSupervisor(exe) // steps end with the engine, even on kill -9
	}
	engine.Serve(New(Config{}))
}

// self is the path this process was started by. In a bundle the name of
// that path (a link to the bundle) is what makes it the engine, so it is
// kept rather than the file the link points to.
func self() (string, error) {
	exe, err := os.Executable()
	arg0 := os.Args[0]
	if err != nil || filepath.Base(exe) == filepath.Base(arg0) {
		return exe, err
	}
	if !strings.ContainsRune(arg0, filepath.Separator) {
		return exec.LookPath(arg0)
	}
	return filepath.Abs(arg0)
}

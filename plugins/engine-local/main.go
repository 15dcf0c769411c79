// Command drover-engine-local is Drover's local engine plugin: steps run as
// processes on the runner's host (for trusted repositories only). Install
// it in the plugin directory as drover-engine-local; pipelines of
// `type: exec` run on it.
package main

import (
	"os"

	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/sdk/engine"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == local.SuperviseArg {
		os.Exit(local.Supervise(os.Args[2:]))
	}
	if exe, err := os.Executable(); err == nil {
		local.UseSupervisor(exe) // steps end with the engine, even on kill -9
	}
	engine.Serve(local.New(local.Config{}))
}

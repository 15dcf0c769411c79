// Command drover-engine-shell is an example Drover engine plugin: it runs
// each step as a host shell process in the stage's workspace. Build it into
// the plugin directory as drover-engine-shell to enable the engine "shell".
package main

import (
	"github.com/drover-ci/drover/examples/engine-shell/shell"
	"github.com/drover-ci/drover/sdk/engine"
)

func main() {
	engine.Serve(shell.New())
}

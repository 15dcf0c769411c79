// Command drover-engine-local is Drover's local engine plugin: steps run as
// processes on the runner's host (for trusted repositories only). Install
// it in the plugin directory as drover-engine-local; pipelines of
// `type: exec` run on it.
package main

import "github.com/drover-ci/drover/plugins/engine-local/local"

func main() { local.Main() }

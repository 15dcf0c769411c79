// Command drover-engine-ssh is Drover's SSH engine plugin: a stage's steps
// run on the host of its pipeline's server block, in a per-stage directory
// there. Install it in the plugin directory as drover-engine-ssh. Its
// options: known_hosts, insecure_ignore_host_key, remote_root, state_dir,
// retries.
package main

import (
	"github.com/drover-ci/drover/plugins/engine-ssh/sshengine"
	"github.com/drover-ci/drover/sdk/engine"
)

func main() { engine.Serve(sshengine.New(sshengine.Config{})) }

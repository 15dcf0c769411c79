// Command drover-engine-docker is Drover's Docker engine plugin: each step
// runs in a container on the stage's own network, with the workspace in
// the stage's volume. Install it in the plugin directory as
// drover-engine-docker. Its options: host, runner_id (default
// $DROVER_RUNNER_ID, then the host name), log_dir, helper_image.
package main

import (
	"github.com/drover-ci/drover/plugins/engine-docker/docker"
	"github.com/drover-ci/drover/sdk/engine"
)

func main() { engine.Serve(docker.Must(docker.New(docker.Config{}))) }

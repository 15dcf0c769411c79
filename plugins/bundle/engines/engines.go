// Package engines holds every engine plugin's main, for binaries that
// bundle them (see package bundle).
package engines

import (
	"github.com/drover-ci/drover/plugins/engine-docker/docker"
	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/plugins/engine-ssh/sshengine"
	"github.com/drover-ci/drover/sdk/engine"
)

// Mains returns each engine plugin's main by its binary's name
// (drover-engine-<name>).
func Mains() map[string]func() {
	return map[string]func(){
		"drover-engine-docker": func() { engine.Serve(docker.Must(docker.New(docker.Config{}))) },
		"drover-engine-local":  local.Main,
		"drover-engine-ssh":    func() { engine.Serve(sshengine.New(sshengine.Config{})) },
	}
}

// Package bundle serves Drover's own plugins from inside another binary:
// the container images build drover-server and drover-runner with them
// (the bundle tag) and install each plugin as a link to that binary, so
// one Go runtime and one copy of gRPC serve them all. Each plugin's own
// main under plugins/ stays the way to build it alone.
package bundle

import (
	"github.com/drover-ci/drover/plugins/engine-docker/docker"
	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/plugins/engine-ssh/sshengine"
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
	"github.com/drover-ci/drover/plugins/remote-github/github"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
	"github.com/drover-ci/drover/sdk/engine"
	"github.com/drover-ci/drover/sdk/remote"
)

// Engines returns each engine plugin's main by its binary's name
// (drover-engine-<name>).
func Engines() map[string]func() {
	return map[string]func(){
		"drover-engine-docker": func() { engine.Serve(docker.Must(docker.New(docker.Config{}))) },
		"drover-engine-local":  local.Main,
		"drover-engine-ssh":    func() { engine.Serve(sshengine.New(sshengine.Config{})) },
	}
}

// Remotes returns each remote plugin's main by its binary's name
// (drover-remote-<name>).
func Remotes() map[string]func() {
	return map[string]func(){
		"drover-remote-gitea":  func() { remote.Serve(gitea.NewPlugin()) },
		"drover-remote-github": func() { remote.Serve(github.NewPlugin()) },
		"drover-remote-gitlab": func() { remote.Serve(gitlab.NewPlugin()) },
	}
}

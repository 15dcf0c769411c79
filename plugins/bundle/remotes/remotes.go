// Package remotes holds every remote plugin's main, for binaries that
// bundle them (see package bundle).
package remotes

import (
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
	"github.com/drover-ci/drover/plugins/remote-github/github"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
	"github.com/drover-ci/drover/sdk/remote"
)

// Mains returns each remote plugin's main by its binary's name
// (drover-remote-<name>).
func Mains() map[string]func() {
	return map[string]func(){
		"drover-remote-gitea":  func() { remote.Serve(gitea.NewPlugin()) },
		"drover-remote-github": func() { remote.Serve(github.NewPlugin()) },
		"drover-remote-gitlab": func() { remote.Serve(gitlab.NewPlugin()) },
	}
}

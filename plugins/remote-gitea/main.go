// Command drover-remote-gitea is Drover's Gitea remote plugin: the host
// launches it, configures it with a [[remote]] table's options and calls it
// over gRPC (go-plugin).
package main

import (
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
	"github.com/drover-ci/drover/sdk/remote"
)

func main() { remote.Serve(gitea.NewPlugin()) }

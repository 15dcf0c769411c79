package gitea

import (
	"github.com/drover-ci/drover/sdk/remote"
)

// Version is the plugin's version.
const Version = "0.1.0"

// NewPlugin returns the remote as its plugin process serves it: unavailable
// until Configure receives valid instance options (see New).
func NewPlugin() *remote.Unconfigured {
	return remote.NewUnconfigured("gitea", Version, New)
}

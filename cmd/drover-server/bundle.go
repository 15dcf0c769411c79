//go:build bundle

package main

import (
	"maps"

	"github.com/drover-ci/drover/plugins/bundle/engines"
	"github.com/drover-ci/drover/plugins/bundle/remotes"
)

func init() {
	maps.Copy(bundled, engines.Mains())
	maps.Copy(bundled, remotes.Mains())
}

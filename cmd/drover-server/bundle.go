//go:build bundle

package main

import (
	"maps"

	"github.com/drover-ci/drover/plugins/bundle"
)

func init() {
	maps.Copy(bundled, bundle.Engines())
	maps.Copy(bundled, bundle.Remotes())
}

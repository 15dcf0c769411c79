//go:build bundle

package main

import (
	"maps"

	"github.com/drover-ci/drover/plugins/bundle/engines"
)

func init() { maps.Copy(bundled, engines.Mains()) }

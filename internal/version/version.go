// Package version holds the build's version, set at link time with
// -ldflags "-X github.com/drover-ci/drover/internal/version.Version=…".
package version

// Version is the release version, or "dev" for local builds.
var Version = "dev"

// Commit is the source commit the binary was built from, when known.
var Commit = ""

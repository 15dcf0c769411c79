// Package archdoc holds a test that keeps docs/architecture.md naming
// every folder of the module's layers (core, server, sdk, plugins,
// runner), so the design page cannot fall behind a new package.
package archdoc

// Package bundle is the home of the plugins' mains served from inside
// another binary: the container images build drover-server and
// drover-runner with them (the bundle tag) and install each plugin as a
// link to that binary, so one Go runtime and one copy of gRPC serve them
// all. Engines and remotes are separate packages (bundle/engines,
// bundle/remotes) so that the runner links no remote. Each plugin's own
// main under plugins/ stays the way to build it alone.
package bundle

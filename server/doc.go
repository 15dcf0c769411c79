// Package server assembles Drover's server: store, API, plugin host,
// scheduler and local runner, and runs them until shutdown.
package server

// Package e2e holds Drover's end-to-end tests against real outside
// programs: a real Gitea (see internal/testenv), the Gitea remote plugin
// built as a binary and launched by the plugin host, and the real local
// engine. `make e2e` runs them.
package e2e

package faults_test

import (
	"testing"
	"time"

	"github.com/drover-ci/drover/e2e/internal/e2eproc"
)

// The suite's processes come from e2eproc (shared with e2e/mirrors).
type (
	binaries = e2eproc.Binaries
	proc     = e2eproc.Proc
)

func build(t *testing.T) binaries { return e2eproc.Build(t) }

func startProc(t *testing.T, name, bin string, env []string, args ...string) *proc {
	t.Helper()
	return e2eproc.Start(t, name, bin, env, args...)
}

func children(pid int) []int       { return e2eproc.Children(pid) }
func killPid(pid int) error        { return e2eproc.KillPid(pid) }
func freeAddr(t *testing.T) string { t.Helper(); return e2eproc.FreeAddr(t) }

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	e2eproc.Eventually(t, within, what, cond)
}

func waitHTTP(t *testing.T, url string, p *proc) {
	t.Helper()
	e2eproc.WaitHTTP(t, url, p)
}

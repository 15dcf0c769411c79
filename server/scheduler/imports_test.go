package scheduler_test

import (
	"go/build"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The scheduler works on core's interfaces (core.Store, core.Queue), never
// on a concrete store: neither it nor anything it imports may import
// server/store or a package under it. Its tests may, to open a real one.
func TestSchedulerImportsNoConcreteStore(t *testing.T) {
	const forbidden = "github.com/drover-ci/drover/server/store"
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(build.Default.GOROOT, "bin", "go")
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 || deps[len(deps)-1] != "github.com/drover-ci/drover/server/scheduler" {
		t.Fatalf("go list -deps did not list the scheduler last: %q", deps)
	}
	for _, dep := range deps {
		if dep == forbidden || strings.HasPrefix(dep, forbidden+"/") {
			t.Errorf("server/scheduler depends on %s; it must use core's interfaces only", dep)
		}
	}
}

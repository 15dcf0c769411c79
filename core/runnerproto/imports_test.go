package runnerproto_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyStandardLibraryAndCore keeps the protocol neutral: the
// server and the runner both import it, so it may import nothing of
// either (only the standard library and core).
func TestImportsOnlyStandardLibraryAndCore(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		std := !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".")
		if !std && imp != "github.com/drover-ci/drover/core" {
			t.Errorf("runnerproto imports %s; only the standard library and core are allowed", imp)
		}
	}
}

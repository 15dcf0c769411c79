package bundle_test

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/drover-ci/drover/plugins/bundle/engines"
	"github.com/drover-ci/drover/plugins/bundle/remotes"
)

// TestEveryPluginIsBundled checks that the bundle serves exactly the
// plugins that have a main under plugins/, by the name `make build` gives
// their binaries, so a new plugin cannot be missing from the images.
func TestEveryPluginIsBundled(t *testing.T) {
	mains, err := filepath.Glob(filepath.Join("..", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range mains {
		want = append(want, "drover-"+filepath.Base(filepath.Dir(m)))
	}
	var got []string
	for _, set := range []map[string]func(){engines.Mains(), remotes.Mains()} {
		for name, serve := range set {
			if serve == nil {
				t.Errorf("%s has no main", name)
			}
			got = append(got, name)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("bundled %v, want the plugins' binaries %v", got, want)
	}
}

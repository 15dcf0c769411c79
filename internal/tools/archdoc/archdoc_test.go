package archdoc_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// layers are the top-level folders whose every Go package the page names.
var layers = []string{"core", "server", "sdk", "plugins", "runner"}

func TestArchitectureNamesEveryFolder(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	dirs := packageDirs(t, root)
	if len(dirs) < 20 {
		t.Fatalf("found only %d package folders under %v: is the module root right?", len(dirs), layers)
	}
	for _, dir := range dirs {
		if !names(string(doc), dir) {
			t.Errorf("docs/architecture.md does not name %s: add it to the folders table", dir)
		}
	}
}

func TestNamesMatchesWholePaths(t *testing.T) {
	for _, tc := range []struct {
		doc, dir string
		want     bool
	}{
		{"| `server/api` | …", "server/api", true},
		{"| `server/api/apitest` | …", "server/api", false},
		{"`server/httperr`, `server/httpreq` |", "server/httpreq", true},
		{"`server/store/queue`, `server/store/queue/queuetest`", "server/store/queue/queuetest", true},
		{"the server folder", "server", false},
	} {
		if got := names(tc.doc, tc.dir); got != tc.want {
			t.Errorf("names(%q, %q) = %v, want %v", tc.doc, tc.dir, got, tc.want)
		}
	}
}

// names reports whether doc mentions dir as a code span of its own.
func names(doc, dir string) bool {
	return regexp.MustCompile("`" + regexp.QuoteMeta(dir) + "`").MatchString(doc)
}

// packageDirs lists the folders under the layers that hold Go files,
// testdata and hidden folders aside.
func packageDirs(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	for _, layer := range layers {
		err := filepath.WalkDir(filepath.Join(root, layer), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				return nil
			}
			if d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if hasGo(t, path) {
				rel, err := filepath.Rel(root, path)
				if err != nil {
					return err
				}
				out = append(out, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func hasGo(t *testing.T, dir string) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") {
			return true
		}
	}
	return false
}

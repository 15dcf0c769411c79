package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// makefileVersionFlag returns the -X flag the Makefile links the version
// with, without its value (…Version=).
func makefileVersionFlag(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^LDFLAGS\s*:?=.*-X\s+(\S+=)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile sets no -X version flag in LDFLAGS")
	}
	return string(m[1])
}

// TestVersionIsTheMakefiles builds the binary as `make build` does and
// checks that `drover-runner version` prints the version linked in.
func TestVersionIsTheMakefiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "drover-runner")
	const want = "9.8.7-test"
	build := exec.Command("go", "build", "-ldflags", "-X "+makefileVersionFlag(t)+want, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("version: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "drover-runner "+want {
		t.Fatalf("version printed %q, want %q", got, "drover-runner "+want)
	}
}

package host

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/drover-ci/drover/core"
)

// Prefix returns the binary name prefix of a kind: drover-engine-.
func Prefix(k Kind) string { return "drover-" + string(k) + "-" }

// resolve returns the instances to run: the configured ones, and when no
// engine is configured, one per drover-engine-<name> binary in the plugin
// directory (and per in-process engine registered under such a name).
func resolve(dir string, configured []Instance, builtin map[string]any) ([]Instance, error) {
	var out []Instance
	seen := map[string]bool{}
	engines := 0
	for _, in := range configured {
		if in.Kind != KindEngine && in.Kind != KindRemote {
			return nil, core.Errorf(core.CodeInvalid, "plugin instance %q: unknown kind %q", in.Name, in.Kind)
		}
		if in.Name == "" {
			return nil, core.Errorf(core.CodeInvalid, "a %s instance has no name", in.Kind)
		}
		key := string(in.Kind) + "/" + in.Name
		if seen[key] {
			return nil, core.Errorf(core.CodeInvalid, "%s instance %q is configured twice", in.Kind, in.Name)
		}
		seen[key] = true
		if in.Plugin == "" {
			in.Plugin = Prefix(in.Kind) + in.Name
		}
		if in.Plugin != filepath.Base(in.Plugin) || in.Plugin == "." || in.Plugin == ".." {
			return nil, core.Errorf(core.CodeInvalid, "%s instance %q: plugin %q must be a file name in the plugin directory", in.Kind, in.Name, in.Plugin)
		}
		if in.Kind == KindEngine {
			engines++
		}
		out = append(out, in)
	}
	if engines > 0 {
		return out, nil
	}
	names := map[string]bool{}
	for name := range builtin {
		if strings.HasPrefix(name, Prefix(KindEngine)) {
			names[name] = true
		}
	}
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("read plugin directory %s: %w", dir, err)
		}
		for _, e := range entries {
			if isPluginBinary(dir, e, KindEngine) {
				names[e.Name()] = true
			}
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		out = append(out, Instance{Kind: KindEngine, Name: strings.TrimPrefix(n, Prefix(KindEngine)), Plugin: n})
	}
	return out, nil
}

// isPluginBinary reports whether the entry is an executable file named
// drover-<kind>-<name>.
func isPluginBinary(dir string, e os.DirEntry, k Kind) bool {
	name := e.Name()
	if !strings.HasPrefix(name, Prefix(k)) || len(name) == len(Prefix(k)) || strings.ContainsAny(name, ". ") {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, name))
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// fileSHA256 returns the hex sha256 of the file.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

package enginekit

import (
	"maps"
	"path"
	"sort"
	"strings"

	"github.com/drover-ci/drover/core"
)

// Script returns the shell script a step runs: its compiled Script, or,
// when the compiler left it empty, one built from Commands that echoes each
// command (prefixed with "+ ") before running it and stops at the first
// failure. It returns "" when the step has neither (it runs its image's
// entrypoint and command).
func Script(step *core.SpecStep) string {
	if step.Script != "" {
		return step.Script
	}
	if len(step.Commands) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("set -e\n")
	for _, c := range step.Commands {
		b.WriteString("echo ")
		b.WriteString(Quote("+ " + c))
		b.WriteString("\n")
		b.WriteString(c)
		b.WriteString("\n")
	}
	return b.String()
}

// Shell returns the shell that runs the step's script: its Shell, or
// /bin/sh.
func Shell(step *core.SpecStep) string {
	if step.Shell != "" {
		return step.Shell
	}
	return "/bin/sh"
}

// Quote quotes s for a POSIX shell.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Env returns the environment of a step: the stage's variables, overridden
// by the step's, as a map.
func Env(spec *core.Spec, step *core.SpecStep) map[string]string {
	env := map[string]string{}
	if spec != nil {
		maps.Copy(env, spec.Environment)
	}
	maps.Copy(env, step.Environment)
	return env
}

// EnvList returns env as sorted KEY=value pairs.
func EnvList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// WorkDir maps a step's working directory onto where an engine placed the
// workspace (actual, a slash-separated absolute path): empty means the
// workspace itself; relative paths and paths under the pipeline's
// workspace path (logical, e.g. /drover/src) are taken inside it; other
// absolute paths are used as they are.
func WorkDir(logical, actual, wd string) string {
	switch {
	case wd == "":
		return actual
	case !path.IsAbs(wd):
		return path.Join(actual, wd)
	}
	if logical != "" {
		base := path.Clean(logical)
		if path.Clean(wd) == base {
			return actual
		}
		if rel, ok := strings.CutPrefix(path.Clean(wd), base+"/"); ok {
			return path.Join(actual, rel)
		}
	}
	return wd
}

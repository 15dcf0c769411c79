package pipeline

import (
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/drone/envsubst"

	"github.com/drover-ci/drover/core"
)

// DefaultWorkspace is where docker steps see the clone unless the pipeline
// sets workspace.path.
const DefaultWorkspace = "/drone/src"

// Compile turns a parsed manifest into one core.Spec per pipeline (stage)
// of the build md describes.
//
// It substitutes ${VARIABLES} from Environ(md) into every scalar value
// (Drone's string operations: ${VAR##prefix}, ${VAR:0:7}, ${VAR=default};
// $$ escapes a dollar; an unknown variable is empty), checks the result as
// Lint does (without trust, which the caller checks with Lint), and then:
//
//   - Pipelines whose trigger does not match the build (branch, event,
//     ref, repo, instance, target, cron, action, paths) are LEFT OUT of the
//     result. When every pipeline is left out, the result is empty and
//     the build should be skipped.
//   - A depends_on naming a pipeline that was left out is replaced by
//     that pipeline's own dependencies (transitively, as in Drone), so
//     the remaining specs only name specs in the result. A spec without
//     DependsOn can be queued at once (pending); the others wait until the
//     stages they name finish (waiting), and then run according to the
//     spec's RunPolicy (from trigger.status): "" or on-success runs when
//     every dependency succeeded, on-failure when one failed, always in
//     both cases; otherwise the stage is skipped.
//   - A step whose when does not match keeps its place with RunPolicy
//     never (shown as skipped); when.status picks on-success (default),
//     on-failure or always.
//
// Specs come in file order; StageID is left for the caller to set. Specs
// share slices and maps (commands, options, labels) with m: treat both as
// read-only.
func Compile(m *Manifest, md Metadata) ([]*core.Spec, error) {
	if m == nil {
		return nil, core.Errorf(core.CodeInvalid, "compile: no manifest")
	}
	env := Environ(&md)
	d := &decoder{subst: func(s string) (string, error) {
		return envsubst.Eval(s, func(k string) string { return env[k] })
	}}
	sm := &Manifest{docs: m.docs}
	if !fullWalk {
		d.base = m
	}
	d.decodeManifest(sm)
	if err := d.list.err(); err != nil {
		return nil, err
	}
	var ps problems
	lintManifest(&ps, sm)
	if err := ps.list.err(); err != nil {
		return nil, err
	}
	var kept []*Pipeline
	keep := map[string]bool{}
	byName := make(map[string]*Pipeline, len(sm.Pipelines))
	for _, p := range sm.Pipelines {
		byName[p.Name] = p
		if p.Trigger.Match(&md) {
			kept = append(kept, p)
			keep[p.Name] = true
		}
	}
	timeout := md.Timeout
	if timeout <= 0 && md.Repo.Timeout > 0 {
		timeout = time.Duration(md.Repo.Timeout) * time.Minute
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	specs := make([]*core.Spec, 0, len(kept))
	for i, p := range kept {
		s := compilePipeline(p, i+1, &md, env, stageDeps(p, byName, keep))
		s.Timeout = timeout
		specs = append(specs, s)
	}
	checkSpecSize(&ps, specs, kept)
	if err := ps.list.err(); err != nil {
		return nil, err
	}
	return specs, nil
}

// stageDeps returns the stages p's stage waits for. As in Drone's
// trigger, a dependency on a pipeline left out stands for that pipeline's
// own dependencies, and so on up the graph, so the order the file asks
// for holds among the stages that run.
func stageDeps(p *Pipeline, byName map[string]*Pipeline, keep map[string]bool) []string {
	var out []string
	seen := map[string]bool{p.Name: true}
	var walk func(deps []Ref)
	walk = func(deps []Ref) {
		for _, d := range deps {
			if seen[d.Name] {
				continue
			}
			seen[d.Name] = true
			switch {
			case keep[d.Name]:
				out = append(out, d.Name)
			case byName[d.Name] != nil:
				walk(byName[d.Name].DependsOn)
			}
		}
	}
	walk(p.DependsOn)
	return out
}

func compilePipeline(p *Pipeline, number int, md *Metadata, buildEnv map[string]string, deps []string) *core.Spec {
	platform := core.Platform{
		OS:      firstNonEmpty(p.Platform.OS, "linux"),
		Arch:    firstNonEmpty(p.Platform.Arch, "amd64"),
		Variant: p.Platform.Variant,
		Version: p.Platform.Version,
	}
	ws := workspacePath(p, platform.OS)
	spec := &core.Spec{
		Name:        p.Name,
		Type:        p.Type,
		Platform:    platform,
		Labels:      p.Node,
		Concurrency: p.Concurrency,
		Workspace:   core.Workspace{Path: ws},
		Clone:       core.Clone{Disable: p.Clone.Disable, Depth: p.Clone.Depth, Retries: p.Clone.Retries, SkipVerify: p.Clone.SkipVerify},
		PullSecrets: p.ImagePullSecrets,
		Options:     p.Options,
	}
	if !p.Trigger.Status.Empty() {
		spec.RunPolicy = stagePolicy(p.Trigger.Status)
	}
	spec.DependsOn = deps
	env := make(map[string]string, len(buildEnv)+len(p.Environment)+16)
	for k, v := range buildEnv {
		env[k] = v
	}
	stageEnviron(env, p, number, ws, platform)
	var stageSecrets []*core.SecretRef
	for k, v := range p.Environment {
		if v.Secret != "" {
			stageSecrets = append(stageSecrets, &core.SecretRef{Name: v.Secret, Env: k})
		} else {
			env[k] = v.Value
		}
	}
	spec.Environment = env
	volumes := make(map[string]*Volume, len(p.Volumes))
	for _, v := range p.Volumes {
		volumes[v.Name] = v
	}
	stepNo := 1
	if !p.Clone.Disable {
		stepNo++
	}
	spec.Steps = make([]*core.SpecStep, 0, len(p.Services)+len(p.Steps))
	slab := make([]core.SpecStep, len(p.Services)+len(p.Steps)) // one allocation for all
	for _, s := range p.Services {
		svc := *s
		svc.Detach = true
		st := &slab[len(spec.Steps)]
		compileStep(st, &svc, md, stepNo, platform.OS, ws, stageSecrets, volumes)
		spec.Steps = append(spec.Steps, st)
		stepNo++
	}
	for _, s := range p.Steps {
		st := &slab[len(spec.Steps)]
		compileStep(st, s, md, stepNo, platform.OS, ws, stageSecrets, volumes)
		spec.Steps = append(spec.Steps, st)
		stepNo++
	}
	return spec
}

func workspacePath(p *Pipeline, os string) string {
	w := p.Workspace
	switch {
	case w.Path != "" && (path.IsAbs(w.Path) || strings.Contains(w.Path, ":")):
		return w.Path
	case w.Path != "" || w.Base != "":
		return path.Join(firstNonEmpty(w.Base, DefaultWorkspace), w.Path)
	case p.Type != "docker":
		return "" // the engine picks a directory on its host
	case os == "windows":
		return `C:\drone\src`
	}
	return DefaultWorkspace
}

// stagePolicy turns a pipeline's trigger.status into its stage's run
// policy. As in Drone's trigger, a stage runs for the outcomes the
// condition matches: none at all (say, only "changed") means never.
func stagePolicy(c Condition) core.RunPolicy {
	if c.Empty() {
		return core.RunOnSuccess
	}
	onSuccess, onFailure := c.Match("success"), c.Match("failure")
	switch {
	case onSuccess && onFailure:
		return core.RunAlways
	case onFailure:
		return core.RunOnFailure
	case onSuccess:
		return core.RunOnSuccess
	}
	return core.RunNever
}

// stepPolicy turns a step's when.status into its run policy as Drone's
// runners do: always when it matches both outcomes, on-failure when it
// matches failure, and otherwise on-success, even when it matches neither.
func stepPolicy(c Condition) core.RunPolicy {
	if !c.Empty() && c.Match("failure") {
		if c.Match("success") {
			return core.RunAlways
		}
		return core.RunOnFailure
	}
	return core.RunOnSuccess
}

// compileStep fills st, a zero SpecStep, from s.
func compileStep(st *core.SpecStep, s *Step, md *Metadata, number int, os, ws string, stageSecrets []*core.SecretRef, volumes map[string]*Volume) {
	*st = core.SpecStep{
		Name:          s.Name,
		Image:         s.Image,
		Pull:          s.Pull,
		Entrypoint:    s.Entrypoint,
		Command:       s.Command,
		Commands:      s.Commands,
		IgnoreFailure: s.Failure == "ignore",
		Detach:        s.Detach,
		Privileged:    s.Privileged,
		User:          s.User,
		WorkingDir:    s.WorkingDir,
		Network:       s.Network,
		Options:       s.Options,
		RunPolicy:     stepPolicy(s.When.Status),
	}
	// As in Drone, a detached step without commands (a service) keeps its
	// image's working directory.
	if st.WorkingDir == "" && (len(s.Commands) > 0 || !s.Detach) {
		st.WorkingDir = ws
	}
	if st.Pull == "default" {
		st.Pull = ""
	}
	if !s.When.Match(md) {
		st.RunPolicy = core.RunNever
	}
	if len(s.Commands) > 0 {
		if os == "windows" {
			st.Shell = firstNonEmpty(s.Shell, "powershell")
			st.Script = powershellScript(s.Commands)
		} else {
			st.Shell = firstNonEmpty(s.Shell, "/bin/sh")
			st.Script = posixScript(s.Commands)
		}
	}
	for _, d := range s.DependsOn {
		st.DependsOn = append(st.DependsOn, d.Name)
	}
	env := make(map[string]string, len(s.Environment)+len(s.Settings)+6)
	// Each variable is a secret or not according to the last of these
	// operations that names it: stage secrets, then the step's
	// environment, then its settings.
	secrets := make(secretOps, 0, len(stageSecrets)+len(s.Environment)+len(s.Settings))
	for _, r := range stageSecrets {
		secrets = append(secrets, secretOp{env: r.Env, name: r.Name})
	}
	for k, v := range s.Environment {
		if v.Secret != "" {
			secrets = append(secrets, secretOp{env: k, name: v.Secret})
		} else {
			env[k] = v.Value
			secrets = append(secrets, secretOp{env: k})
		}
	}
	for k, v := range s.Settings {
		name := settingEnv(k)
		if ref, ok := secretOf(v); ok {
			secrets = append(secrets, secretOp{env: name, name: ref})
			delete(env, name)
			continue
		}
		env[name] = encodeSetting(v)
		secrets = append(secrets, secretOp{env: name})
	}
	n := strconv.Itoa(number)
	env["DRONE_STEP_NAME"], env["DROVER_STEP_NAME"], env["CI_STEP_NAME"] = s.Name, s.Name, s.Name
	env["DRONE_STEP_NUMBER"], env["DROVER_STEP_NUMBER"], env["CI_STEP_NUMBER"] = n, n, n
	st.Environment = env
	st.Secrets = secrets.refs()
	for _, v := range s.Volumes {
		pv := volumes[v.Name]
		if pv == nil {
			continue // not declared: skipped, as Drone's docker runner does (Lint warns)
		}
		st.Volumes = append(st.Volumes, &core.VolumeMount{Name: v.Name, Path: v.Path, HostPath: pv.HostPath, Medium: pv.Medium})
	}
}

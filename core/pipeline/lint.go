package pipeline

import "github.com/drover-ci/drover/core"

// LintOptions configures Lint.
type LintOptions struct {
	// Trusted allows the options that reach the host: privileged steps,
	// host volumes, in-memory volumes, host ports, host networking and
	// devices, and type: exec. Trust is a per-repository setting on the
	// server; the CLI assumes it.
	Trusted bool
}

// Lint checks what Parse cannot check document by document, as Drone's
// linters do (the server's and the runners'): unique pipeline and step
// names, depends_on naming a pipeline or step defined earlier in the
// file, platforms the pipeline type can run, images where the engine
// needs them, volume names and mount paths, and, for an untrusted
// repository, no option that needs trust. It returns the errors as
// Problems, or nil; Check also returns the warnings.
func Lint(m *Manifest, opts LintOptions) error {
	_, err := Check(m, opts)
	return err
}

// Check is Lint that also returns the warnings of Parse and Lint: what
// runs but has no effect or is probably a mistake (an unknown key, a value
// Drone reads as its default, a mount of an undeclared volume).
func Check(m *Manifest, opts LintOptions) (warnings Problems, err error) {
	var ps problems
	lintManifest(&ps, m)
	if !opts.Trusted {
		for _, p := range m.Pipelines {
			lintTrust(&ps, p)
		}
	}
	all := append(append(Problems(nil), m.warnings...), ps.list...)
	return all.warnings(), ps.list.err()
}

func lintManifest(ps *problems, m *Manifest) {
	names := map[string]bool{}
	for _, p := range m.Pipelines {
		if names[p.Name] {
			pos := p.Pos
			if k, ok := p.Keys.Lookup("name"); ok {
				pos = k
			}
			ps.add(pos, "pipeline %q is defined twice (Drone: duplicate pipeline names)", p.Name)
			continue
		}
		// As Drone's linter: a pipeline depends only on pipelines written
		// before it, so pipeline dependencies never form a cycle.
		for _, d := range p.DependsOn {
			switch {
			case d.Name == p.Name:
				ps.add(d.Pos, "pipeline %q depends on itself (Drone: pipeline cannot have a dependency on itself)", p.Name)
			case !names[d.Name]:
				ps.add(d.Pos, "pipeline %q depends on %q, which is not a pipeline defined before it (Drone: invalid or unknown pipeline dependency)", p.Name, d.Name)
			}
		}
		names[p.Name] = true
		lintPlatform(ps, p)
		lintPipeline(ps, p)
	}
}

func lintPipeline(ps *problems, p *Pipeline) {
	volumes := lintVolumes(ps, p)
	steps := allSteps(p)
	names := make(map[string]bool, len(steps)+1)
	if !p.Clone.Disable {
		names[CloneStep] = true // Drone's linters know the clone as a step
	}
	for _, s := range steps {
		switch {
		case s.Name == "":
			ps.add(s.Pos, "pipeline %q: a step needs a name (Drone: invalid or missing name)", p.Name)
			continue
		case s.Name == CloneStep && !p.Clone.Disable:
			ps.add(keyPos(s, "name"), "pipeline %q: the step name clone is reserved for the clone step (set clone: disable: true to write your own)", p.Name)
			continue
		case names[s.Name]:
			ps.add(keyPos(s, "name"), "pipeline %q: step %q is defined twice (Drone: duplicate step names)", p.Name, s.Name)
			continue
		case len(s.Name) > maxStepName:
			ps.add(keyPos(s, "name"), "pipeline %q: a step name has more than %d characters (Drone: step name cannot exceed %d characters)", p.Name, maxStepName, maxStepName)
		}
		// Drone's runners accept only dependencies on the clone, the
		// services and the steps written before.
		for _, d := range s.DependsOn {
			switch {
			case d.Name == s.Name:
				ps.add(d.Pos, "step %q depends on itself (Drone: cyclical step dependency detected)", s.Name)
			case !names[d.Name]:
				ps.add(d.Pos, "step %q depends on %q, which is not a service or step defined before it (Drone: unknown step dependency detected: %s references %s)", s.Name, d.Name, s.Name, d.Name)
			}
		}
		names[s.Name] = true
		switch p.Type {
		case "docker":
			if _, build := s.Keys.Lookup("build"); s.Image == "" && build {
				ps.add(s.Pos, "step %q: image is required; Drover does not build images with build: (Drone: invalid or missing build image)", s.Name)
			} else if s.Image == "" {
				ps.add(s.Pos, "step %q: image is required (Drone: invalid or missing image)", s.Name)
			}
		case "exec", "ssh":
			if len(s.Commands) == 0 {
				ps.add(s.Pos, "step %q: commands are required in a %s pipeline", s.Name, p.Type)
			}
		}
		lintMounts(ps, p, s, volumes)
		lintStatus(ps, s.When.Status, "step", s.Name, "when.status", stepPolicy(s.When.Status))
	}
	if len(p.Steps) == 0 {
		ps.warn(p.Pos, "pipeline %q has no steps: only the clone runs", p.Name)
	}
	lintStatus(ps, p.Trigger.Status, "pipeline", p.Name, "trigger.status", stagePolicy(p.Trigger.Status))
}

// maxStepName is the longest step name Drone's runners accept.
const maxStepName = 100

// allSteps returns the services and then the steps of p.
func allSteps(p *Pipeline) []*Step {
	if len(p.Services) == 0 {
		return p.Steps
	}
	return append(append(make([]*Step, 0, len(p.Services)+len(p.Steps)), p.Services...), p.Steps...)
}

// lintStatus warns about status values other than success and failure:
// Drone accepts them (drone-email's "changed") and they never match.
func lintStatus(ps *problems, c Condition, kind, name, field string, policy core.RunPolicy) {
	for _, l := range [][]string{c.Include, c.Exclude} {
		for _, v := range l {
			if v != "success" && v != "failure" {
				ps.warn(c.Pos, "%s %q: %s value %q never matches (a build's status is success or failure); as in Drone, the %s's run policy is %s", kind, name, field, v, kind, policy)
			}
		}
	}
}

func keyPos(s *Step, key string) Pos {
	if p, ok := s.Keys.Lookup(key); ok {
		return p
	}
	return s.Pos
}

package pipeline

import (
	"strings"
)

// LintOptions configures Lint.
type LintOptions struct {
	// Trusted allows the options that reach the host: privileged steps,
	// host volumes, host networking and devices, and type: exec. Trust is
	// a per-repository setting on the server; the CLI assumes it.
	Trusted bool
}

// Lint checks what Parse cannot check document by document: unique
// pipeline and step names, depends_on naming a pipeline or step that
// exists, no dependency cycles (the cycle is spelled out), images where
// the engine needs them, volumes that are declared, and, for an untrusted
// repository, no option that needs trust. It returns Problems, or nil.
func Lint(m *Manifest, opts LintOptions) error {
	var ps problems
	lintManifest(&ps, m)
	if !opts.Trusted {
		for _, p := range m.Pipelines {
			lintTrust(&ps, p)
		}
	}
	return ps.list.err()
}

func lintManifest(ps *problems, m *Manifest) {
	names := map[string]bool{}
	var nodes []dagNode
	for _, p := range m.Pipelines {
		if names[p.Name] {
			pos := p.Pos
			if k, ok := p.Keys.Lookup("name"); ok {
				pos = k
			}
			ps.add(pos, "pipeline %q is defined twice", p.Name)
			continue
		}
		names[p.Name] = true
		nodes = append(nodes, dagNode{name: p.Name, pos: p.Pos, deps: p.DependsOn})
		lintPipeline(ps, p)
	}
	lintGraph(ps, "pipeline", nodes, names)
}

func lintPipeline(ps *problems, p *Pipeline) {
	names := make(map[string]bool, len(p.Services)+len(p.Steps))
	nodes := make([]dagNode, 0, len(p.Services)+len(p.Steps))
	volumes := map[string]bool{}
	for _, v := range p.Volumes {
		if v.Name == "" {
			ps.add(v.Pos, "pipeline %q: a volume needs a name", p.Name)
		}
		volumes[v.Name] = true
	}
	for _, s := range allSteps(p) {
		switch {
		case s.Name == "":
			ps.add(s.Pos, "pipeline %q: a step needs a name", p.Name)
			continue
		case names[s.Name]:
			ps.add(keyPos(s, "name"), "pipeline %q: step %q is defined twice", p.Name, s.Name)
			continue
		case s.Name == "clone" && !p.Clone.Disable:
			ps.add(keyPos(s, "name"), "pipeline %q: the step name clone is reserved for the clone step (set clone: disable: true to write your own)", p.Name)
		}
		names[s.Name] = true
		nodes = append(nodes, dagNode{name: s.Name, pos: s.Pos, deps: s.DependsOn})
		switch p.Type {
		case "docker":
			if s.Image == "" {
				ps.add(s.Pos, "step %q: image is required", s.Name)
			}
		case "exec", "ssh":
			if len(s.Commands) == 0 {
				ps.add(s.Pos, "step %q: commands are required in a %s pipeline", s.Name, p.Type)
			}
		}
		for _, v := range s.Volumes {
			if v.Name != "" && !volumes[v.Name] {
				ps.add(v.Pos, "step %q: volume %q is not declared in the pipeline's volumes", s.Name, v.Name)
			}
		}
		lintStatus(ps, s.When.Status, "step", s.Name, "when.status")
	}
	if len(p.Steps) == 0 {
		ps.add(p.Pos, "pipeline %q has no steps", p.Name)
	}
	lintStatus(ps, p.Trigger.Status, "pipeline", p.Name, "trigger.status")
	lintGraph(ps, "step", nodes, names)
}

// allSteps returns the services and then the steps of p.
func allSteps(p *Pipeline) []*Step {
	if len(p.Services) == 0 {
		return p.Steps
	}
	return append(append(make([]*Step, 0, len(p.Services)+len(p.Steps)), p.Services...), p.Steps...)
}

// lintStatus checks the values of a status condition (of the step or
// pipeline kind name, in its field).
func lintStatus(ps *problems, c Condition, kind, name, field string) {
	for _, l := range [][]string{c.Include, c.Exclude} {
		for _, v := range l {
			if v != "success" && v != "failure" {
				ps.add(c.Pos, "%s %q: %s must be success or failure, not %q", kind, name, field, v)
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

type dagNode struct {
	name string
	pos  Pos
	deps []Ref
}

// lintGraph reports depends_on entries naming nothing, and cycles.
func lintGraph(ps *problems, what string, nodes []dagNode, names map[string]bool) {
	index := make(map[string]int, len(nodes))
	for i, n := range nodes {
		index[n.name] = i
	}
	for _, n := range nodes {
		for _, d := range n.deps {
			switch {
			case d.Name == n.name:
				ps.add(d.Pos, "%s %q depends on itself", what, n.name)
			case !names[d.Name]:
				ps.add(d.Pos, "%s %q depends on %q, which does not exist", what, n.name, d.Name)
			}
		}
	}
	// Depth-first search with colours; each cycle is reported once.
	const (
		white = iota
		grey
		black
	)
	colour := make([]int, len(nodes))
	var stack []int
	var visit func(i int)
	visit = func(i int) {
		colour[i] = grey
		stack = append(stack, i)
		for _, d := range nodes[i].deps {
			j, ok := index[d.Name]
			if !ok || j == i {
				continue
			}
			switch colour[j] {
			case white:
				visit(j)
			case grey:
				var cyc []string
				for k := len(stack) - 1; k >= 0; k-- {
					cyc = append(cyc, nodes[stack[k]].name)
					if stack[k] == j {
						break
					}
				}
				// cyc runs backwards along depends_on; print it forwards.
				for l, r := 0, len(cyc)-1; l < r; l, r = l+1, r-1 {
					cyc[l], cyc[r] = cyc[r], cyc[l]
				}
				cyc = append(cyc, nodes[j].name)
				ps.add(d.Pos, "dependency cycle between %ss: %s (each depends on the next)", what, strings.Join(cyc, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		colour[i] = black
	}
	for i := range nodes {
		if colour[i] == white {
			visit(i)
		}
	}
}

// trustedStepOptions are step options that reach the host.
var trustedStepOptions = []string{"devices", "dns", "dns_search", "extra_hosts"}

func lintTrust(ps *problems, p *Pipeline) {
	if p.Type == "exec" {
		ps.add(keyPos(&Step{Pos: p.Pos, Keys: p.Keys}, "type"), "pipeline %q: type: exec runs commands on the runner's host and needs a trusted repository", p.Name)
	}
	for _, v := range p.Volumes {
		if v.HostPath != "" {
			ps.add(v.Pos, "pipeline %q: host volume %q (%s) needs a trusted repository", p.Name, v.Name, v.HostPath)
		}
	}
	for _, s := range allSteps(p) {
		if s.Privileged {
			ps.add(keyPos(s, "privileged"), "step %q: privileged needs a trusted repository", s.Name)
		}
		if s.Network != "" {
			ps.add(keyPos(s, "network_mode"), "step %q: network_mode: %s needs a trusted repository", s.Name, s.Network)
		}
		for _, k := range trustedStepOptions {
			if _, ok := s.Options[k]; ok {
				ps.add(keyPos(s, k), "step %q: %s needs a trusted repository", s.Name, k)
			}
		}
	}
}

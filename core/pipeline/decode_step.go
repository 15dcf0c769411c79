package pipeline

import (
	"maps"

	"gopkg.in/yaml.v3"
)

// decodeSteps reads a list of steps; base holds Parse's decoding of the
// same list when Compile decodes it again (see reuse.go).
func (d *decoder) decodeSteps(n *node, typ, what string, base []*Step) []*Step {
	r := d.resolve(n)
	if isNull(r) {
		return nil
	}
	if r.Kind != yaml.SequenceNode {
		d.add(posOf(r), "%s must be a list", what)
		return nil
	}
	out := make([]*Step, 0, len(r.Content))
	entry := what + " entry"
	for i, c := range r.Content {
		d.stepsLeft = len(r.Content) - i
		if s := d.decodeStep(c, typ, entry, baseAt(base, len(out))); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// decodeStep reads one step; entry names it in messages ("steps entry").
func (d *decoder) decodeStep(n *node, typ, entry string, base *Step) *Step {
	r := d.resolve(n)
	if r == nil {
		return nil
	}
	fs := d.fields(r, entry)
	// With a base, clean64 has bit i set when field i holds no "$" (fields
	// past 64 are decoded again, which is always correct).
	var clean64 uint64
	if base != nil {
		for i, f := range fs[:min(len(fs), 64)] {
			if clean(f.v) {
				clean64 |= 1 << i
			}
		}
		if len(fs) <= 64 && clean64 == 1<<len(fs)-1 {
			return base
		}
	}
	var s *Step
	if base != nil {
		// Start from Parse's step and decode again only the fields with
		// a "$"; the keys (never substituted) are the same.
		s = d.newStep()
		*s = *base
	} else {
		s = d.newStep()
		s.Pos, s.Keys = posOf(r), make(KeyPositions, 0, len(fs))
	}
	ownOptions := base == nil
	_, knownType := engineKeys[typ]
	for i, f := range fs {
		if base != nil {
			if i < 64 && clean64&(1<<i) != 0 {
				continue
			}
		} else {
			s.Keys = append(s.Keys, KeyPos{f.key, posOf(f.k)})
		}
		switch f.key {
		case "name":
			s.Name = d.str(f.v, "name")
		case "image":
			s.Image = d.str(f.v, "image")
		case "pull":
			s.Pull = d.pullPolicy(f.v)
		case "commands":
			s.Commands = d.strs(f.v, "commands")
		case "entrypoint":
			s.Entrypoint = d.strs(f.v, "entrypoint")
		case "command":
			s.Command = d.strs(f.v, "command")
		case "environment":
			s.Environment = d.decodeEnv(f.v, "environment")
		case "settings":
			s.Settings = nil
			if m, ok := d.value(f.v, "settings", 0).(map[string]any); ok {
				s.Settings = m
			} else if !isNull(d.resolve(f.v)) {
				d.add(posOf(d.resolve(f.v)), "settings must be a mapping")
			}
		case "depends_on":
			s.DependsOn = d.refs(f.v, "depends_on")
		case "when":
			s.When = d.decodeConditions(f.v, "when")
		case "failure":
			s.Failure = d.failurePolicy(f.v)
		case "detach":
			s.Detach = d.boolean(f.v, "detach")
		case "privileged":
			s.Privileged = d.boolean(f.v, "privileged")
		case "volumes":
			s.Volumes = d.decodeMounts(f.v)
		case "ports":
			s.Ports = d.decodePorts(f.v, typ)
			if !ownOptions {
				s.Options, ownOptions = maps.Clone(s.Options), true
			}
			if s.Options == nil {
				s.Options = map[string]any{}
			}
			s.Options["ports"] = d.value(f.v, "ports", 0)
		case "user":
			s.User = d.str(f.v, "user")
		case "network_mode":
			s.Network = d.str(f.v, "network_mode")
		case "shell":
			s.Shell = d.str(f.v, "shell")
		case "working_dir":
			s.WorkingDir = d.str(f.v, "working_dir")
		default:
			if isExtension(f.key) {
				continue
			}
			if knownType && !stepOptionKeys[f.key] {
				d.warn(posOf(f.k), "step %s: unknown key %q is ignored%s", stepLabel(s, r), f.key, didYouMean(f.key, stepKeys))
				continue
			}
			if !ownOptions { // base's map is Parse's
				s.Options, ownOptions = maps.Clone(s.Options), true
			}
			if s.Options == nil {
				s.Options = map[string]any{}
			}
			s.Options[f.key] = d.value(f.v, f.key, 0)
		}
	}
	return s
}

// newStep returns a zero Step. Steps are large (their conditions) and
// many: they come from slabs.
func (d *decoder) newStep() *Step {
	if len(d.stepSlab) == 0 {
		// Slabs double (from 8), up to the steps left: Compile takes
		// only the steps holding a "$", so a slab may be left unused.
		d.slabSize = min(max(2*d.slabSize, 8), max(d.stepsLeft, 1))
		d.stepSlab = make([]Step, d.slabSize)
	}
	s := &d.stepSlab[0]
	d.stepSlab = d.stepSlab[1:]
	return s
}

// stepLabel names a step in messages, even before its name is read.
func stepLabel(s *Step, n *node) string {
	if s.Name != "" {
		return s.Name
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return "(unnamed)"
}

func (d *decoder) decodeMounts(n *node) []*VolumeMount {
	r := d.resolve(n)
	if isNull(r) {
		return nil
	}
	if r.Kind != yaml.SequenceNode {
		d.add(posOf(r), "volumes must be a list")
		return nil
	}
	var out []*VolumeMount
	for _, c := range r.Content {
		v := &VolumeMount{Pos: posOf(d.resolve(c))}
		for _, f := range d.fields(c, "volume") {
			switch f.key {
			case "name":
				v.Name = d.str(f.v, "volume.name")
			case "path":
				v.Path = d.str(f.v, "volume.path")
			default:
				d.warn(posOf(f.k), "volume: unknown key %q is ignored (want name and path)", f.key)
			}
		}
		if v.Name == "" || v.Path == "" {
			d.add(v.Pos, "a step volume needs a name and a path")
		}
		out = append(out, v)
	}
	return out
}

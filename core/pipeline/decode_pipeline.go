package pipeline

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// engineKeys lists the engine-specific top-level keys of the pipeline types
// Drover knows. A pipeline of any other type (a third-party engine's) passes
// every key it does not know to the engine as an option.
var engineKeys = map[string]map[string]bool{
	"docker": {},
	"exec":   {},
	"ssh":    {"server": true},
}

// stepOptionKeys are step keys that reach the engine as step options.
var stepOptionKeys = map[string]bool{
	"extra_hosts": true, "dns": true, "dns_search": true, "shm_size": true,
	"mem_limit": true, "memswap_limit": true, "cpu_period": true, "cpu_quota": true,
	"cpu_shares": true, "cpu_set": true, "devices": true, "resources": true,
}

// decodePipeline reads a pipeline document. base, when set, is Parse's
// decoding of the same document: its steps are reused where they hold no
// "$" and the pipeline's type is unchanged.
func (d *decoder) decodePipeline(root *node, fs []field, base *Pipeline) *Pipeline {
	p := &Pipeline{Pos: posOf(root), Type: "docker", Name: "default", Keys: make(KeyPositions, 0, len(fs))}
	for _, f := range fs {
		if f.key == "type" {
			if t := d.str(f.v, "type"); t != "" {
				p.Type = t
			}
		}
	}
	known, isKnown := engineKeys[p.Type]
	var baseSteps, baseServices []*Step
	if base != nil && base.Type == p.Type {
		baseSteps, baseServices = base.Steps, base.Services
	}
	for _, f := range fs {
		p.Keys = append(p.Keys, KeyPos{f.key, posOf(f.k)})
		switch f.key {
		case "kind", "type":
		case "version":
			d.str(f.v, "version")
		case "name":
			if s := d.str(f.v, "name"); s != "" {
				p.Name = s
			}
		case "platform":
			for _, g := range d.fields(f.v, "platform") {
				switch g.key {
				case "os":
					p.Platform.OS = d.str(g.v, "platform.os")
				case "arch":
					p.Platform.Arch = d.str(g.v, "platform.arch")
				case "variant":
					p.Platform.Variant = d.str(g.v, "platform.variant")
				case "version":
					p.Platform.Version = d.str(g.v, "platform.version")
				default:
					d.warn(posOf(g.k), "platform: unknown key %q is ignored (want os, arch, variant or version)", g.key)
				}
			}
		case "node":
			p.Node = d.stringMap(f.v, "node")
		case "workspace":
			for _, g := range d.fields(f.v, "workspace") {
				switch g.key {
				case "base":
					p.Workspace.Base = d.str(g.v, "workspace.base")
				case "path":
					p.Workspace.Path = d.str(g.v, "workspace.path")
				default:
					d.warn(posOf(g.k), "workspace: unknown key %q is ignored (want path)", g.key)
				}
			}
		case "clone":
			for _, g := range d.fields(f.v, "clone") {
				switch g.key {
				case "disable":
					p.Clone.Disable = d.boolean(g.v, "clone.disable")
				case "depth":
					p.Clone.Depth = d.integer(g.v, "clone.depth")
				case "retries":
					p.Clone.Retries = d.integer(g.v, "clone.retries")
				case "skip_verify":
					p.Clone.SkipVerify = d.boolean(g.v, "clone.skip_verify")
				default:
					d.warn(posOf(g.k), "clone: unknown key %q is ignored (want disable, depth, retries or skip_verify)", g.key)
				}
			}
		case "steps":
			p.Steps = d.decodeSteps(f.v, p.Type, "steps", baseSteps)
		case "services":
			p.Services = d.decodeSteps(f.v, p.Type, "services", baseServices)
		case "volumes":
			p.Volumes = d.decodeVolumes(f.v)
		case "trigger":
			p.Trigger = d.decodeConditions(f.v, "trigger")
		case "depends_on":
			p.DependsOn = d.refs(f.v, "depends_on")
		case "concurrency":
			for _, g := range d.fields(f.v, "concurrency") {
				if g.key == "limit" {
					p.Concurrency = d.integer(g.v, "concurrency.limit")
				} else {
					d.warn(posOf(g.k), "concurrency: unknown key %q is ignored (want limit)", g.key)
				}
			}
		case "image_pull_secrets":
			p.ImagePullSecrets = d.strs(f.v, "image_pull_secrets")
		case "environment":
			p.Environment = d.decodeEnv(f.v, "environment")
		default:
			if isExtension(f.key) {
				continue
			}
			if isKnown && !known[f.key] {
				d.warn(posOf(f.k), "pipeline: unknown key %q is ignored%s", f.key, didYouMean(f.key, pipelineKeys))
				continue
			}
			if p.Options == nil {
				p.Options = map[string]any{}
			}
			p.Options[f.key] = d.value(f.v, f.key, 0)
		}
	}
	return p
}

func (d *decoder) stringMap(n *node, what string) map[string]string {
	fs := d.fields(n, what)
	if len(fs) == 0 {
		return nil
	}
	m := make(map[string]string, len(fs))
	for _, f := range fs {
		m[f.key] = d.str(f.v, d.label(f.v, what, "."+f.key))
	}
	return m
}

// decodeEnv reads an environment block: values or {from_secret: name}.
func (d *decoder) decodeEnv(n *node, what string) map[string]*Value {
	fs := d.fields(n, what)
	if len(fs) == 0 {
		return nil
	}
	m := make(map[string]*Value, len(fs))
	for _, f := range fs {
		r := d.resolve(f.v)
		v := &Value{Pos: posOf(r)}
		if r != nil && r.Kind == yaml.MappingNode {
			for _, g := range d.fields(r, what+"."+f.key) {
				if g.key == "from_secret" {
					v.Secret = d.str(g.v, d.label(g.v, what, "."+f.key+".from_secret"))
				} else {
					d.warn(posOf(g.k), "%s.%s: unknown key %q is ignored (want from_secret)", what, f.key, g.key)
				}
			}
			if v.Secret == "" {
				d.add(v.Pos, "%s.%s: from_secret needs a secret name", what, f.key)
			}
		} else {
			v.Value = d.str(f.v, d.label(f.v, what, "."+f.key))
		}
		m[f.key] = v
	}
	return m
}

func (d *decoder) decodeVolumes(n *node) []*Volume {
	r := d.resolve(n)
	if isNull(r) {
		return nil
	}
	if r.Kind != yaml.SequenceNode {
		d.add(posOf(r), "volumes must be a list")
		return nil
	}
	var out []*Volume
	for _, c := range r.Content {
		v := &Volume{Pos: posOf(d.resolve(c))}
		for _, f := range d.fields(c, "volume") {
			switch f.key {
			case "name":
				v.Name = d.str(f.v, "volume.name")
			case "host":
				for _, g := range d.fields(f.v, "volume.host") {
					if g.key == "path" {
						v.HostPath = d.str(g.v, "volume.host.path")
					} else {
						d.warn(posOf(g.k), "volume.host: unknown key %q is ignored (want path)", g.key)
					}
				}
				if v.HostPath == "" {
					d.add(posOf(f.k), "volume %q: host needs a path", v.Name)
				}
			case "temp":
				v.Temp = true
				for _, g := range d.fields(f.v, "volume.temp") {
					if g.key == "medium" {
						v.Medium = d.str(g.v, "volume.temp.medium")
					} else {
						d.warn(posOf(g.k), "volume.temp: unknown key %q is ignored (want medium)", g.key)
					}
				}
			default:
				d.warn(posOf(f.k), "volume: unknown key %q is ignored (want name, host or temp)", f.key)
			}
		}
		out = append(out, v)
	}
	return out
}

// isExtension reports whether a key is a YAML extension field (x-foo or
// .foo), which holds anchors for reuse and is otherwise ignored.
func isExtension(key string) bool {
	return strings.HasPrefix(key, "x-") || strings.HasPrefix(key, ".")
}

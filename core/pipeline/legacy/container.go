package legacy

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// container is one 0.8 step or service, converted.
type container struct {
	name   string
	node   *yaml.Node // the converted 1.x mapping
	matrix map[string]string
	events []string // when.event, to know whether tags reach it
	mounts []hostMount
}

// hostMount is a "source:destination" volume of a container.
type hostMount struct {
	source string
	from   *yaml.Node
}

// dropped lists the 0.8 container keys Drone's converter reads and then
// leaves out of the 1.x file, with the 1.x way, when there is one.
var dropped = map[string]string{
	"allow_failure": "write failure: ignore",
	"devices":       "",
	"tmpfs":         "",
	"shell":         "",
}

// convertContainer converts the container under key k with value v, as
// Drone's converter does: known keys to their 1.x names, secrets to
// from_secret variables, every other key to a plugin setting.
func (c *converter) convertContainer(k, v *yaml.Node, what string) *container {
	r, o := c.r, c.o
	ct := &container{name: k.Value}
	label := what + " " + ct.name
	m := o.mapping(k)
	o.set(m, "name", o.str(ct.name, k), k)
	var image, pull, commands, command, entrypoint, detach, privileged, dns, dnsSearch, hosts, volumes, when *yaml.Node
	env := o.mapping(nil)
	settings := o.mapping(nil)
	for _, p := range r.pairs(v, label) {
		switch p.key {
		case "image":
			image = o.str(r.str(p.v, label+": image"), p.v)
		case "pull":
			policy := "if-not-exists"
			if r.boolean(p.v) {
				policy = "always"
			}
			pull = o.str(policy, p.k)
		case "commands":
			commands = o.strList(r.strs(p.v, label+": commands"), p.v)
		case "command":
			command = o.strList(r.strs(p.v, label+": command"), p.v)
		case "entrypoint":
			entrypoint = o.strList(r.strs(p.v, label+": entrypoint"), p.v)
		case "detach":
			if r.boolean(p.v) {
				detach = o.boolean(true, p.v)
			}
		case "privileged":
			if r.boolean(p.v) {
				privileged = o.boolean(true, p.v)
			}
		case "dns":
			dns = o.strList(r.strs(p.v, label+": dns"), p.v)
		case "dns_search":
			dnsSearch = o.strList(r.strs(p.v, label+": dns_search"), p.v)
		case "extra_hosts":
			hosts = o.strList(r.strs(p.v, label+": extra_hosts"), p.v)
		case "environment":
			c.environment(env, p.v, label)
		case "secrets":
			c.secrets(env, p.v, label)
		case "volumes":
			volumes = c.mounts(ct, p.v, label)
		case "when":
			when = c.when(ct, p.v, label)
		case "name":
			// Drone names a container by its key.
		default:
			if hint, ok := dropped[p.key]; ok {
				if hint != "" {
					hint = "; " + hint
				}
				r.warn(p.k, "%s: %s is dropped by the 0.8 conversion, as Drone does%s", label, p.key, hint)
				continue
			}
			if p.key == "group" {
				r.warn(p.k, "%s: group (0.8's parallel steps) becomes a plugin setting, as Drone does; the steps run in order (use depends_on for parallel steps)", label)
			}
			o.set(settings, p.key, o.copyNode(r, p.v, 0), p.k)
		}
	}
	if pull == nil {
		pull = o.str("if-not-exists", k)
	}
	o.set(m, "pull", pull, k)
	for _, f := range []struct {
		key string
		v   *yaml.Node
	}{{"image", image}, {"detach", detach}, {"privileged", privileged}, {"commands", commands}, {"command", command},
		{"entrypoint", entrypoint}, {"dns", dns}, {"dns_search", dnsSearch}, {"extra_hosts", hosts}} {
		if f.v != nil {
			o.set(m, f.key, f.v, f.v)
		}
	}
	if len(settings.Content) > 0 {
		o.set(m, "settings", settings, k)
	}
	if len(env.Content) > 0 {
		o.set(m, "environment", env, k)
	}
	if volumes != nil && len(volumes.Content) > 0 {
		o.set(m, "volumes", volumes, volumes)
	}
	if when != nil && len(when.Content) > 0 {
		o.set(m, "when", when, when)
	}
	ct.node = m
	return ct
}

// environment reads a mapping or a list of KEY=VALUE into env.
func (c *converter) environment(env, n *yaml.Node, label string) {
	r, o := c.r, c.o
	rn := r.resolve(n)
	if rn != nil && rn.Kind == yaml.SequenceNode {
		for _, item := range rn.Content {
			key, val, ok := strings.Cut(r.str(item, label+": environment"), "=")
			if !ok {
				r.warn(item, "%s: environment entry %q has no =VALUE; dropped, as Drone does", label, key)
				continue
			}
			o.put(env, key, o.str(val, item), item)
		}
		return
	}
	for _, p := range r.pairs(rn, label+": environment") {
		o.put(env, p.key, o.str(r.str(p.v, label+": environment."+p.key), p.v), p.k)
	}
}

// secrets turns 0.8's secrets list (names, or source/target pairs) into
// from_secret variables named after the target in capitals.
func (c *converter) secrets(env, n *yaml.Node, label string) {
	r, o := c.r, c.o
	rn := r.resolve(n)
	if isNull(rn) {
		return
	}
	if rn.Kind != yaml.SequenceNode {
		r.fail(rn, "%s: secrets must be a list", label)
		return
	}
	for _, item := range rn.Content {
		source, target := "", ""
		if ri := r.resolve(item); ri != nil && ri.Kind == yaml.MappingNode {
			for _, p := range r.pairs(ri, label+": secrets") {
				switch p.key {
				case "source":
					source = r.str(p.v, label+": secrets.source")
				case "target":
					target = r.str(p.v, label+": secrets.target")
				}
			}
		} else {
			source = r.str(item, label+": secrets")
			target = source
		}
		if source == "" || target == "" {
			r.warn(item, "%s: a secret without a source and a target; dropped", label)
			continue
		}
		ref := o.mapping(item)
		o.set(ref, "from_secret", o.str(source, item), item)
		o.put(env, strings.ToUpper(target), ref, item)
	}
}

// mounts converts "source:destination[:ro]" volumes to mounts of host
// volumes named after the source in hexadecimal, as Drone does.
func (c *converter) mounts(ct *container, n *yaml.Node, label string) *yaml.Node {
	r, o := c.r, c.o
	list := o.list(n)
	for _, s := range r.strs(n, label+": volumes") {
		parts := strings.SplitN(s, ":", 3)
		if len(parts) < 2 {
			r.warn(n, "%s: volume %q names no host path; dropped, as Drone does", label, s)
			continue
		}
		name := fmt.Sprintf("%x", parts[0])
		mount := o.mapping(n)
		o.set(mount, "name", o.str(name, n), n)
		o.set(mount, "path", o.str(parts[1], n), n)
		list.Content = append(list.Content, mount)
		ct.mounts = append(ct.mounts, hostMount{source: parts[0], from: n})
	}
	return list
}

package pipeline

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// pullPolicy reads a step's pull. Drone's runners read any value other
// than always, if-not-exists and never (any case) as the default policy,
// Drone 0.8's booleans included; so does Drover, with a warning.
func (d *decoder) pullPolicy(n *node) string {
	v := d.str(n, "pull")
	switch l := strings.ToLower(v); l {
	case "", "default":
		return ""
	case "always", "if-not-exists", "never":
		return l
	case "true", "false":
		d.warn(posOf(d.resolve(n)), "pull: %s is Drone 0.8's form and has no effect here (the default policy applies); write pull: always, if-not-exists or never", v)
	default:
		d.warn(posOf(d.resolve(n)), "pull: %q has no effect (the default policy applies); want always, if-not-exists or never", v)
	}
	return ""
}

// failurePolicy reads a step's failure. Drone's runners know ignore and
// the fail-fast spellings and run every other value as the default.
func (d *decoder) failurePolicy(n *node) string {
	v := d.str(n, "failure")
	switch v {
	case "", "ignore", "fail":
		return v
	case "fast", "fast-fail", "fail-fast":
		d.warn(posOf(d.resolve(n)), "failure: %s is not supported: other steps keep running and the failure fails the stage, as with the default", v)
	default:
		d.warn(posOf(d.resolve(n)), "failure: %q has no effect (the step's failure fails the stage, as with the default); want ignore", v)
	}
	return ""
}

// decodePorts reads a step's ports: numbers, "8080" strings or mappings
// of port, host and protocol. On docker, Drone publishes none of them.
func (d *decoder) decodePorts(n *node, typ string) []Port {
	r := d.resolve(n)
	if isNull(r) {
		return nil
	}
	items := []*node{r}
	if r.Kind == yaml.SequenceNode {
		items = r.Content
	}
	if typ == "docker" {
		d.warn(posOf(r), "ports has no effect on a docker pipeline: nothing is published (as in Drone); services are reached by their name")
	}
	out := make([]Port, 0, len(items))
	for _, c := range items {
		c = d.resolve(c)
		p := Port{Pos: posOf(c)}
		if c != nil && c.Kind == yaml.MappingNode {
			for _, f := range d.fields(c, "ports entry") {
				switch f.key {
				case "port":
					p.Port = d.portNumber(f.v)
				case "host":
					p.Host = d.portNumber(f.v)
				case "protocol":
					p.Protocol = d.str(f.v, "ports entry protocol")
				default:
					d.warn(posOf(f.k), "ports entry: unknown key %q is ignored (want port, host or protocol)", f.key)
				}
			}
		} else {
			p.Port = d.portNumber(c)
		}
		out = append(out, p)
	}
	return out
}

func (d *decoder) portNumber(n *node) int {
	s, ok := d.scalar(n, "a port")
	if !ok || s == "" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 || v > 65535 {
		d.add(posOf(d.resolve(n)), "a port must be a number from 0 to 65535, not %q", s)
		return 0
	}
	return v
}

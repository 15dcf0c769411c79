package legacy

import "gopkg.in/yaml.v3"

// whenKeys maps 0.8's step conditions to their 1.x names.
var whenKeys = map[string]string{
	"ref": "ref", "repo": "repo", "instance": "instance", "environment": "target",
	"event": "event", "branch": "branch", "status": "status",
}

// when converts a container's conditions; matrix conditions are kept on
// the container (they choose the rows it runs in) and left out.
func (c *converter) when(ct *container, n *yaml.Node, label string) *yaml.Node {
	r, o := c.r, c.o
	m := o.mapping(n)
	for _, p := range r.pairs(n, label+": when") {
		if p.key == "matrix" {
			ct.matrix = map[string]string{}
			for _, q := range r.pairs(p.v, label+": when.matrix") {
				ct.matrix[q.key] = r.str(q.v, label+": when.matrix."+q.key)
			}
			continue
		}
		name, ok := whenKeys[p.key]
		if !ok {
			r.warn(p.k, "%s: when.%s has no effect in Drone's 0.8 conversion; dropped", label, p.key)
			continue
		}
		cond := r.constraint(p.v, label+": when."+p.key)
		if name == "event" {
			cond.include, cond.exclude = toPromote(cond.include), toPromote(cond.exclude)
			ct.events = cond.include
		}
		if !cond.empty() {
			o.set(m, name, c.condition(cond), p.k)
		}
	}
	return m
}

// condition writes an include/exclude condition: a list when it only
// includes.
func (c *converter) condition(cond constraint) *yaml.Node {
	o := c.o
	if len(cond.exclude) == 0 {
		return o.strList(cond.include, cond.node)
	}
	m := o.mapping(cond.node)
	if len(cond.include) > 0 {
		o.set(m, "include", o.strList(cond.include, cond.node), cond.node)
	}
	o.set(m, "exclude", o.strList(cond.exclude, cond.node), cond.node)
	return m
}

// toPromote renames 0.8's deployment events to 1.x's promote.
func toPromote(events []string) []string {
	out := make([]string, len(events))
	for i, e := range events {
		if e == "deploy" || e == "deployment" {
			e = "promote"
		}
		out[i] = e
	}
	return out
}

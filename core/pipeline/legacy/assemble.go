package legacy

import "gopkg.in/yaml.v3"

// pipelineParts are the converted pieces every pipeline (every matrix
// row) is made of.
type pipelineParts struct {
	workspace *yaml.Node
	cloneOff  bool
	steps     []*container
	services  []*container
	volumes   *yaml.Node
	trigger   *yaml.Node
}

// assemble writes one pipeline document: the row's steps and services
// (all of them without a matrix), its variables substituted.
func (c *converter) assemble(name string, p *pipelineParts, rw *row) *yaml.Node {
	o := c.o
	d := o.mapping(nil)
	o.set(d, "kind", o.str("pipeline", nil), nil)
	o.set(d, "name", o.str(name, nil), nil)
	if p.workspace != nil {
		o.set(d, "workspace", o.clone(p.workspace), nil)
	}
	if p.cloneOff {
		off := o.mapping(nil)
		o.set(off, "disable", o.boolean(true, nil), nil)
		o.set(d, "clone", off, nil)
	}
	pick := func(cts []*container) *yaml.Node {
		list := o.list(nil)
		for _, ct := range cts {
			if runsIn(ct, rw) {
				list.Content = append(list.Content, o.clone(ct.node))
			}
		}
		return list
	}
	o.set(d, "steps", pick(p.steps), nil)
	if services := pick(p.services); len(services.Content) > 0 {
		o.set(d, "services", services, nil)
	}
	if len(p.volumes.Content) > 0 {
		o.set(d, "volumes", o.clone(p.volumes), nil)
	}
	if len(p.trigger.Content) > 0 {
		o.set(d, "trigger", o.clone(p.trigger), nil)
	}
	if rw != nil {
		substitute(d, rw)
	}
	return d
}

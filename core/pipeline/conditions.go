package pipeline

import (
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"
)

// Condition is one `when`/`trigger` filter: a value matches when it matches
// an Include pattern (or Include is empty) and no Exclude pattern. Patterns
// are globs (doublestar: *, **, ?, [a-z], {a,b}).
type Condition struct {
	Pos     Pos      `json:"pos"`
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
}

// Empty reports whether the condition filters nothing.
func (c Condition) Empty() bool { return len(c.Include) == 0 && len(c.Exclude) == 0 }

// Match reports whether v passes the condition.
func (c Condition) Match(v string) bool {
	if c.Empty() {
		return true
	}
	for _, p := range c.Exclude {
		if globMatch(p, v) {
			return false
		}
	}
	if len(c.Include) == 0 {
		return true
	}
	for _, p := range c.Include {
		if globMatch(p, v) {
			return true
		}
	}
	return false
}

// MatchAny reports whether any of vs passes the condition (paths: a build
// runs when one changed file matches). Nil vs (unknown) passes.
func (c Condition) MatchAny(vs []string) bool {
	if c.Empty() || vs == nil {
		return true
	}
	for _, v := range vs {
		if c.Match(v) {
			return true
		}
	}
	return false
}

func globMatch(pattern, v string) bool {
	if pattern == v {
		return true
	}
	ok, err := doublestar.Match(pattern, v)
	return err == nil && ok
}

// Conditions is a `when` (step) or `trigger` (pipeline) block. Every
// non-empty condition must match.
type Conditions struct {
	Branch   Condition `json:"branch"`
	Event    Condition `json:"event"`
	Ref      Condition `json:"ref"`
	Repo     Condition `json:"repo"`
	Instance Condition `json:"instance"`
	Status   Condition `json:"status"`
	Target   Condition `json:"target"`
	Cron     Condition `json:"cron"`
	Action   Condition `json:"action"`
	Paths    Condition `json:"paths"`
}

func (c *Conditions) byName(name string) *Condition {
	switch name {
	case "branch":
		return &c.Branch
	case "event":
		return &c.Event
	case "ref":
		return &c.Ref
	case "repo":
		return &c.Repo
	case "instance":
		return &c.Instance
	case "status":
		return &c.Status
	case "target", "environment":
		return &c.Target
	case "cron":
		return &c.Cron
	case "action":
		return &c.Action
	case "paths", "path":
		return &c.Paths
	}
	return nil
}

// Match reports whether the build described by md passes every condition
// except status, which decides a run policy instead (see Policy). The
// branch condition does not apply to tag events, as in Drone.
func (c *Conditions) Match(md *Metadata) bool {
	b := &md.Build
	if b.Event != "tag" && !c.Branch.Match(b.Target) {
		return false
	}
	return c.Event.Match(b.Event) &&
		c.Ref.Match(b.Ref) &&
		c.Repo.Match(md.Repo.Slug) &&
		c.Instance.Match(md.System.Host) &&
		c.Target.Match(b.Deploy) &&
		c.Cron.Match(b.Cron) &&
		c.Action.Match(b.Action) &&
		c.Paths.MatchAny(md.ChangedFiles)
}

// decodeConditions reads a when/trigger block.
func (d *decoder) decodeConditions(n *node, what string) Conditions {
	var cs Conditions
	for _, f := range d.fields(n, what) {
		c := cs.byName(f.key)
		if c == nil {
			if hint := didYouMean(f.key, conditionKeys); hint != "" {
				d.warn(posOf(f.k), "%s: unknown condition %q is ignored%s", what, f.key, hint)
			} else {
				d.warn(posOf(f.k), "%s: unknown condition %q is ignored (want branch, event, ref, repo, instance, status, target, cron, action or paths)", what, f.key)
			}
			continue
		}
		*c = d.decodeCondition(f.v, what+"."+f.key)
	}
	return cs
}

func (d *decoder) decodeCondition(n *node, what string) Condition {
	r := d.resolve(n)
	c := Condition{Pos: posOf(r)}
	if r != nil && r.Kind == yaml.MappingNode {
		for _, f := range d.fields(r, what) {
			switch f.key {
			case "include":
				c.Include = append(c.Include, d.strs(f.v, what+".include")...)
			case "exclude":
				c.Exclude = append(c.Exclude, d.strs(f.v, what+".exclude")...)
			default:
				d.warn(posOf(f.k), "%s: unknown key %q is ignored (want include or exclude)", what, f.key)
			}
		}
	} else {
		c.Include = d.strs(n, what)
	}
	for _, p := range append(append([]string(nil), c.Include...), c.Exclude...) {
		if !doublestar.ValidatePattern(p) {
			d.add(c.Pos, "%s: invalid pattern %q", what, p)
		}
	}
	c.Include = trimEmpty(c.Include)
	c.Exclude = trimEmpty(c.Exclude)
	return c
}

func trimEmpty(l []string) []string {
	out := l[:0]
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

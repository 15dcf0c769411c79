// Package legacy converts Drone 0.8 pipeline files (a top-level
// pipeline: mapping of steps, services:, matrix:) to the 1.x format, as
// Drone's own legacy converter does: steps in the file's order after any
// custom clone steps, services, host volumes named after their path, the
// top-level branches: as the trigger, and one pipeline per matrix row
// with the row's ${VARIABLES} substituted. Keys Drone's converter drops
// are dropped too, each with a warning; every conversion carries one
// warning giving the 1.x file to migrate to.
package legacy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/drover-ci/drover/core/pipeline"
)

// Options of a conversion.
type Options struct {
	// Remote is the repository's clone URL. When set, the workspace
	// defaults to /drone/src/<host>/<path>, as Drone's converter sets it.
	Remote string
}

// Result is a converted file.
type Result struct {
	// YAML is the 1.x file.
	YAML []byte
	// Warnings are positioned in the 0.8 file.
	Warnings pipeline.Problems
	lines    map[int]pipeline.Pos
}

// Remap returns err with the problems found in r.YAML moved to the 0.8
// file's positions; other errors are returned as they are.
func (r *Result) Remap(err error) error {
	ps := pipeline.AsProblems(err)
	if ps == nil {
		return err
	}
	return remap(ps, r.lines)
}

// topPipeline finds a pipeline: key at the start of a line, the cheap
// test before the file is read as YAML (Drone's converter uses only such
// a test).
var topPipeline = regexp.MustCompile(`(?m)^pipeline:`)

var topKeys = map[string]bool{"workspace": true, "clone": true, "pipeline": true, "services": true,
	"branches": true, "matrix": true, "secrets": true}

// Match reports whether data is a Drone 0.8 file: its first document is
// a mapping with a pipeline: mapping and no kind.
func Match(data []byte) bool {
	if !topPipeline.Match(data) {
		return false
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return false
	}
	r := &reader{budget: maxNodes}
	hasPipeline := false
	for _, p := range r.pairs(doc.Content[0], "document") {
		switch p.key {
		case "kind":
			return false
		case "pipeline":
			v := r.resolve(p.v)
			hasPipeline = v != nil && v.Kind == yaml.MappingNode
		}
	}
	return hasPipeline && len(r.errs) == 0
}

// converter holds one conversion's state.
type converter struct {
	r *reader
	o *out
}

// Convert converts a 0.8 file to the 1.x format. Syntax errors and values
// of the wrong shape are pipeline.Problems at the 0.8 file's positions.
func Convert(data []byte, opts Options) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, pipeline.Problems{{Pos: pipeline.Pos{Line: 1, Column: 1}, Message: fmt.Sprintf("cannot convert the 0.8 file: %v", p)}}
		}
	}()
	if len(data) > pipeline.MaxFileSize {
		return nil, pipeline.Problems{{Pos: pipeline.Pos{Line: 1, Column: 1}, Message: fmt.Sprintf("file is larger than %d bytes", pipeline.MaxFileSize)}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if _, perr := pipeline.Parse(data); pipeline.AsProblems(perr) != nil {
			return nil, perr // the pipeline package positions syntax errors best
		}
		return nil, syntaxProblem(err)
	}
	c := &converter{r: &reader{budget: maxNodes}, o: &out{origin: map[*yaml.Node]*yaml.Node{}}}
	if len(doc.Content) == 0 {
		return nil, pipeline.Problems{{Pos: pipeline.Pos{Line: 1, Column: 1}, Message: "the file holds no pipeline"}}
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		c.r.warn(&more, "only the first document of a 0.8 file is read, as Drone does")
	}
	docs, pipelineKey := c.convert(doc.Content[0], opts)
	if len(c.r.errs) > 0 {
		return nil, c.r.errs
	}
	text, lines, err := c.o.encode(docs)
	if err != nil {
		return nil, pipeline.Problems{{Pos: pipeline.Pos{Line: 1, Column: 1}, Message: fmt.Sprintf("cannot write the converted file: %v", err)}}
	}
	res = &Result{YAML: text, lines: lines}
	res.Warnings = append(pipeline.Problems{migrateWarning(pipelineKey, text)}, c.r.warnings...)
	return res, nil
}

// maxShown is the longest converted file quoted in the migration warning.
const maxShown = 8 << 10

func migrateWarning(at *yaml.Node, text []byte) *pipeline.Problem {
	msg := "this is a Drone 0.8 file (top-level pipeline:); it was converted to the 1.x format as Drone converts it. Migrate by replacing it with the output of `drover pipeline convert`"
	if len(text) <= maxShown {
		msg += ":\n" + strings.TrimRight(string(text), "\n")
	}
	return &pipeline.Problem{Pos: posOf(at), Message: msg}
}

var lineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxProblem(err error) error {
	p := &pipeline.Problem{Pos: pipeline.Pos{Line: 1, Column: 1}, Message: "syntax error: " + err.Error()}
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = "syntax error: " + m[2]
	}
	return pipeline.Problems{p}
}

// convert reads the document and returns the 1.x documents and the
// pipeline: key (where the migration warning points).
func (c *converter) convert(root *yaml.Node, opts Options) ([]*yaml.Node, *yaml.Node) {
	r := c.r
	var clones, steps, services []*container
	var workspace, branches, matrix, secrets, pipelineKey *yaml.Node
	for _, p := range r.pairs(root, "the file") {
		switch p.key {
		case "pipeline":
			pipelineKey = p.k
			for _, s := range r.pairs(p.v, "pipeline") {
				steps = append(steps, c.convertContainer(s.k, s.v, "step"))
			}
		case "clone":
			for _, s := range r.pairs(p.v, "clone") {
				clones = append(clones, c.convertContainer(s.k, s.v, "clone step"))
			}
		case "services":
			for _, s := range r.pairs(p.v, "services") {
				services = append(services, c.convertContainer(s.k, s.v, "service"))
			}
		case "workspace":
			workspace = p.v
		case "branches":
			branches = p.v
		case "matrix":
			matrix = p.v
		case "secrets":
			secrets = p.v
		default:
			if !topKeys[p.key] {
				r.warn(p.k, "%s: this key has no effect in Drone's 0.8 conversion; dropped", p.key)
			}
		}
	}
	if pipelineKey == nil {
		r.fail(root, "a 0.8 file needs a pipeline: mapping of steps")
	}
	if len(r.errs) > 0 {
		return nil, pipelineKey
	}
	all := append(clones, steps...)
	uniqueNames(all)
	base := &pipelineParts{
		workspace: c.workspace(workspace, opts.Remote),
		cloneOff:  len(clones) > 0,
		steps:     all,
		services:  services,
		volumes:   c.volumes(append(all[:len(all):len(all)], services...)),
		trigger:   c.trigger(r.constraint(branches, "branches"), all),
	}
	var docs []*yaml.Node
	rows := c.matrixRows(matrix)
	if rows == nil {
		docs = append(docs, c.assemble("default", base, nil))
	}
	for i, row := range rows {
		docs = append(docs, c.assemble(fmt.Sprintf("matrix-%d", i+1), base, row))
	}
	docs = append(docs, c.secretDocs(secrets)...)
	return docs, pipelineKey
}

// uniqueNames renames a repeated step name to name_<index>, as Drone does.
func uniqueNames(steps []*container) {
	seen := map[string]bool{}
	for i, s := range steps {
		if seen[s.name] {
			s.name = fmt.Sprintf("%s_%d", s.name, i)
			s.node.Content[1].Value = s.name
		}
		seen[s.name] = true
	}
}

func (c *converter) workspace(n *yaml.Node, remote string) *yaml.Node {
	r, o := c.r, c.o
	var base, path string
	for _, p := range r.pairs(n, "workspace") {
		switch p.key {
		case "base":
			base = r.str(p.v, "workspace.base")
		case "path":
			path = r.str(p.v, "workspace.path")
		default:
			r.warn(p.k, "workspace.%s has no effect; dropped", p.key)
		}
	}
	if path == "." {
		path = ""
	}
	if remote != "" {
		if base == "" {
			base = "/drone"
		}
		if path == "" {
			path = workspacePath(remote)
		}
	}
	if base == "" && path == "" {
		return nil
	}
	m := o.mapping(n)
	if base != "" {
		o.set(m, "base", o.str(base, n), n)
	}
	if path != "" {
		o.set(m, "path", o.str(path, n), n)
	}
	return m
}

// workspacePath is src/<host>/<path> of the clone URL.
func workspacePath(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Hostname() == "" {
		return "src"
	}
	return "src/" + u.Hostname() + "/" + strings.Trim(u.Path, "/")
}

func (c *converter) volumes(cts []*container) *yaml.Node {
	o := c.o
	list := o.list(nil)
	seen := map[string]bool{}
	for _, ct := range cts {
		for _, m := range ct.mounts {
			name := fmt.Sprintf("%x", m.source)
			if seen[name] {
				continue
			}
			seen[name] = true
			v := o.mapping(m.from)
			o.set(v, "name", o.str(name, m.from), m.from)
			host := o.mapping(m.from)
			o.set(host, "path", o.str(m.source, m.from), m.from)
			o.set(v, "host", host, m.from)
			list.Content = append(list.Content, v)
		}
	}
	return list
}

// prRefs are the pull request refs of GitHub, Bitbucket and GitLab, which
// a branch list in a 0.8 file does not stop.
var prRefs = []string{"refs/pull/**", "refs/pull-requests/**", "refs/merge-requests/**"}

// trigger converts the top-level branches: a list of branches only runs
// pushes to them, and still every pull request and (when a step asks for
// tag events) every tag, as Drone's converter writes it.
func (c *converter) trigger(br constraint, steps []*container) *yaml.Node {
	o := c.o
	m := o.mapping(br.node)
	if br.empty() {
		return m
	}
	if len(br.exclude) > 0 {
		o.set(m, "branch", c.condition(br), br.node)
		return m
	}
	refs := append([]string{}, prRefs...)
	for _, b := range br.include {
		refs = append(refs, "refs/heads/"+b)
	}
	for _, s := range steps {
		if contains(s.events, "tag") {
			refs = append(refs, "refs/tags/**")
			break
		}
	}
	o.set(m, "ref", o.strList(refs, br.node), br.node)
	return m
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// secretDocs converts the top-level secrets: mapping to secret documents
// (sorted by name, as Drone writes them).
func (c *converter) secretDocs(n *yaml.Node) []*yaml.Node {
	r, o := c.r, c.o
	ps := r.pairs(n, "secrets")
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].key < ps[j].key })
	var docs []*yaml.Node
	for _, p := range ps {
		var driver, path, vault string
		opts := map[string]string{}
		for _, q := range r.pairs(p.v, "secrets."+p.key) {
			switch q.key {
			case "driver":
				driver = r.str(q.v, "driver")
			case "path":
				path = r.str(q.v, "path")
			case "vault":
				vault = r.str(q.v, "vault")
			case "driver_opts":
				for _, d := range r.pairs(q.v, "driver_opts") {
					opts[d.key] = r.str(d.v, "driver_opts."+d.key)
				}
			}
		}
		get := o.mapping(p.v)
		switch {
		case driver == "vault":
			if opts["path"] != "" {
				o.set(get, "path", o.str(opts["path"], p.v), p.v)
			}
			if opts["key"] != "" {
				o.set(get, "name", o.str(opts["key"], p.v), p.v)
			}
		case path != "":
			o.set(get, "path", o.str(path, p.v), p.v)
		case vault != "":
			o.set(get, "path", o.str(vault, p.v), p.v)
		}
		d := o.mapping(p.k)
		o.set(d, "kind", o.str("secret", p.k), p.k)
		o.set(d, "name", o.str(p.key, p.k), p.k)
		if len(get.Content) > 0 {
			o.set(d, "get", get, p.v)
		}
		docs = append(docs, d)
	}
	return docs
}

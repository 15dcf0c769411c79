package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/drover-ci/drover/core/pipeline/fastyaml"
)

// ConfigFiles are the pipeline file names looked up, in order, when a
// repository does not name one.
var ConfigFiles = []string{".drover.yml", ".drone.yml"}

// MaxFileSize is the largest pipeline file Parse accepts.
const MaxFileSize = 4 << 20

// Parse reads a pipeline file (one or more YAML documents). It reports
// syntax errors, unknown keys and values of the wrong type as Problems,
// each with its line and column; it never panics. Parse does not
// substitute ${VARIABLES} (Compile does) and does not check references
// between steps (Lint and Compile do).
func Parse(data []byte) (m *Manifest, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, Problems{{Pos: Pos{Line: 1, Column: 1}, Message: fmt.Sprintf("cannot read the file: %v", r)}}
		}
	}()
	if len(data) > MaxFileSize {
		return nil, Problems{{Pos: Pos{Line: 1, Column: 1}, Message: fmt.Sprintf("the file is larger than %d bytes (%s, the limit)", MaxFileSize, mib(MaxFileSize))}}
	}
	docs, err := splitDocs(data)
	if err != nil {
		return nil, err
	}
	m = &Manifest{docs: docs}
	d := &decoder{}
	d.decodeManifest(m)
	if err := d.list.err(); err != nil {
		return nil, err
	}
	m.warnings = d.list.warnings()
	return m, nil
}

func splitDocs(data []byte) ([]*docNode, error) {
	if fast, ok := fastyaml.Parse(data); ok {
		docs := make([]*docNode, 0, len(fast))
		for _, n := range fast {
			if !isNull(n.Content[0]) {
				docs = append(docs, &docNode{root: n})
			}
		}
		if len(docs) > 0 {
			return docs, nil
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*docNode
	memo := map[*yaml.Node]*node{}
	for {
		n := new(yaml.Node)
		err := dec.Decode(n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, Problems{syntaxProblem(data, err)}
		}
		if len(n.Content) == 0 || (n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			continue // an empty document
		}
		docs = append(docs, &docNode{root: fastyaml.FromYAML(n, memo)})
	}
	if len(docs) == 0 {
		return nil, Problems{{Pos: Pos{Line: 1, Column: 1}, Message: "the file holds no pipeline"}}
	}
	return docs, nil
}

func (d *decoder) decodeManifest(m *Manifest) {
	var nPipelines, nSecrets, nSignatures int // documents of each kind so far
	for _, doc := range m.docs {
		d.budget, d.over = maxNodes, false
		root := d.resolve(doc.root)
		fs := d.fields(root, "document")
		kind, hasPipelineKey := "", false
		for _, f := range fs {
			switch f.key {
			case "kind":
				kind = d.str(f.v, "kind")
			case "pipeline":
				hasPipelineKey = true
			}
		}
		// With a base (Compile), a document without "$" is Parse's.
		reuse := d.base != nil && clean(root)
		switch kind {
		case "pipeline":
			var base *Pipeline
			if d.base != nil {
				base = baseAt(d.base.Pipelines, nPipelines)
			}
			nPipelines++
			if reuse && base != nil {
				m.Pipelines = append(m.Pipelines, base)
			} else {
				m.Pipelines = append(m.Pipelines, d.decodePipeline(root, fs, base))
			}
		case "secret":
			nSecrets++
			if reuse && nSecrets <= len(d.base.Secrets) {
				m.Secrets = append(m.Secrets, d.base.Secrets[nSecrets-1])
			} else {
				m.Secrets = append(m.Secrets, d.decodeSecret(root, fs))
			}
		case "signature":
			nSignatures++
			if reuse && nSignatures <= len(d.base.Signatures) {
				m.Signatures = append(m.Signatures, d.base.Signatures[nSignatures-1])
			} else {
				m.Signatures = append(m.Signatures, d.decodeSignature(root, fs))
			}
		case "":
			if root == nil || root.Kind != yaml.MappingNode {
				continue // fields reported it
			}
			if hasPipelineKey {
				d.add(posOf(root), "this looks like a Drone 0.8 file (top-level pipeline:); write kind: pipeline with a steps list")
			} else {
				d.add(posOf(root), "document has no kind (want kind: pipeline, secret or signature)")
			}
		case "cron", "registry":
			// Early Drone 1.0 files declared crons and registries in
			// the file; Drone reads them and does nothing with them.
			d.warn(kindPos(d, fs), "kind: %s documents are skipped (set crons and registry credentials in the repository's settings)", kind)
		default:
			d.add(kindPos(d, fs), "unknown kind %q (want pipeline, secret or signature)", kind)
		}
	}
}

// kindPos is where a document's kind is written.
func kindPos(d *decoder, fs []field) Pos {
	for _, f := range fs {
		if f.key == "kind" {
			return posOf(d.resolve(f.v))
		}
	}
	return Pos{Line: 1, Column: 1}
}

func (d *decoder) decodeSecret(root *node, fs []field) *Secret {
	s := &Secret{Pos: posOf(root)}
	for _, f := range fs {
		switch f.key {
		case "kind", "type":
		case "name":
			s.Name = d.str(f.v, "name")
		case "data":
			s.Data = d.str(f.v, "data")
		case "get":
			for _, g := range d.fields(f.v, "get") {
				switch g.key {
				case "path":
					s.Path = d.str(g.v, "get.path")
				case "name", "key":
					s.Key = d.str(g.v, "get.name")
				default:
					d.warn(posOf(g.k), "secret: unknown key get.%s is ignored", g.key)
				}
			}
		default:
			d.warn(posOf(f.k), "secret: unknown key %q is ignored", f.key)
		}
	}
	if s.Name == "" {
		d.add(s.Pos, "secret: name is required")
	}
	return s
}

func (d *decoder) decodeSignature(root *node, fs []field) *Signature {
	s := &Signature{Pos: posOf(root)}
	for _, f := range fs {
		switch f.key {
		case "kind":
		case "hmac":
			s.HMAC = d.str(f.v, "hmac")
		default:
			d.warn(posOf(f.k), "signature: unknown key %q is ignored", f.key)
		}
	}
	return s
}

// Package pipeline reads Drover's pipeline file — Drone's YAML format
// (.drover.yml, falling back to .drone.yml) — and compiles it to
// engine-neutral stage specs (core.Spec).
//
// The scheduler uses it in three calls:
//
//	m, err := pipeline.Parse(data)                                    // syntax, types
//	warnings, err := pipeline.Check(m, pipeline.LintOptions{Trusted: repo.Trusted})
//	specs, err := pipeline.Compile(m, pipeline.Metadata{Repo: *repo, Build: *build, System: sys})
//
// Every error a user can cause is a Problems value (matching
// core.ErrInvalid) whose entries carry a line and a column. Warnings are
// Problems too (Warning set): what Drone accepts silently and has no
// effect, such as unknown keys; see docs/pipelines.md.
//
// Stages: Compile returns one spec per pipeline whose trigger matches the
// build, in file order; the others are left out, and depends_on entries
// naming them are dropped. A spec with no DependsOn is pending at once;
// the others wait for the stages they name and then run or are skipped
// according to Spec.RunPolicy (see Compile). StepRecords lists the steps
// a stage shows, the clone first.
//
// Speed (a 200-step file parses and compiles in a few milliseconds):
// the fastyaml subpackage reads the plain block YAML nearly every pipeline file is
// written in, and yaml.v3 reads everything else (anchors, block scalars,
// flow mappings, non-ASCII text) and every file with a syntax error;
// FuzzFastYAML and the generator tests check the two build the same trees.
// The decoder works on a compact node type. Compile decodes again, with
// substitution, only the documents, steps and step fields that hold a "$"
// and reuses Parse's values for the rest (reuse.go; TestReuseMatchesFullWalk
// and FuzzCompileReuse check the outcome equals a full second walk).
package pipeline

package main

import "testing"

// TestOtherFormats: lint, compile and convert read Drone 0.8 files,
// Jsonnet and Starlark programs; warnings print as FILE:LINE:COL:
// warning: and keep exit 0, problems name the file's own positions.
func TestOtherFormats(t *testing.T) {
	dir := t.TempDir()
	old := write(t, dir, "old.yml", "pipeline:\n  build:\n    image: golang\n    commands: [go build]\n    volumes: [/cache:/cache]\n    allow_failure: true\n")
	jn := write(t, dir, ".drone.jsonnet", "{kind: 'pipeline', name: 'j', steps: [{name: 'on-' + std.extVar('build.branch'), image: 'alpine', commands: ['x']}]}\n")
	star := write(t, dir, ".drone.star", "def main(ctx):\n    return {'kind': 'pipeline', 'name': 's', 'steps': [{'name': 'on-' + ctx.build.branch, 'image': 'alpine', 'commands': ['x']}]}\n")
	badStar := write(t, dir, "bad.star", "def main(ctx):\n    return {'kind': nope}\n")
	badJn := write(t, dir, "bad.jsonnet", "{\n  kind: 'pipeline',\n  steps: [,\n}\n")
	runCases(t, []cliCase{
		{"lint 0.8 warns", []string{"pipeline", "lint", old}, "", 0, old + ":1:1: warning: this is a Drone 0.8 file", ""},
		{"lint 0.8 dropped key", []string{"pipeline", "lint", old}, "", 0, old + ":6:5: warning: step build: allow_failure is dropped", ""},
		{"lint 0.8 untrusted at the 0.8 line", []string{"pipeline", "lint", old, "--untrusted"}, "", 1, old + ":5:14: pipeline \"default\": host volume", ""},
		{"convert 0.8", []string{"pipeline", "convert", old}, "", 0, "warning:", "kind: pipeline\nname: default\n"},
		{"lint jsonnet", []string{"pipeline", "lint", jn}, "", 0, "", ""},
		{"compile jsonnet for a branch", []string{"pipeline", "compile", jn, "--branch", "dev"}, "", 0, "", `"name": "on-dev"`},
		{"convert starlark", []string{"pipeline", "convert", star, "--branch", "rel"}, "", 0, "", `"name": "on-rel"`},
		{"starlark error at its line", []string{"pipeline", "lint", badStar}, "", 1, badStar + ":2:21: starlark: undefined: nope", ""},
		{"jsonnet error at its line", []string{"pipeline", "convert", badJn}, "", 1, badJn + ":3:11: jsonnet: Unexpected", ""},
	})
}

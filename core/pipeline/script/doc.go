// Package script evaluates the pipeline files Drone lets a repository
// write as programs — .drone.jsonnet (Jsonnet) and .drone.star (Starlark)
// — into the YAML (JSON documents separated by ---) the pipeline package
// parses.
//
// A program sees the build and the repository as Drone shows them:
// Jsonnet as external variables (std.extVar("build.branch"),
// std.extVar("repo.slug"), std.extVar("build.param.KEY")), Starlark as
// ctx.build and ctx.repo of main(ctx). Neither may read files: imports
// and load() are refused.
//
// Every evaluation is bounded (see Limits): a deadline, a step limit
// (Starlark) or a stack depth (Jsonnet), and a cap on the bytes produced.
// Errors are pipeline.Problems positioned in the program's own text.
package script

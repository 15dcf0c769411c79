#!/bin/sh
# Builds the Gitea binary the end-to-end tests use (code.gitea.io/gitea,
# see internal/testenv/gitea.go) into the user's cache, once.
set -eu
cd "$(dirname "$0")/.."
exec go test -count=1 -run '^TestBuildGitea$' -v -timeout 40m ./internal/testenv/ -args -build-gitea

#!/usr/bin/env bash
# Cross-compiles every main package (cmd/* and plugins/*) for Linux, macOS
# and Windows on amd64 and arm64 into dist/ (drover-server_linux_amd64,
# drover-engine-local_windows_arm64.exe, …), static (CGO_ENABLED=0, the
# pure-Go SQLite) and stripped, and writes dist/SHA256SUMS.
#
#   VERSION    version linked in (default: git describe)
#   PLATFORMS  os/arch pairs (default: the six above)
#   DIST       output directory (default dist)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
platforms=${PLATFORMS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"}
dist=${DIST:-dist}
mains=$(go list -f '{{if eq .Name "main"}}{{.ImportPath}}{{end}}' ./cmd/... ./plugins/...)

rm -rf "$dist"
mkdir -p "$dist"
for platform in $platforms; do
	os=${platform%/*} arch=${platform#*/}
	ext=""
	[ "$os" = windows ] && ext=.exe
	for pkg in $mains; do
		name=$(basename "$pkg")
		case $pkg in */plugins/*) name=drover-$name ;; esac
		echo "go build $name ($os/$arch)"
		# -tags= drops the Makefile's cgosqlite: without cgo it would be a stub.
		CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -tags= \
			-ldflags "-s -w -X github.com/drover-ci/drover/internal/version.Version=$version" \
			-o "$dist/${name}_${os}_${arch}$ext" "$pkg"
	done
done
(cd "$dist" && sha256sum -- * >SHA256SUMS)
echo "$(ls "$dist" | wc -l) files in $dist ($(du -sh "$dist" | cut -f1))"

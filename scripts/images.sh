#!/usr/bin/env bash
# Builds the container images drover-server and drover-runner FROM scratch
# (images/*.Dockerfile) for this machine's platform: static binaries built
# here (CGO_ENABLED=0, pure-Go SQLite, the bundle tag), the host's CA
# certificates and, for the runner, Debian's git and sh with the shared
# libraries ldd names (git's http(s) helper is the runner binary itself).
# Nothing is pulled.
#
#   VERSION         version linked in and tagged (default: git describe)
#   IMAGE_TAGS      tags to give both images (default: "$VERSION latest")
#   SERVER_IMAGE    server image name (default drover-server)
#   RUNNER_IMAGE    runner image name (default drover-runner)
#   IMAGES_CONTEXT  where the build contexts go (default .cache/images)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
tags=${IMAGE_TAGS:-"$version latest"}
server_image=${SERVER_IMAGE:-drover-server}
runner_image=${RUNNER_IMAGE:-drover-runner}
out=${IMAGES_CONTEXT:-.cache/images}
certs=/etc/ssl/certs/ca-certificates.crt

# need FILE PACKAGE: install the Debian package when the file is missing.
need() {
	[ -e "$1" ] && return
	command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] ||
		{ echo "images: $1 is missing; install the Debian package $2" >&2; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}
command -v docker >/dev/null || { echo "images: the docker command is missing (Debian package docker.io)" >&2; exit 1; }
need "$certs" ca-certificates
need /usr/lib/git-core/git git
need /usr/bin/dash dash

# rootfs DIR HOME: the files both images share, the user drover (1000) with HOME.
rootfs() {
	mkdir -p "$1"/etc/ssl/certs "$1"/tmp "$1"/usr/local/bin
	chmod 1777 "$1"/tmp
	cp "$certs" "$1"/etc/ssl/certs/
	printf 'root:x:0:0:root:/root:/sbin/nologin\ndrover:x:1000:1000:drover:%s:/sbin/nologin\n' "$2" >"$1"/etc/passwd
	printf 'root:x:0:\ndrover:x:1000:\n' >"$1"/etc/group
}

# build CMD DIR: the command, static and stripped, at DIR/usr/local/bin.
build() {
	echo "go build ./cmd/$1 (bundle, static)"
	CGO_ENABLED=0 go build -trimpath -tags bundle \
		-ldflags "-s -w -X github.com/drover-ci/drover/internal/version.Version=$version" \
		-o "$2/usr/local/bin/$1" "./cmd/$1"
}

# link DIR BIN GLOB: a link to BIN named after each plugin folder matching GLOB.
link() {
	for main in plugins/$3/main.go; do
		ln -s "$2" "$1/usr/local/bin/drover-$(basename "$(dirname "$main")")"
	done
}

# libs DIR FILE...: the shared libraries and loader the files need, at the
# paths ldd gives.
libs() {
	local dir=$1
	shift
	for lib in $(ldd "$@" | awk '/=>/ { print $3 } /^[[:space:]]+\// { print $1 }' | sort -u); do
		mkdir -p "$dir$(dirname "$lib")"
		cp -L "$lib" "$dir$lib"
	done
}

rm -rf "$out"
mkdir -p "$out"/server/data "$out"/runner/data

srv=$out/server/rootfs
rootfs "$srv" /var/lib/drover
build drover-server "$srv"
link "$srv" drover-server '*'

run=$out/runner/rootfs
rootfs "$run" /var/lib/drover-runner
build drover-runner "$run"
link "$run" drover-runner 'engine-*'
# git: the binary and its builtins' links, with the runner itself as its
# http(s) helper (runner/gitremote: Debian's needs 18 MB of libraries); sh
# for steps' scripts (and git's own use of it).
core=/usr/lib/git-core
mkdir -p "$run$core" "$run"/usr/bin "$run"/bin "$run"/usr/share/git-core/templates
cp "$core"/git "$run$core"/
for f in "$core"/*; do
	[ -L "$f" ] && [ "$(readlink "$f")" = git ] && cp -P "$f" "$run$core"/
done
for helper in git-remote-http git-remote-https; do
	ln -s /usr/local/bin/drover-runner "$run$core/$helper"
done
ln -s ../lib/git-core/git "$run"/usr/bin/git
cp /usr/bin/dash "$run"/usr/bin/dash
ln -s /usr/bin/dash "$run"/bin/sh
libs "$run" "$core"/git /usr/bin/dash

for image in server runner; do
	name=$server_image
	[ $image = runner ] && name=$runner_image
	args=()
	for tag in $tags; do args+=(-t "$name:$tag"); done
	cp images/$image.Dockerfile "$out/$image/Dockerfile"
	echo "docker build ${args[*]}"
	docker build -q --build-arg VERSION="$version" "${args[@]}" "$out/$image" >/dev/null
	size=$(docker image inspect -f '{{.Size}}' "$name:${tags%% *}")
	awk -v n="$name:${tags%% *}" -v s="$size" 'BEGIN { printf "%s %.1f MB\n", n, s / 1e6 }'
done

#!/bin/sh
# Regenerates the Go code of the plugin protocol (make proto).
# Needs protoc (apt: protobuf-compiler) and, on PATH or in $(go env GOPATH)/bin:
#   go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
#   go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
set -eu
cd "$(dirname "$0")"
PATH="$(go env GOPATH)/bin:$PATH"
export PATH
protoc -I . \
  --go_out=pluginpb --go_opt=paths=source_relative \
  --go-grpc_out=pluginpb --go-grpc_opt=paths=source_relative \
  plugin.proto engine.proto remote.proto

#!/usr/bin/env bash
# The gRPC contracts in proto/ compiled for Go, as a team writing a service in Go would (README, "Writing a
# service in another language"; docs/adr/0017-generated-grpc-contracts.md):
#   1. copies tools/contracts-go (go.mod, go.sum, main.go) into a temp module;
#   2. builds protoc-gen-go there, at the google.golang.org/protobuf version that go.mod requires (Go module proxy);
#   3. buf (npm) generates proto/ into the module's gen/go/, managed mode setting each file's go_package;
#   4. `go vet` and `go build` the module, then runs it: it prints one sample message of each contract as
#      "<message> <hex bytes>" (packages/contracts/test/contracts-go.test.ts decodes them in TypeScript).
# Exit 3 when Go is not installed (the test then skips, unless CI_REQUIRE_GO=1). KEEP_GO_MODULE=1 keeps the module.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$PATH:/usr/local/go/bin"
log() { echo "[contracts-go] $*" >&2; }
if ! command -v go >/dev/null; then
  log "Go is not installed (expected on PATH or in /usr/local/go/bin); the Go contracts were not checked"
  exit 3
fi
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vcd-contracts-go.XXXXXX")"
if [[ "${KEEP_GO_MODULE:-0}" == 1 ]]; then log "module kept in $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
MOD="$WORK/module"
mkdir -p "$MOD" "$WORK/bin"
cp "$ROOT/tools/contracts-go/go.mod" "$ROOT/tools/contracts-go/go.sum" "$ROOT/tools/contracts-go/main.go" "$MOD/"
MODULE="$(cd "$MOD" && go list -m)"

log "$(go version); building protoc-gen-go $(cd "$MOD" && go list -m -f '{{.Version}}' google.golang.org/protobuf)"
(cd "$MOD" && go build -o "$WORK/bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go)

cat >"$WORK/buf.gen.go.yaml" <<YAML
version: v2
managed:
  enabled: true
  override:
    - file_option: go_package_prefix
      value: $MODULE/gen/go
plugins:
  - local: $WORK/bin/protoc-gen-go
    out: $MOD/gen/go
    opt: paths=source_relative
YAML
log "generating proto/ for Go (buf generate)"
(cd "$ROOT" && "$ROOT/node_modules/.bin/buf" generate --template "$WORK/buf.gen.go.yaml")
(cd "$MOD" && find gen -name '*.go' | sort | sed 's/^/[contracts-go]   /' >&2)

log "go vet and go build"
(cd "$MOD" && go vet ./... && go build -o "$WORK/bin/contracts-go" .)
"$WORK/bin/contracts-go"
log "ok: proto/ compiles for Go"

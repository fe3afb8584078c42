#!/usr/bin/env bash
# Builds daprd (pinned Dapr release) from Go modules into ~/.dapr/bin, once per machine.
# Reuses a daprd of the pinned version already on PATH or in ~/.dapr/bin.
set -euo pipefail
DAPR_VERSION="1.18.3"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="${DAPR_BIN_DIR:-$HOME/.dapr/bin}"
CACHE_DIR="${DAPR_BUILD_CACHE:-$HOME/.cache/vcd-simple-blog/daprd-build}"
log() { printf '\033[36m[daprd]\033[0m %s\n' "$*" >&2; }

version_of() { "$1" --version 2>/dev/null | head -n1 | tr -d '[:space:]' || true; }

for candidate in "$BIN_DIR/daprd" "$(command -v daprd 2>/dev/null || true)"; do
  if [[ -n "$candidate" && -x "$candidate" && "$(version_of "$candidate")" == "$DAPR_VERSION" ]]; then
    if [[ "$candidate" != "$BIN_DIR/daprd" ]]; then mkdir -p "$BIN_DIR"; ln -sf "$candidate" "$BIN_DIR/daprd"; fi
    log "using $candidate (v$DAPR_VERSION)"
    exit 0
  fi
done

command -v go >/dev/null || { log "Go is required to build daprd (https://go.dev); it was not found on PATH"; exit 1; }
log "building daprd v$DAPR_VERSION from Go modules (first time on this machine: several minutes)"
start=$(date +%s)
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
mkdir -p "$CACHE_DIR" "$BIN_DIR"
go mod download -x github.com/dapr/dapr@v$DAPR_VERSION 2>&1 | grep -c '^# get' >/dev/null || true
SRC="$(cd "$ROOT/tools/daprd" && go list -m -f '{{.Dir}}' github.com/dapr/dapr)"
if [[ -z "$SRC" || ! -d "$SRC" ]]; then log "could not locate the github.com/dapr/dapr@v$DAPR_VERSION source"; exit 1; fi

# A writable copy of the pinned source without the Pulsar component (its modules are not served here).
WORK="$CACHE_DIR/v$DAPR_VERSION"
rm -rf "$WORK" && mkdir -p "$WORK"
cp -r "$SRC" "$WORK/dapr" && chmod -R u+w "$WORK/dapr"
rm -f "$WORK/dapr/cmd/daprd/components/pubsub_pulsar.go" "$WORK/dapr/cmd/daprd/components/pubsub_pulsar_test.go"
cp "$ROOT/tools/daprd/go.mod" "$ROOT/tools/daprd/go.sum" "$WORK/"
(cd "$WORK" && go mod edit -replace "github.com/dapr/dapr=./dapr")

log "compiling (go build -tags allcomponents); progress: packages compiled so far"
(
  cd "$WORK"
  go build -mod=mod -tags allcomponents -trimpath -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION" \
    -o "$WORK/daprd" -v github.com/dapr/dapr/cmd/daprd 2>&1 |
    awk '{ n++; if (n % 100 == 0) { printf "\033[36m[daprd]\033[0m %d packages compiled\n", n > "/dev/stderr" } } /^(#|.*:[0-9]+:[0-9]+:)/ { print > "/dev/stderr" }'
  exit "${PIPESTATUS[0]}"
)
install -m 0755 "$WORK/daprd" "$BIN_DIR/daprd"
rm -rf "$WORK/dapr"
end=$(date +%s)
log "built $BIN_DIR/daprd v$("$BIN_DIR/daprd" --version) in $((end - start))s, $(du -h "$BIN_DIR/daprd" | cut -f1)"

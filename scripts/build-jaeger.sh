#!/usr/bin/env bash
# Builds Jaeger (v2: the OpenTelemetry Collector with Jaeger's storage and query extensions) from Go modules into
# ~/.local/share/vcd-simple-blog/bin, once per machine: the development trace backend (OTLP in, query API and UI
# on :16686). Pinned in tools/jaeger/go.mod. See docs/adr/0013-observability-backends.md.
# Low priority (nice, one package at a time): it never starves tests running on the same machine.
set -euo pipefail
JAEGER_VERSION="1.76.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="${OBS_BIN_DIR:-$HOME/.local/share/vcd-simple-blog/bin}"
STAMP="$BIN_DIR/.jaeger-$JAEGER_VERSION"
log() { printf '\033[36m[jaeger]\033[0m %s\n' "$*" >&2; }
export PATH="$PATH:/usr/local/go/bin"
export CGO_ENABLED=0

mkdir -p "$BIN_DIR"
exec 9>"$BIN_DIR/.jaeger.lock"
flock 9
if [[ -x "$BIN_DIR/jaeger" && -f "$STAMP" ]]; then exit 0; fi
command -v go >/dev/null || { log "Go is required to build Jaeger (it was not found on PATH)"; exit 1; }
log "building Jaeger v$JAEGER_VERSION from Go modules (first time on this machine: many minutes, at low priority)"
start=$(date +%s)
(
  cd "$ROOT/tools/jaeger"
  GOFLAGS="${GOFLAGS:--buildvcs=false}" nice -n 15 go build -p "${JAEGER_BUILD_JOBS:-1}" -trimpath -ldflags "-s -w" \
    -o "$BIN_DIR/jaeger.tmp" github.com/jaegertracing/jaeger/cmd/jaeger
)
mv "$BIN_DIR/jaeger.tmp" "$BIN_DIR/jaeger"
touch "$STAMP"
log "built Jaeger v$JAEGER_VERSION into $BIN_DIR in $(( $(date +%s) - start ))s"

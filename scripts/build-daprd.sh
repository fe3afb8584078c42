#!/usr/bin/env bash
# Builds daprd and sentry (pinned Dapr release) from Go modules into ~/.dapr/bin, once per machine.
# Reuses binaries of the pinned version already there or on PATH. See docs/adr/0001-daprd-from-go-modules.md.
# Always static (CGO_ENABLED=0, as Dapr's own releases): the same binaries run the development stack and go into
# the container images (npm run images), so a machine builds them once.
set -euo pipefail
DAPR_VERSION="1.18.3"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="${DAPR_BIN_DIR:-$HOME/.dapr/bin}"
CACHE_DIR="${DAPR_BUILD_CACHE:-$HOME/.cache/vcd-simple-blog/daprd-build}"
STAMP="$BIN_DIR/.vcd-simple-blog-dapr-$DAPR_VERSION"
log() { printf '\033[36m[daprd]\033[0m %s\n' "$*" >&2; }
export PATH="$PATH:/usr/local/go/bin"
export CGO_ENABLED=0

# Targets: arguments (daprd, sentry), default both. One build at a time per machine (flock).
TARGETS=("$@"); [[ $# -eq 0 ]] && TARGETS=(daprd sentry)
wants() { [[ " ${TARGETS[*]} " == *" $1 "* ]]; }
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
flock 9

daprd_ok() { [[ -x "$1" && "$("$1" --version 2>/dev/null | head -n1 | tr -d '[:space:]')" == "$DAPR_VERSION" ]]; }

# daprd is built with the fixes in tools/daprd/patches (ADR 8); the stamp records which set, so a change to them
# rebuilds it. (A daprd of your own, official or not, can still be used with DAPRD_PATH=/path/to/daprd.)
# It links only the components listed in tools/daprd/components.txt (ADR 24); the id covers that list too.
# The patches in tools/daprd/patches/components-contrib apply to the components module daprd links.
PATCHES=("$ROOT"/tools/daprd/patches/*.patch)
shopt -s nullglob
CONTRIB_PATCHES=("$ROOT"/tools/daprd/patches/components-contrib/*.patch)
shopt -u nullglob
COMPONENTS_LIST="$ROOT/tools/daprd/components.txt"
PATCH_ID="$(cat "${PATCHES[@]}" "${CONTRIB_PATCHES[@]}" "$COMPONENTS_LIST" | sha256sum | cut -c1-12)"

missing=()
if wants daprd && { ! daprd_ok "$BIN_DIR/daprd" || ! grep -qx "daprd $PATCH_ID static" "$STAMP" 2>/dev/null; }; then missing+=(daprd); fi
# sentry has no --version flag: a stamp written by this script records which release built it.
if wants sentry && { [[ ! -x "$BIN_DIR/sentry" || ! -f "$STAMP" ]] || ! grep -qx "sentry static" "$STAMP"; }; then missing+=(sentry); fi
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi

command -v go >/dev/null || { log "Go >= 1.26.6 is required to build ${missing[*]} (https://go.dev); it was not found on PATH"; exit 1; }
log "building ${missing[*]} v$DAPR_VERSION from Go modules (first time on this machine: several minutes)"
start=$(date +%s)
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
mkdir -p "$CACHE_DIR" "$BIN_DIR"
SRC="$(cd "$ROOT/tools/daprd" && go mod download github.com/dapr/dapr && go list -m -f '{{.Dir}}' github.com/dapr/dapr)"
if [[ -z "$SRC" || ! -d "$SRC" ]]; then log "could not locate the github.com/dapr/dapr@v$DAPR_VERSION source"; exit 1; fi

# A writable copy of the pinned source with only the component registrations we keep (tools/daprd/components.txt).
WORK="$CACHE_DIR/v$DAPR_VERSION"
rm -rf "$WORK" && mkdir -p "$WORK/bin"
cp -r "$SRC" "$WORK/dapr" && chmod -R u+w "$WORK/dapr"
mapfile -t KEEP < <(grep -vE '^\s*(#|$)' "$COMPONENTS_LIST")
kept=0
for f in "$WORK"/dapr/cmd/daprd/components/*.go; do
  name="$(basename "$f" .go)"; name="${name%_test}"
  [[ "$name" == zz_notag ]] && continue
  if [[ " ${KEEP[*]} " == *" $name "* ]]; then [[ "$f" == *_test.go ]] || kept=$((kept + 1)); else rm -f "$f"; fi
done
if [[ $kept -ne ${#KEEP[@]} ]]; then log "tools/daprd/components.txt names $((${#KEEP[@]} - kept)) component(s) Dapr $DAPR_VERSION does not have"; exit 1; fi
for patch in "${PATCHES[@]}"; do
  log "applying $(basename "$patch")"
  (cd "$WORK/dapr" && git apply --verbose "$patch" 2>&1 | sed 's/^/  /' >&2) || { log "could not apply $patch"; exit 1; }
done
# components-contrib at the version daprd requires, patched the same way.
# (A fresh module cache has only what `go mod download` fetched: download it first, or `go list` names no folder.)
CONTRIB_SRC="$(cd "$ROOT/tools/daprd" && go mod download github.com/dapr/components-contrib && go list -m -f '{{.Dir}}' github.com/dapr/components-contrib)"
if [[ -z "$CONTRIB_SRC" || ! -d "$CONTRIB_SRC" ]]; then log "could not locate the github.com/dapr/components-contrib source"; exit 1; fi
cp -r "$CONTRIB_SRC" "$WORK/components-contrib" && chmod -R u+w "$WORK/components-contrib"
for patch in "${CONTRIB_PATCHES[@]}"; do
  log "applying components-contrib/$(basename "$patch")"
  (cd "$WORK/components-contrib" && git apply --verbose "$patch" 2>&1 | sed 's/^/  /' >&2) || { log "could not apply $patch"; exit 1; }
done
cp "$ROOT/tools/daprd/go.mod" "$ROOT/tools/daprd/go.sum" "$WORK/"
(cd "$WORK" && go mod edit -replace "github.com/dapr/dapr=./dapr" -replace "github.com/dapr/components-contrib=./components-contrib")

pkgs=()
for m in "${missing[@]}"; do pkgs+=("github.com/dapr/dapr/cmd/$m"); done
log "compiling (go build -tags allcomponents, ${#KEEP[@]} components); progress: packages compiled so far"
(
  cd "$WORK"
  go build -mod=mod -tags allcomponents -trimpath -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION" \
    -o "$WORK/bin/" -v "${pkgs[@]}" 2>&1 |
    awk '{ n++; if (n % 100 == 0) { printf "\033[36m[daprd]\033[0m %d packages compiled\n", n > "/dev/stderr" } } /^(#|.*:[0-9]+:[0-9]+:)/ { print > "/dev/stderr" }'
  exit "${PIPESTATUS[0]}"
)
touch "$STAMP"
for m in "${missing[@]}"; do
  install -m 0755 "$WORK/bin/$m" "$BIN_DIR/$m"
  line="$m static"; [[ "$m" == daprd ]] && line="daprd $PATCH_ID static"
  grep -v "^$m\b" "$STAMP" > "$STAMP.tmp" || true
  echo "$line" >> "$STAMP.tmp" && mv "$STAMP.tmp" "$STAMP"
done
rm -rf "$WORK/dapr" "$WORK/components-contrib"
log "built ${missing[*]} v$DAPR_VERSION into $BIN_DIR in $(( $(date +%s) - start ))s ($(cd "$BIN_DIR" && du -h "${missing[@]}" | tr '\n' ' '))"

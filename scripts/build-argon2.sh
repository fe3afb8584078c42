#!/usr/bin/env bash
# argon2 compiled for this machine's CPU (ADR 23): the npm package ships one portable x86-64 binary (SSE2); the
# same sources built with AVX2 verify a password in about 60 % of the CPU time, and every login pays one verify.
# Only when the CPU has AVX2, a C/C++ toolchain and Node's headers are here; otherwise, or when anything fails,
# the portable binary stays (correct, slower). The build is kept in ~/.cache/vcd-simple-blog, keyed by the argon2
# version and the sources, and copied into node_modules/argon2/build/Release, which node-gyp-build loads before the
# prebuilt one; `npm ci` empties node_modules, this script puts it back in a second. VCD_ARGON2_PORTABLE=1 keeps
# the portable binary (and removes a local build). Images never use it: they run on CPUs we do not know.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/node_modules/argon2"
say() { printf '\033[36m[argon2]\033[0m %s\n' "$*" >&2; }
[[ -f "$PKG/package.json" ]] || exit 0
TARGET="$PKG/build/Release/argon2.node"
if [[ "${VCD_ARGON2_PORTABLE:-}" == 1 ]]; then
  rm -rf "$PKG/build"
  exit 0
fi
if [[ "$(uname -m)" != x86_64 ]] || ! grep -qw avx2 /proc/cpuinfo; then exit 0; fi

VERSION="$(node -p "require('$PKG/package.json').version")"
SOURCES_ID="$(cat "$PKG/binding.gyp" "$PKG/argon2.cpp" "$PKG"/argon2/src/*.c "$PKG"/argon2/src/blake2/*.c | sha256sum | cut -c1-12)"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vcd-simple-blog"
BUILT="$CACHE/argon2-$VERSION-$SOURCES_ID-avx2.node"

# The candidate package copy in `$1` (its build/Release loaded first) against the portable binary (PREBUILDS_ONLY):
# a hash made by each verifies with the other (the same algorithm, only faster), and a wrong password does not.
check() {
  local script='
    const [pkg, other] = process.argv.slice(1);
    const a = require(pkg + "/argon2.cjs");
    (async () => {
      const ok = !other || ((await a.verify(other, "correct horse battery")) && !(await a.verify(other, "wrong horse battery")));
      if (!ok) process.exit(1);
      console.log(await a.hash("correct horse battery", { type: a.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 }));
    })().catch(() => process.exit(1));'
  local portable fast
  portable="$(PREBUILDS_ONLY=1 node -e "$script" "$PKG")" || return 1
  fast="$(node -e "$script" "$1" "$portable")" || return 1
  PREBUILDS_ONLY=1 node -e "$script" "$PKG" "$fast" >/dev/null
}

if [[ -f "$TARGET" ]] && cmp -s "$TARGET" "$BUILT"; then exit 0; fi
if [[ ! -f "$BUILT" ]]; then
  if ! command -v g++ >/dev/null || ! command -v make >/dev/null || [[ ! -f /usr/include/node/node_api.h ]]; then
    say "no C++ toolchain or Node headers (/usr/include/node): keeping the portable argon2 binary"
    exit 0
  fi
  say "building argon2 $VERSION for this CPU (AVX2; about 20 s, once)"
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  cp -r "$PKG" "$WORK/argon2"
  rm -rf "$WORK/argon2/build"
  mkdir -p "$WORK/argon2/node_modules"
  for dep in node-addon-api node-gyp-build @phc; do ln -s "$ROOT/node_modules/$dep" "$WORK/argon2/node_modules/$dep"; done
  if ! (cd "$WORK/argon2" && CFLAGS="-mavx2" npx -y node-gyp@11.5.0 rebuild --nodedir=/usr >"$WORK/build.log" 2>&1); then
    say "the build failed (log: $(tail -3 "$WORK/build.log" | tr '\n' ' ')); keeping the portable argon2 binary"
    exit 0
  fi
  if ! check "$WORK/argon2"; then
    say "the AVX2 build does not agree with the portable one: keeping the portable argon2 binary"
    exit 0
  fi
  mkdir -p "$CACHE"
  cp "$WORK/argon2/build/Release/argon2.node" "$BUILT.tmp" && mv "$BUILT.tmp" "$BUILT"
fi
mkdir -p "$(dirname "$TARGET")"
cp "$BUILT" "$TARGET"
say "node_modules/argon2 uses the AVX2 build ($BUILT)"

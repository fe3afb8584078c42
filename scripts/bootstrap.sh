#!/usr/bin/env bash
# Makes a fresh clone runnable: npm dependencies (from the lockfile) and daprd (built once per machine into
# ~/.dapr/bin). Postgres and Redis are checked, installed (apt) and started by the runner itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*" >&2; }

command -v node >/dev/null || { say "Node.js 20+ is required"; exit 1; }
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
# argon2 built for this CPU when it can be (AVX2; ADR 23), the portable binary otherwise: never fails the bootstrap.
bash scripts/build-argon2.sh || true
# Prometheus (with promtool) is the metrics store and UI of the development and test stacks (docs/observability.md).
if ! command -v psql >/dev/null || ! command -v redis-server >/dev/null || ! command -v docker-compose >/dev/null || ! command -v promtool >/dev/null; then
  if command -v apt-get >/dev/null; then
    say "installing PostgreSQL, Redis, docker-compose and Prometheus (apt)"
    SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO="sudo -n"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql redis-server docker-compose >/dev/null
    # Without recommends: no node exporter; the runner starts its own Prometheus (127.0.0.1:9095).
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    say "PostgreSQL and Redis are not installed and apt-get is unavailable: install them, then retry"; exit 1
  fi
fi
# Manifest validation renders kustomize trees: kubectl's built-in kustomize, or a standalone one from Go modules.
if ! command -v kubectl >/dev/null && ! command -v kustomize >/dev/null; then
  say "installing kustomize (go install)"
  PATH="$PATH:/usr/local/go/bin" GOBIN="$HOME/go/bin" go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.3
fi
# PostgreSQL answering on 127.0.0.1:5432 (started when installed but stopped) and redis-server installed.
node --import tsx scripts/ensure-infra.ts
bash scripts/build-daprd.sh

#!/usr/bin/env bash
# Writes a single-layer image archive (docker-archive format, what `ctr images import` and `docker load` read)
# from a directory, without Docker: reproducible (sorted, owner 0:0, mtime 0).
# usage: mkimage.sh <rootfs-dir> <name:tag> <out.tar> <entrypoint> [user]
set -euo pipefail
dir=$1 name=$2 out=$3 entrypoint=$4 user=${5:-}
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=pax --pax-option=delete=atime,delete=ctime \
  -C "$dir" -cf "$work/layer.tar" .
diff="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
mkdir -p "$work/$diff"; mv "$work/layer.tar" "$work/$diff/layer.tar"
printf '{"architecture":"amd64","os":"linux","created":"2026-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":["%s"],"User":"%s","WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"2026-01-01T00:00:00Z","created_by":"scripts/k8s/mkimage.sh"}]}' \
  "$entrypoint" "$user" "$diff" >"$work/config.json"
cid="$(sha256sum "$work/config.json" | cut -d' ' -f1)"; mv "$work/config.json" "$work/$cid.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cid" "$name" "$diff" >"$work/manifest.json"
tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work" -cf "$out" "$cid.json" "$diff/layer.tar" manifest.json

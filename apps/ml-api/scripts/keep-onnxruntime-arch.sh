#!/bin/sh
# Keeps only onnxruntime-node's native binding for linux/<arch> in ./node_modules: the package
# ships every OS and architecture (~290 MB). <arch> is Docker's TARGETARCH (amd64 or arm64) or
# Node's (x64). Used by the Dockerfile's prod-deps stage and by image-dry-run.sh.
set -eu
case "${1:-}" in
  amd64 | x64) arch=x64 ;;
  arm64) arch=arm64 ;;
  *) echo "usage: keep-onnxruntime-arch.sh amd64|arm64|x64 (got '${1:-}')" >&2; exit 2 ;;
esac
bin=node_modules/onnxruntime-node/bin
find "$bin" -mindepth 2 -maxdepth 2 ! -path '*/linux' -exec rm -rf {} +
for dir in "$bin"/napi-v*/linux/*; do
  [ "$(basename "$dir")" = "$arch" ] || rm -rf "$dir"
done
test -f "$bin/napi-v6/linux/$arch/onnxruntime_binding.node"

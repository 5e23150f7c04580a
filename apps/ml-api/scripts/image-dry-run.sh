#!/usr/bin/env bash
# Rehearses apps/ml-api/Dockerfile without Docker (this workplace has no engine): runs the same
# install/build/prune commands as the build and prod-deps stages in temp dirs, assembles the
# runtime file tree exactly as the runtime stage does, makes it root-owned and read-only, and
# starts it as uid 1000 against local PostgreSQL + dynalite; then the ECS health-check command
# must pass, a classification must succeed, and SIGTERM must exit 0.
# Keep the commands in step with the Dockerfile. Needs the npm registry (npm ci).
#   bash apps/ml-api/scripts/image-dry-run.sh
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=$(mktemp -d /tmp/mlapi-image-XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
# The rehearsal runs on the image's Node.js line (R24): the workspace's own runtime comes first on
# PATH, whatever Node.js the machine has.
export PATH="$REPO/node_modules/.bin:$PATH"
image_major=$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9]*\)-.*/\1/p' "$REPO/apps/ml-api/Dockerfile")
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != "$image_major" ]; then
  echo "node $(node --version) is not the image's node:$image_major; run npm ci at the repository root first" >&2
  exit 1
fi
echo "--- node $(node --version), as the image's node:$image_major"
export ONNXRUNTIME_NODE_INSTALL=skip npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

context() { # the files Dockerfile.dockerignore lets through
  mkdir -p "$1/apps/ml-api/scripts"
  cp "$REPO"/{package.json,package-lock.json,.npmrc,tsconfig.base.json} "$1/"
  cp "$REPO"/apps/ml-api/{package.json,tsconfig.build.json} "$1/apps/ml-api/"
  cp -r "$REPO/apps/ml-api/src" "$1/apps/ml-api/"
  cp "$REPO/apps/ml-api/scripts/build-model.ts" "$1/apps/ml-api/scripts/"
}

echo "--- build stage"
context "$WORK/build"
(cd "$WORK/build" \
  && npm ci --ignore-scripts --workspace @mlapi/ml-api --include-workspace-root=false >/dev/null \
  && if [ -d node_modules/@pulumi ] || [ -d node_modules/jest ] || [ -d node_modules/nx ]; then echo "the build stage installed workspace packages the API does not need" >&2; exit 1; fi \
  && npx tsx apps/ml-api/scripts/build-model.ts "$WORK/out/model" \
  && npx tsc -p apps/ml-api/tsconfig.build.json --outDir "$WORK/out/dist/src")

echo "--- prod-deps stage"
mkdir -p "$WORK/deps/apps/ml-api"
cp "$REPO"/{package.json,package-lock.json,.npmrc} "$WORK/deps/" && cp "$REPO/apps/ml-api/package.json" "$WORK/deps/apps/ml-api/"
(cd "$WORK/deps" \
  && node "$REPO/apps/ml-api/scripts/runtime-manifest.js" \
  && npm ci --omit=dev --ignore-scripts --workspace @mlapi/ml-api --include-workspace-root=false >/dev/null \
  && sh "$REPO/apps/ml-api/scripts/keep-onnxruntime-arch.sh" "$(node -p process.arch)" \
  && rm -rf node_modules/@mlapi)

echo "--- runtime stage"
APP="$WORK/app"
mkdir -p "$APP/certs"
cp -r "$WORK/deps/node_modules" "$APP/node_modules"
cp -r "$WORK/out/dist" "$APP/dist"
cp -r "$WORK/out/model" "$APP/model"
cp "$REPO/apps/ml-api/package.json" "$APP/package.json"
chown -R root:root "$APP" && chmod -R a-w,a+rX "$APP"
echo "runtime tree: $(du -sh "$APP" | cut -f1) (node_modules $(du -sh "$APP/node_modules" | cut -f1), model $(du -sh "$APP/model" | cut -f1)); packages: $(ls "$APP/node_modules" | wc -l)"
if ls "$APP/node_modules" | grep -E '^(typescript|tsx|jest|nsfwjs|@tensorflow|protobufjs|@pulumi|@types)$'; then echo "dev/infra packages leaked into the runtime stage" >&2; exit 1; fi

echo "--- run as uid 1000 against local services"
cd "$REPO" && npx tsx apps/ml-api/scripts/image-smoke.ts "$APP"

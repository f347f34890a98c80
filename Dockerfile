# syntax=docker/dockerfile:1.7
# One image per app, all from this workspace:
#
#   docker build --build-arg APP=chat-api      -t todo-chatbot/chat-api:dev .
#   docker build --build-arg APP=task-reminder -t todo-chatbot/task-reminder:dev .
#   docker build --build-arg APP=notifier      -t todo-chatbot/notifier:dev .
#   (Minikube: minikube image build --build-opt=build-arg=APP=chat-api -t todo-chatbot/chat-api:dev .)
#
# Node 24 runs the TypeScript sources as they are: nothing is compiled. The image runs `node
# src/main.ts` in the app's folder as the unprivileged `node` user (uid 1000), under tini so
# SIGTERM reaches node and zombies are reaped; the chart's migration Job runs `node src/migrate-main.ts`.
#
# Why not `pnpm deploy`: it copies the workspace libraries (@todo/platform, ...) into node_modules,
# and Node refuses to strip types from files under node_modules
# (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING), so its output does not start. Instead the image
# keeps the workspace layout with only the app's production dependencies installed
# (`pnpm install --prod --filter @todo/<app>...`): the libraries stay symlinks to their sources,
# outside node_modules. charts/tests runs the ASSEMBLE script below on a copy of the workspace and
# starts each app from its output; scripts/build-images (no Docker engine) runs it verbatim too and
# follows the runtime stage instruction by instruction, refusing any it does not know.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
SHELL ["/bin/bash", "-c"]
ARG PNPM_VERSION=10.34.8
RUN npm install --global --no-audit --no-fund "pnpm@${PNPM_VERSION}"
WORKDIR /workspace
COPY . .
ARG APP
ENV OUT=/out
RUN <<'ASSEMBLE'
#!/usr/bin/env bash
set -euo pipefail
[ -n "${APP:-}" ] || { echo "build with --build-arg APP=<app-id> (chat-api, task-reminder, notifier)" >&2; exit 1; }
# The app's folder: the workspace package named @todo/<app-id>.
dir=""
for pkg in services/*/package.json actors/*/package.json; do
  if grep -q "\"name\": \"@todo/${APP}\"" "$pkg"; then dir="$(dirname "$pkg")"; fi
done
[ -n "$dir" ] || { echo "no workspace package @todo/${APP} under services/ or actors/" >&2; exit 1; }
# Production dependencies of the app and of the workspace libraries it uses, from the lockfile.
pnpm install --frozen-lockfile --prod --filter "@todo/${APP}..." --config.confirmModulesPurge=false
# The runtime tree: root node_modules (the store), the app, the shared libraries, and `current`
# pointing at the app so the image has one working directory whatever the app.
mkdir -p "$OUT/$dir"
cp -a node_modules package.json "$OUT/"
cp -a "$dir/." "$OUT/$dir/"
mkdir -p "$OUT/services" && cp -a services/lib "$OUT/services/lib"
ln -s "$dir" "$OUT/current"
# Not in production: tests, test helpers (src/testing/) and the dev-token minting script.
find "$OUT/$dir" "$OUT/services/lib" -name '*.test.ts' -not -path '*/node_modules/*' -delete
find "$OUT/$dir" "$OUT/services/lib" -path '*/src/testing' -not -path '*/node_modules/*' -prune -exec rm -rf {} +
rm -f "$OUT/$dir/src/dev-token.ts"
ASSEMBLE

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install --yes --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
COPY --from=build /out /app
WORKDIR /app/current
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "src/main.ts"]

# The gateway as a container image: docker build -t sweden-open-data-graph .
# docs/deploying.md says how to run it, with Compose and on Kubernetes.

# --- build: every dependency, the TypeScript compiled to dist/ ---------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
# The lock file alone first, so that this layer is reused until a dependency changes.
# --ignore-scripts: the package's own `prepare` would build before the sources are copied (the build
# runs below); no dependency needs its install script for `npm run build`.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# Everything .dockerignore lets through: the sources, tsconfig*.json, scripts/build.mjs, schema/.
COPY . .
# tsc to dist/, plus the assets the compiled modules read next to themselves (GraphQL schemas,
# JSON and GeoJSON data, the explorer's files, schema/examples).
RUN npm run build

# --- runtime: Node, production dependencies, dist/ ---------------------------------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
# Production dependencies only. --ignore-scripts: `prepare` would try to build without TypeScript;
# the only production install scripts (protobufjs) create a folder for its CLI and print warnings.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# dist/ holds the gateway bundled into one file and Node's compile cache of it (dist/.compile-cache,
# filled by the build with the flags of the CMD below, and only read at run time).
COPY --from=build /app/dist ./dist
# Read relative to the working directory, not next to the modules: SUPERGRAPH_FILE and
# SUBGRAPHS_FILE default to schema/…, SNAPSHOT_DIR to snapshot/ (UPSTREAM_MODE=snapshot).
COPY schema ./schema
COPY snapshot ./snapshot
# The node user of the official image, by number, so that Kubernetes' runAsNonRoot can check it.
# The files above stay owned by root: the gateway only reads them, and writes no file at run time,
# so the container also runs with a read-only root file system.
USER 1000:1000
EXPOSE 4000
# The slim image has no curl: Node's own fetch asks /health (alive; /ready is for load balancers).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node as PID 1: the gateway itself handles SIGTERM (drains requests for up to 10 s, then exits).
# The same V8 flags as `npm start` (package.json): 8 MB semi-spaces and a 1.3× old-generation growth
# step (see the README's performance section).
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=30", "dist/gateway/src/main.js"]

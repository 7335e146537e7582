# syntax=docker/dockerfile:1
# Strata registry image (DESIGN.md section 2). One image serves every role:
#   registry / API node:  node dist/apps/registry/main.js   (default CMD; STRATA_ROLE=all|api)
#   projector:            node dist/apps/projector/main.js
# Build: docker build -t strata .    Run (embedded profile): docker run -p 8080:8080 -v strata-data:/data strata

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile TypeScript, then prune to production dependencies -------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` (tsc) needs the sources, copied below; no runtime
# dependency needs an install script (msgpackr-extract falls back to its prebuilt/JS code).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -f dist/.tsbuildinfo

# ---- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    STRATA_DATA_DIR=/data
WORKDIR /app
# migrations/ and projections/ are read at run time (found beside package.json)
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root migrations ./migrations
COPY --chown=root:root projections ./projections
COPY --chown=root:root bin ./bin
# The code is root-owned and read-only to the service user; only /data is writable.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# No curl in the slim image: Node's fetch does the probe (registry and projector both serve /healthz).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/apps/registry/main.js"]

# Cảm xúc for Hugging Face Spaces or any container host: compiled server on Node.js 24, non-root (UID 1000),
# port 7860, app files read-only, data (embedded database) only under /data. Layout: docs/decisions/016-image-layout.md.

# ---- build: all dependencies, Prisma client, Remix UI and compiled server, then production dependencies only
FROM node:24-bookworm-slim AS build
WORKDIR /app
# The CUDA download of onnxruntime-node's install script cannot work offline (and the CPU build is bundled).
ENV ONNXRUNTIME_NODE_INSTALL=skip CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 SCARF_ANALYTICS=false
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY prisma ./prisma
# postinstall generates the Prisma client into server/db/generated
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && node scripts/prune-image-modules.ts /app

# ---- run: the base image's node, production files owned by root (read-only to the app), /data writable
FROM node:24-bookworm-slim
# ORT_DISABLE_TELEMETRY: ONNX Runtime would write a device id under ~/.cache and files in /tmp (the server sets it too).
ENV NODE_ENV=production PORT=7860 HOST=0.0.0.0 DATA_DIR=/data TRUST_PROXY=1 ORT_DISABLE_TELEMETRY=1
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/public ./public
COPY --from=build /app/prisma/migrations ./prisma/migrations
COPY --from=build /app/models/default ./models/default
COPY --from=build /app/models/aspects ./models/aspects
COPY --from=build /app/models/vi-resources ./models/vi-resources
COPY --from=build /app/server/auth/common-passwords.txt ./server/auth/common-passwords.txt
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=10s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 7860}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "build/server/main.js"]

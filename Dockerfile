# Cảm xúc for Hugging Face Spaces: non-root (UID 1000), port 7860, embedded database unless DATABASE_URL is set.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx remix build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=7860 HOST=0.0.0.0 DATA_DIR=/home/node/app/data TRUST_PROXY=true
WORKDIR /home/node/app
# The node image's "node" user is UID 1000, as Spaces requires.
COPY --from=build --chown=node:node /app ./
USER node
RUN mkdir -p "$DATA_DIR"
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD node -e "fetch('http://127.0.0.1:7860/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node_modules/.bin/tsx", "server/main.ts"]

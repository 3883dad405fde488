# One image for every Meridian process (control plane, worker, migrations, seed); the command picks.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node (edge agent) must not download binaries at install time.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc tsconfig.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY libs ./libs
COPY apps ./apps
COPY tools ./tools
# The shipped demo models, published by the compose demo (scripts/demo-tokens.mjs).
COPY models ./models
RUN npm ci && npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
# Writable places for the non-root user: the agent's data directory and the demo's token volume.
RUN mkdir -p /var/lib/meridian-agent /tokens /var/lib/meridian/artifacts && chown node:node /var/lib/meridian-agent /tokens /var/lib/meridian/artifacts
USER node
EXPOSE 3000 50051
CMD ["node", "apps/control-plane/dist/main.js"]

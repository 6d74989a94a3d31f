# github-login-server: compiled JavaScript on Node 24 (LTS, supported to April 2028), production
# dependencies only, as the unprivileged `node` user. Every COPY names exactly what it needs, and
# .dockerignore lets nothing else into the build context, so local node_modules/, dist/, .env and
# .git never even reach Docker. Without a registry (Podman, offline): scripts/offline-images.sh.
# The GitHub emulator (packages/github-emulator, an npm workspace) comes along, built: demo mode
# (compose without GitHub credentials) mounts it; production mode never loads it.

# --- build: compile TypeScript with the dev dependencies -----------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/github-emulator/package.json ./packages/github-emulator/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages/github-emulator/tsconfig.json ./packages/github-emulator/
COPY packages/github-emulator/src ./packages/github-emulator/src
COPY src ./src
RUN npm run build

# --- runtime ---------------------------------------------------------------------------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
# Every interface of the container: the published port decides who reaches it (the server's own
# default is 127.0.0.1 in demo mode, which inside a container no published port could reach).
ENV HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/github-emulator/package.json ./packages/github-emulator/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Owned by root and read-only for the app: the process cannot rewrite its own code or pages.
COPY --from=build /app/dist ./dist
COPY --from=build /app/packages/github-emulator/dist ./packages/github-emulator/dist
COPY packages/github-emulator/views ./packages/github-emulator/views
COPY views ./views
USER node
EXPOSE 3000
# slim images have no curl: ask Node itself. /healthz answers while the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# Exec form: Node gets SIGTERM directly and drains connections. It runs as PID 1, so run the
# container with an init (compose: `init: true`; docker run: `--init`) to reap zombies.
CMD ["node", "dist/server.js"]

# syntax=docker/dockerfile:1
# One image for every Mekong IOC service — broker, ingest, web, simulators, or all of them in one
# process (the default command); docker-compose.yml picks the entry point per container.
# Multi-stage: the build stage has the dev tools (TypeScript, Vite); the runtime image holds only
# production dependencies, the compiled output and the seeds, owned by root and run by the
# unprivileged `node` user, which owns nothing but /data.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production LOG_FORMAT=json DATA_DIR=/data
WORKDIR /app
COPY package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY seeds ./seeds
# DATA_DIR: the embedded database, ingest's spool, generated secrets. Mount a volume here.
RUN mkdir -p /data && chown node:node /data
USER node
# MQTT, web (REST, Socket.io, map), ingest's internal API, broker health/metrics.
EXPOSE 1883 8080 8081 8082
CMD ["node", "dist/server/platform/main.js"]

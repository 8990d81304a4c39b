# syntax=docker/dockerfile:1
# One image for every Mekong IOC service; the compose file picks the entry point.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production LOG_FORMAT=json DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY seeds ./seeds
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 1883 8080
CMD ["node", "dist/server/platform/main.js"]

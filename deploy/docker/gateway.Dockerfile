# syntax=docker/dockerfile:1.7
# The nginx gateway with the web app built in: `npm ci` from web/package-lock.json and
# `npm run build` in a Node stage, web/dist copied into nginx. gateway.conf stays a mounted
# template (docker-compose.yml renders it), like the local gateway's; the TLS certificate and
# key are mounted too (TLS_CERT_FILE, TLS_KEY_FILE), never built into the image.
#   docker build -f deploy/docker/gateway.Dockerfile -t surgery/gateway .
ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginx:1.28-bookworm

FROM ${NODE_IMAGE} AS web
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY web/ ./
RUN npm run build

FROM ${NGINX_IMAGE} AS gateway
COPY --from=web /src/web/dist /usr/share/nginx/html
# HTTPS, and plain HTTP that only redirects to it.
EXPOSE 8443 8080

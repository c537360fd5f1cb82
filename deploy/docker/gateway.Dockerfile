# syntax=docker/dockerfile:1.7
# The nginx gateway with the web app built in: `npm ci` from web/package-lock.json and
# `npm run build` in a Node stage, web/dist copied into nginx. gateway.conf stays a mounted
# template (docker-compose.yml and deploy/kubernetes render it into /tmp/nginx at start), like
# the local gateway's; the TLS certificate and key are mounted too (TLS_CERT_FILE,
# TLS_KEY_FILE), never built into the image.
#   docker build -f deploy/docker/gateway.Dockerfile -t surgery/gateway .
# nginx runs as the image's nginx user, numeric 101:101 (deploy/kubernetes runs it so, with a
# read-only root filesystem: /tmp and /var/cache/nginx are its writable places). Health: the
# gateway's /healthz on 8443; compose's healthcheck and Kubernetes' probes ask it (the CA to
# verify it with is mounted, not in the image).
ARG NODE_IMAGE=node:20.20-bookworm-slim
ARG NGINX_IMAGE=nginx:1.28-bookworm

FROM ${NODE_IMAGE} AS web
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY web/ ./
RUN npm run build

FROM ${NGINX_IMAGE} AS gateway
# Unprivileged nginx writes its temporary files and pid under these, nowhere else.
RUN mkdir -p /tmp/nginx /var/cache/nginx \
 && chown -R 101:101 /tmp/nginx /var/cache/nginx
COPY --from=web /src/web/dist /usr/share/nginx/html
USER 101:101
# HTTPS, and plain HTTP that only redirects to it; both above 1024, so no capability is needed.
EXPOSE 8443 8080
# nginx's graceful stop: requests in flight finish (the base image says so too).
STOPSIGNAL SIGQUIT

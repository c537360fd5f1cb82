// Vite: the app's build (hashed files under dist/assets, served by the gateway) and the dev
// server, which proxies /api to the gateway so the app talks to the same origin either way.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, URL } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

// The gateway replaces this placeholder in index.html with a fresh nonce per response and
// allows <style> elements carrying it (PrimeVue's theme is injected at run time).
export const CSP_NONCE_PLACEHOLDER = "__CSP_NONCE__";

// The local stack's TLS files (deploy/local/certs.sh). The dev server answers HTTPS with the
// gateway's certificate, so the app's origin is https there too (auth takes the refresh cookie
// only from an Origin of the scheme the gateway was reached by), and its proxy verifies the
// gateway with the CA. Absent (a build in Docker), they are not needed.
const tls = fileURLToPath(new URL("../.run/tls/", import.meta.url));
const gatewayCa = process.env.GATEWAY_CA ?? `${tls}ca.crt`;
const readable = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : undefined);
const devCertificate = readable(`${tls}server.crt`);
const devKey = readable(`${tls}server.key`);

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  html: { cspNonce: CSP_NONCE_PLACEHOLDER },
  build: { target: "es2022", sourcemap: false },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    https: devCertificate && devKey ? { cert: devCertificate, key: devKey } : undefined,
    proxy: {
      "/api": {
        target: process.env.GATEWAY_URL ?? "https://127.0.0.1:8443",
        changeOrigin: false,
        secure: true,
        ca: readable(gatewayCa),
      },
    },
  },
});

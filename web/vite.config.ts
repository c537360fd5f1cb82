// Vite: the app's build (hashed files under dist/assets, served by the gateway) and the dev
// server, which proxies /api to the gateway so the app talks to the same origin either way.
import { fileURLToPath, URL } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

// The gateway replaces this placeholder in index.html with a fresh nonce per response and
// allows <style> elements carrying it (PrimeVue's theme is injected at run time).
export const CSP_NONCE_PLACEHOLDER = "__CSP_NONCE__";

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  html: { cspNonce: CSP_NONCE_PLACEHOLDER },
  build: { target: "es2022", sourcemap: false },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: { "/api": { target: process.env.GATEWAY_URL ?? "http://127.0.0.1:8080", changeOrigin: false } },
  },
});

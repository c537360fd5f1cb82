// The composition root: PrimeVue (theme styles carry the gateway's per-response CSP nonce),
// vue-query for server state, the router, and the API clients wired to the session.
import { VueQueryPlugin } from "@tanstack/vue-query";
import PrimeVue from "primevue/config";
import ConfirmationService from "primevue/confirmationservice";
import ToastService from "primevue/toastservice";
import { createApp } from "vue";
import App from "./App.vue";
import { configureAuth } from "./api/client";
import { currentAccessToken, useAuth } from "./composables/useAuth";
import { useSessionExpiry } from "./composables/useSessionExpiry";
import { queryClient } from "./queryClient";
import { router } from "./router";
import { theme } from "./theme";
import "./styles/app.css";

function cspNonce(): string | undefined {
  const meta = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]');
  return meta?.nonce || meta?.getAttribute("nonce") || undefined;
}

const auth = useAuth();
const expiry = useSessionExpiry();
configureAuth({ token: currentAccessToken, refresh: auth.refresh, signInAgain: expiry.expire });

createApp(App)
  .use(PrimeVue, {
    theme: { preset: theme, options: { darkModeSelector: false, cssLayer: false } },
    csp: { nonce: cspNonce() },
  })
  .use(ToastService)
  .use(ConfirmationService)
  .use(VueQueryPlugin, { queryClient })
  .use(router)
  .mount("#app");

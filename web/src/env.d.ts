/// <reference types="vite/client" />
import "vue-router";

declare module "vue-router" {
  interface RouteMeta {
    /** Reachable without a session (the sign-in page). */
    public?: boolean;
  }
}

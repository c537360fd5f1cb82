// The app's routes. Every page but sign-in needs a session: on the first navigation the
// session is restored from the refresh cookie; without one the user signs in first.
import { createRouter, createWebHistory, type RouteLocationNormalized } from "vue-router";
import { useAuth } from "./composables/useAuth";

export const routes = [
  { path: "/", redirect: "/waiting-list" },
  { path: "/sign-in", name: "sign-in", component: () => import("./pages/SignInPage.vue"), meta: { public: true } },
  { path: "/waiting-list", name: "waiting-list", component: () => import("./pages/WaitingListPage.vue") },
  { path: "/surgeries/new", name: "surgery-new", component: () => import("./pages/SurgeryFormPage.vue") },
  {
    path: "/surgeries/:id",
    name: "surgery",
    component: () => import("./pages/SurgeryDetailPage.vue"),
    props: true,
  },
  {
    path: "/surgeries/:id/edit",
    name: "surgery-edit",
    component: () => import("./pages/SurgeryFormPage.vue"),
    props: true,
  },
  { path: "/lists", name: "lists", component: () => import("./pages/PersonalListPage.vue") },
  { path: "/board", name: "board", component: () => import("./pages/BoardPage.vue") },
  { path: "/kpis", name: "kpis", component: () => import("./pages/KpiPage.vue") },
  { path: "/optimization", name: "optimization", component: () => import("./pages/OptimizationPage.vue") },
  { path: "/admin", redirect: "/admin/rooms" },
  { path: "/admin/rooms", name: "admin-rooms", component: () => import("./pages/admin/RoomsAdminPage.vue") },
  { path: "/admin/equipment", name: "admin-equipment", component: () => import("./pages/admin/EquipmentAdminPage.vue") },
  { path: "/admin/staff", name: "admin-staff", component: () => import("./pages/admin/StaffAdminPage.vue") },
  { path: "/admin/blocks", name: "admin-blocks", component: () => import("./pages/admin/BlocksAdminPage.vue") },
  { path: "/admin/users", name: "admin-users", component: () => import("./pages/admin/UsersAdminPage.vue") },
  { path: "/admin/signing-keys", name: "admin-signing-keys", component: () => import("./pages/admin/SigningKeysPage.vue") },
  { path: "/admin/audit", name: "admin-audit", component: () => import("./pages/admin/AuditLogPage.vue") },
  { path: "/:pathMatch(.*)*", name: "not-found", component: () => import("./pages/NotFoundPage.vue") },
];

let restored = false;
const RESTORE_TRIES = 4;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The session from the refresh cookie; a service that is restarting is asked again shortly. */
async function restore(): Promise<boolean> {
  const auth = useAuth();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await auth.refresh();
    } catch {
      // Not a refusal: the auth service could not be reached or failed.
      if (attempt >= RESTORE_TRIES) return false;
      await pause(500 * attempt);
    }
  }
}

export async function requireSession(to: RouteLocationNormalized) {
  const auth = useAuth();
  if (to.meta.public || auth.signedIn.value) return true;
  if (!restored) {
    restored = true;
    if (await restore()) return true;
  }
  return { name: "sign-in", query: { next: to.fullPath } };
}

export const router = createRouter({ history: createWebHistory(), routes });
router.beforeEach(requireSession);

// A page's code is loaded when first visited. If the app was rebuilt since this tab opened and
// that file is gone, load the page afresh at the address it was going to (the session comes
// back from the refresh cookie), once: a second failure is a real error.
const RELOADED = "reloaded-for";
router.onError((error, to) => {
  const missingChunk = /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(String(error));
  if (!missingChunk || new URL(window.location.href).searchParams.get(RELOADED) === to.fullPath) throw error;
  const next = new URL(to.fullPath, window.location.origin);
  next.searchParams.set(RELOADED, to.fullPath);
  window.location.assign(next.toString());
});

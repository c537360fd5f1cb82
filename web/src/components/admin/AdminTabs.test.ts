import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory, createRouter } from "vue-router";
import { resetAuthForTests, useAuth } from "@/composables/useAuth";
import AdminTabs from "./AdminTabs.vue";

const PAGES = ["rooms", "staff", "equipment", "blocks", "users", "signing-keys", "audit"];

async function signedInAs(roles: string[]) {
  const answer = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) =>
      url.endsWith("/token")
        ? answer({ access_token: "access", token_type: "bearer", expires_in: 900 })
        : answer({ user_id: "u-1", email: "a@example.org", display_name: "A", roles, active: true }),
    ),
  );
  await useAuth().signIn("a@example.org", "pw");
}

async function tabsAt(path: string) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: PAGES.map((name) => ({ path: `/admin/${name}`, component: { template: "<div />" } })),
  });
  await router.push(path);
  const wrapper = mount(AdminTabs, { global: { plugins: [router] } });
  await flushPromises();
  return wrapper;
}

describe("the administration pages' tabs", () => {
  beforeEach(() => resetAuthForTests());
  afterEach(() => vi.unstubAllGlobals());

  it("offers a coordinator the resources only", async () => {
    await signedInAs(["coordinator"]);
    const wrapper = await tabsAt("/admin/rooms");
    expect(wrapper.findAll("a").map((link) => link.text())).toEqual(["Rooms", "Staff", "Equipment", "Blocks"]);
  });

  it("offers an admin all seven and marks the page shown", async () => {
    await signedInAs(["admin"]);
    const wrapper = await tabsAt("/admin/signing-keys");
    expect(wrapper.findAll("a").map((link) => link.text())).toEqual(["Rooms", "Staff", "Equipment", "Blocks", "Users", "Signing keys", "Audit log"]);
    expect(wrapper.get('[aria-current="page"]').text()).toBe("Signing keys");
    expect(wrapper.get("nav").attributes("aria-label")).toBe("Administration");
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ageWords,
  initialUserFilters,
  keyState,
  keysNewestFirst,
  newUserProblems,
  passwordProblem,
  ROLES,
  rolesWords,
  sameRoles,
  type SigningKey,
  type User,
  userChanges,
  usersQuery,
} from "./users";

const user = (changes: Partial<User> = {}): User => ({
  user_id: "6f1c1e0e-0000-4000-8000-000000000001",
  email: "ann@example.org",
  display_name: "Ann Example",
  roles: ["coordinator"],
  active: true,
  staff_member_id: null,
  created_at: "2026-12-01T08:00:00Z",
  updated_at: "2026-12-01T08:00:00Z",
  version: 1,
  ...changes,
});

describe("users as an administrator reads them", () => {
  it("names roles in words, the most powerful first", () => {
    expect(rolesWords(["viewer", "admin", "surgeon"])).toBe("Administrator, Surgeon, Viewer");
    expect(rolesWords([])).toBe("");
  });

  it("asks for active users by default and leaves out the filters that are not set", () => {
    expect(usersQuery(initialUserFilters())).toEqual({ sort: "email", offset: 0, limit: 25, active: true });
    expect(usersQuery({ ...initialUserFilters(), active: "all", role: "nurse", search: "  ann " })).toEqual({
      sort: "email",
      offset: 0,
      limit: 25,
      role: "nurse",
      q: "ann",
    });
    expect(usersQuery({ ...initialUserFilters(), active: "deactivated" }).active).toBe(false);
  });

  it("takes roles in any order as the same roles", () => {
    const roles = fc.subarray(ROLES.map((role) => role.value));
    fc.assert(
      fc.property(roles, roles, (a, b) => {
        const shuffled = [...a].reverse();
        expect(sameRoles(a, shuffled)).toBe(true);
        expect(sameRoles(a, b)).toBe(a.length === b.length && a.every((role) => b.includes(role)));
      }),
      { numRuns: 100 },
    );
  });

  it("says what changed on the server under a stale edit", () => {
    const before = user();
    expect(userChanges(before, user({ version: 2, roles: ["coordinator", "surgeon"] }))).toEqual(["Role added: Surgeon."]);
    expect(userChanges(before, user({ version: 2, active: false, roles: [] }))).toEqual([
      "The user was deactivated.",
      "Role removed: Coordinator.",
    ]);
    expect(userChanges(before, user({ version: 2 }))).toEqual(["The account was changed (its password or sessions)."]);
    expect(userChanges(before, before)).toEqual([]);
  });

  it("refuses the passwords the auth service refuses, and says why", () => {
    expect(passwordProblem("short", "ann@example.org")).toBe("At least 12 characters.");
    expect(passwordProblem("aaaabbbbcccc", "ann@example.org")).toBe("More than three different characters.");
    expect(passwordProblem("ann@example.org", "ann@example.org")).toBe("Not the email or its part before the @.");
    expect(passwordProblem("annannannann", "annannannann@example.org")).toBe("Not the email or its part before the @.");
    expect(passwordProblem("x".repeat(257), "ann@example.org")).toBe("At most 256 characters.");
    expect(passwordProblem("correct horse battery", "ann@example.org")).toBeNull();
  });
});

describe("a new user's form", () => {
  it("names every field that cannot be sent, and none when all are right", () => {
    expect(newUserProblems({ email: "ann", display_name: " ", roles: [], password: "short" })).toEqual({
      email: "An email address like name@hospital.org.",
      display_name: "The name people see in the app.",
      roles: "At least one role.",
      password: "At least 12 characters.",
    });
    expect(newUserProblems({ email: "ann@example.org", display_name: "Ann", roles: ["viewer"], password: "correct horse battery" })).toEqual({});
  });
});

describe("signing keys", () => {
  const now = Date.parse("2026-12-02T12:00:00Z");
  const key = (changes: Partial<SigningKey>): SigningKey => ({
    kid: "k",
    activates_at: "2026-12-01T00:00:00Z",
    retires_at: null,
    signing: false,
    ...changes,
  });

  it("tells a key published ahead, signing, retiring and retired apart", () => {
    expect(keyState(key({ activates_at: "2026-12-02T12:00:15Z" }), now)).toBe("published");
    expect(keyState(key({ signing: true, retires_at: "2026-12-02T12:00:15Z" }), now)).toBe("signing");
    // Stopped signing ten minutes ago: its tokens (15 minutes) may still be in use.
    expect(keyState(key({ retires_at: "2026-12-02T11:50:00Z" }), now)).toBe("retiring");
    expect(keyState(key({ retires_at: "2026-12-02T11:00:00Z" }), now)).toBe("retired");
  });

  it("lists the newest key first", () => {
    const old = key({ kid: "old", activates_at: "2026-11-01T00:00:00Z" });
    const fresh = key({ kid: "new", activates_at: "2026-12-02T00:00:00Z" });
    expect(keysNewestFirst([old, fresh]).map((item) => item.kid)).toEqual(["new", "old"]);
  });

  it("gives an age in the unit that reads best", () => {
    expect(ageWords(-5)).toBe("0 s");
    expect(ageWords(45_000)).toBe("45 s");
    expect(ageWords(12 * 60_000)).toBe("12 min");
    expect(ageWords((5 * 60 + 3) * 60_000)).toBe("5 h 3 min");
    expect(ageWords(2 * 3_600_000)).toBe("2 h");
    expect(ageWords(3 * 86_400_000 + 5)).toBe("3 days");
  });
});

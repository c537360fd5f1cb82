// Users and signing keys as an administrator reads them: roles in words, the list's filters as
// the API's query, what the server changed under a stale edit, and each key's state and age.
import type { components, paths } from "@/api/generated/auth";

export type User = components["schemas"]["UserPublic"];
export type Role = components["schemas"]["Role"];
export type SigningKey = components["schemas"]["SigningKeyPublic"];
type UsersQuery = NonNullable<paths["/users"]["get"]["parameters"]["query"]>;

export const ROLES: { value: Role; label: string; can: string }[] = [
  { value: "admin", label: "Administrator", can: "everything, plus users, signing keys and the audit log" },
  { value: "coordinator", label: "Coordinator", can: "plan: book, confirm, postpone, cancel, optimize; keep resources" },
  { value: "surgeon", label: "Surgeon", can: "request cases and correct them while they wait" },
  { value: "anaesthetist", label: "Anaesthetist", can: "record wheels-in and wheels-out" },
  { value: "nurse", label: "Nurse", can: "record wheels-in and wheels-out" },
  { value: "viewer", label: "Viewer", can: "read everything; change nothing" },
];

export function roleLabel(role: string): string {
  return ROLES.find((item) => item.value === role)?.label ?? role;
}

/** Roles in the order of ROLES (most powerful first), in words: "Administrator, Surgeon". */
export function rolesWords(roles: readonly string[]): string {
  const order = (role: string) => {
    const index = ROLES.findIndex((item) => item.value === role);
    return index < 0 ? ROLES.length : index;
  };
  return [...roles].sort((a, b) => order(a) - order(b)).map(roleLabel).join(", ");
}

export type ActiveFilter = "active" | "deactivated" | "all";

export interface UserFilters {
  active: ActiveFilter;
  role: Role | null;
  search: string;
  offset: number;
  limit: number;
}

export function initialUserFilters(): UserFilters {
  return { active: "active", role: null, search: "", offset: 0, limit: 25 };
}

/** The API's query for the list's filters; filters that are not set are left out. */
export function usersQuery(filters: UserFilters): UsersQuery {
  const query: UsersQuery = { sort: "email", offset: filters.offset, limit: filters.limit };
  if (filters.active !== "all") query.active = filters.active === "active";
  if (filters.role) query.role = filters.role;
  const search = filters.search.trim();
  if (search) query.q = search.slice(0, 100);
  return query;
}

/** Same roles whatever their order. */
export function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((role) => right.has(role));
}

/**
 * What changed on the server since the user was read, in sentences (for a 412): each role added
 * or removed, a change of name, of active state.
 */
export function userChanges(before: User, now: User): string[] {
  const changes: string[] = [];
  if (before.display_name !== now.display_name) changes.push(`The name is now “${now.display_name}” (was “${before.display_name}”).`);
  if (before.active !== now.active) changes.push(now.active ? "The user was reactivated." : "The user was deactivated.");
  const added = now.roles.filter((role) => !before.roles.includes(role));
  const removed = before.roles.filter((role) => !now.roles.includes(role));
  if (added.length > 0) changes.push(`Role${added.length > 1 ? "s" : ""} added: ${rolesWords(added)}.`);
  if (removed.length > 0) changes.push(`Role${removed.length > 1 ? "s" : ""} removed: ${rolesWords(removed)}.`);
  if (changes.length === 0 && before.version !== now.version) changes.push("The account was changed (its password or sessions).");
  return changes;
}

/**
 * The password rules the auth service applies (docs/services/auth.md), checked before sending so
 * the form can say at once what is wrong; the server checks again and its 422 is shown as well.
 */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < 12) return "At least 12 characters.";
  if (password.length > 256) return "At most 256 characters.";
  const lower = password.toLowerCase();
  const address = email.trim().toLowerCase();
  const local = address.split("@")[0] ?? "";
  if (address && (lower === address || (local && lower === local))) return "Not the email or its part before the @.";
  if (new Set(password).size <= 3) return "More than three different characters.";
  return null;
}

export const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export type KeyState = "published" | "signing" | "retiring" | "retired";

/**
 * How long after it stops signing a key stays published: the access token lifetime (auth's
 * AUTH_ACCESS_TOKEN_MINUTES, 15 by default) plus the verifiers' two minutes of clock leeway.
 */
export const KEY_KEPT_AFTER_SIGNING_MS = (15 + 2) * 60_000;

/**
 * A signing key's state at `now` (docs/services/auth.md): published ahead of signing (every
 * service fetches it before its first token), signing new tokens, retiring (it stopped signing
 * at `retires_at` but stays published so the tokens it signed keep working until they expire),
 * or retired (no token it signed is valid any more; no longer published).
 */
export function keyState(key: SigningKey, now: number, keptAfterSigning: number = KEY_KEPT_AFTER_SIGNING_MS): KeyState {
  if (key.signing) return "signing";
  const retires = key.retires_at ? Date.parse(key.retires_at) : null;
  if (retires === null || retires > now) return "published";
  return retires + keptAfterSigning > now ? "retiring" : "retired";
}

export const KEY_STATE_WORDS: Record<KeyState, string> = {
  published: "Published; signs soon",
  signing: "Signing new tokens",
  retiring: "Retiring: checks the tokens it signed until they expire",
  retired: "Retired",
};

/** A duration as an administrator reads it: "45 s", "12 min", "5 h 3 min", "3 days". */
export function ageWords(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

/** The keys newest first (the one that signs, or will, on top). */
export function keysNewestFirst(keys: readonly SigningKey[]): SigningKey[] {
  return [...keys].sort((a, b) => Date.parse(b.activates_at) - Date.parse(a.activates_at));
}

/** The new-user form (the roles alone when editing: the API changes nothing else). */
export interface UserForm {
  email: string;
  display_name: string;
  roles: Role[];
  password: string;
}

export const USER_FORM_LABELS: { [Field in keyof UserForm]: string } = {
  email: "Email",
  display_name: "Name",
  roles: "Roles",
  password: "Initial password",
};

/**
 * What is wrong with a new user before it is sent, by field, in the words an administrator
 * reads (the API's own 422 says the same in a developer's words).
 */
export function newUserProblems(form: UserForm): Partial<Record<keyof UserForm, string>> {
  const problems: Partial<Record<keyof UserForm, string>> = {};
  if (!EMAIL_PATTERN.test(form.email.trim())) problems.email = "An email address like name@hospital.org.";
  if (!form.display_name.trim()) problems.display_name = "The name people see in the app.";
  if (form.roles.length === 0) problems.roles = "At least one role.";
  const password = passwordProblem(form.password, form.email);
  if (password) problems.password = password;
  return problems;
}

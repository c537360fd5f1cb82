// Straight API calls for the tests' own set-up and clean-up (never the behaviour under test):
// tokens, cases with unique names, a booking in a free slot far ahead, cancelling leftovers.
import { randomUUID } from "node:crypto";
import { expect, type APIRequestContext, type APIResponse } from "@playwright/test";
import { PASSWORD, USERS, type DemoRole } from "./fixtures";

const SCHEDULING = "/api/scheduling";

/**
 * A set-up call, asked again while the gateway answers that the service is restarting (502,
 * 503, 504): a developer may restart one service while the tests run.
 */
async function settled(call: () => Promise<APIResponse>): Promise<APIResponse> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await call();
    if (![502, 503, 504].includes(response.status()) || attempt >= 20) return response;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export type Case = { surgery_id: string; version: number; status: string; procedure: { name: string } };

export async function tokenFor(request: APIRequestContext, role: DemoRole): Promise<string> {
  const response = await settled(() => request.post("/api/auth/token", { form: { username: USERS[role], password: PASSWORD } }));
  expect(response.status()).toBe(200);
  return (await response.json()).access_token as string;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A procedure name no other test or the demo data uses. */
export function uniqueProcedure(what = "Knee arthroscopy"): string {
  return `${what} e2e-${randomUUID().slice(0, 8)}`;
}

export async function firstSurgeon(request: APIRequestContext, token: string): Promise<{ staff_id: string; name: string }> {
  const response = await settled(() => request.get("/api/resources/staff?role=surgeon&status=active&limit=1&sort=name", { headers: bearer(token) }));
  expect(response.ok()).toBeTruthy();
  return (await response.json()).items[0];
}

export async function requestCase(request: APIRequestContext, token: string, changes: Record<string, unknown> = {}): Promise<Case> {
  const surgeon = await firstSurgeon(request, token);
  const body = {
    patient_mrn: `MRN-E2E${randomUUID().slice(0, 6)}`,
    procedure: { code: "W82.1", name: uniqueProcedure(), coding_system: "opcs4" },
    surgeon_id: surgeon.staff_id,
    specialty: "orthopaedics",
    expected_duration_minutes: 45,
    setup_minutes: 10,
    cleanup_minutes: 10,
    priority: "elective",
    anaesthesia_type: "local",
    staff_roles_needed: [],
    ...changes,
  };
  const response = await settled(() => request.post(`${SCHEDULING}/surgeries`, { data: body, headers: bearer(token) }));
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as Case;
}

/** A Wednesday some weeks ahead, as YYYY-MM-DD. */
function wednesdayAhead(weeks: number): string {
  const day = new Date();
  day.setUTCDate(day.getUTCDate() + ((3 - day.getUTCDay() + 7) % 7) + 7 * weeks);
  return day.toISOString().slice(0, 10);
}

/** Books the case where the dry run says it fits: demo rooms, far-ahead Wednesdays, 09:00-14:00. */
export async function bookSomewhere(request: APIRequestContext, token: string, surgery: Case): Promise<Case> {
  const rooms = (await (await settled(() => request.get("/api/resources/operating-rooms?limit=100", { headers: bearer(token) }))).json()).items as {
    room_id: string;
    status: string;
  }[];
  // Only rooms in service can take a booking; other tests retire the rooms they make.
  const open = rooms.filter((room) => room.status === "active");
  const url = `${SCHEDULING}/surgeries/${surgery.surgery_id}/booking`;
  for (let attempt = 0; attempt < 80; attempt += 1) {
    const room = open[Math.floor(Math.random() * open.length)]!;
    const hour = 9 + Math.floor(Math.random() * 5);
    const start = `${wednesdayAhead(10 + Math.floor(Math.random() * 30))}T${String(hour).padStart(2, "0")}:00:00Z`;
    const body = { room_id: room.room_id, start, staff: [], equipment_unit_ids: [] };
    const check = await (await settled(() => request.post(`${url}/check`, { data: body, headers: bearer(token) }))).json();
    if (!check.fits) continue;
    const booked = await settled(() => request.put(url, { data: body, headers: bearer(token) }));
    if (booked.status() === 200) return (await booked.json()) as Case;
  }
  throw new Error("no free slot found for the test case");
}

/** Clean-up: cancels each case that is not final yet (a test's cases never stay on the list). */
export async function cancelLeftovers(request: APIRequestContext, token: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const current = await settled(() => request.get(`${SCHEDULING}/surgeries/${id}`, { headers: bearer(token) }));
    if (!current.ok()) continue;
    const { status } = await current.json();
    if (["cancelled", "completed", "in_room"].includes(status)) continue;
    await settled(() => request.post(`${SCHEDULING}/surgeries/${id}/cancel`, {
      data: { reason_code: "administrative", reason: "end-to-end test clean-up" },
      headers: bearer(token),
    }));
  }
}

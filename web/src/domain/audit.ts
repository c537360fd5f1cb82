// The audit log as an administrator reads it: the filters as the API's query (a local date
// range in the hospital's time zone becomes the instants the API filters by), actions and
// subjects in words, and where a subject can be opened in the app.
import type { components, paths } from "@/api/generated/auth";
import { localToInstant } from "@/components/board/boardTime";
import { addDays } from "./dates";

export type AuditEntry = components["schemas"]["AuditEntryPublic"];
type AuditQuery = NonNullable<paths["/audit-entries"]["get"]["parameters"]["query"]>;

/**
 * Where the entries come from: the auth service's durable store of every service's entries
 * (six years, filled from the audit topic within seconds), or scheduling's own working copy of
 * who read or changed which case (written in the same transaction as the read or change).
 */
export type AuditSource = "store" | "scheduling";

export interface AuditFilters {
  source: AuditSource;
  /** A user id or a service name, as the API filters by it. */
  actorId: string;
  action: string;
  recordType: string;
  recordId: string;
  service: string;
  /** Local dates (YYYY-MM-DD) in the hospital's time zone, both included. */
  from: string | null;
  to: string | null;
  offset: number;
  limit: number;
}

export function initialAuditFilters(): AuditFilters {
  return { source: "store", actorId: "", action: "", recordType: "", recordId: "", service: "", from: null, to: null, offset: 0, limit: 25 };
}

export const ACTION_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
export const SERVICE_PATTERN = /^[a-z][a-z0-9-]{0,49}$/;

/** What is wrong with the filters before asking, by field; empty when they can be sent. */
export function auditFilterProblems(filters: AuditFilters): Record<string, string> {
  const problems: Record<string, string> = {};
  const action = filters.action.trim();
  if (action && !ACTION_PATTERN.test(action)) problems.action = "An action looks like surgery.read: lower-case words joined by dots.";
  const service = filters.service.trim();
  if (filters.source === "store" && service && !SERVICE_PATTERN.test(service)) problems.service = "A service name is lower-case, like scheduling.";
  if (filters.from && filters.to && filters.to < filters.from) problems.to = "The range ends before it starts.";
  return problems;
}

/**
 * The API's query for the filters. The dates are the hospital's days: `from` is the first
 * day's local midnight, `to` (excluded by the API) the local midnight after the last day.
 */
export function auditQuery(filters: AuditFilters, timeZone: string): AuditQuery {
  const query: AuditQuery = { offset: filters.offset, limit: filters.limit };
  const text = (value: string) => value.trim() || undefined;
  const actor = text(filters.actorId);
  if (actor) query.actor_id = actor;
  const action = text(filters.action);
  if (action) query.action = action;
  const recordType = text(filters.recordType);
  if (recordType) query.record_type = recordType;
  const recordId = text(filters.recordId);
  if (recordId) query.record_id = recordId;
  const service = text(filters.service);
  if (service && filters.source === "store") query.service = service;
  if (filters.from) query.from = new Date(localToInstant(filters.from, "00:00", timeZone)).toISOString();
  if (filters.to) query.to = new Date(localToInstant(addDays(filters.to, 1), "00:00", timeZone)).toISOString();
  return query;
}

const ACTIONS: Record<string, string> = {
  "session.login": "Signed in",
  "session.login_failed": "Sign-in refused",
  "session.reuse_detected": "Copied session token used; session ended",
  "user.create": "Created a user",
  "user.roles_change": "Changed a user's roles",
  "user.deactivate": "Deactivated a user",
  "user.reactivate": "Reactivated a user",
  "user.password_change": "Changed their password",
  "user.password_reset": "Reset a user's password",
  "signing_key.rotate": "Rotated the signing key",
  "surgery.create": "Requested a case",
  "surgery.read": "Read a case",
  "surgery.update": "Changed a case",
  "surgery.confirm": "Confirmed a case",
  "surgery.postpone": "Postponed a case",
  "surgery.cancel": "Cancelled a case",
  "surgery.list": "Listed cases",
  "surgery.history.read": "Read a case's history",
  "schedule.read": "Read a schedule",
  "booking.book": "Booked a case",
  "booking.check": "Checked a booking",
  "booking.refused": "Booking refused",
  "optimization.read": "Read an optimization",
  "optimization.list": "Listed optimizations",
  "optimization.apply": "Applied an optimization",
  "block.release": "Released a block",
  "service_request.create": "Placed an order through FHIR",
};

/** An action in words ("surgery.read" -> "Read a case"); an unknown one made readable. */
export function actionWords(action: string): string {
  const known = ACTIONS[action];
  if (known) return known;
  const [subject = "", ...verb] = action.split(".");
  const words = (part: string) => part.replace(/_/g, " ");
  return verb.length > 0 ? `${capitalize(words(verb.join(" ")))} (${words(subject)})` : capitalize(words(action));
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const RECORD_TYPES: Record<string, string> = {
  surgery: "Case",
  surgery_request: "Case",
  booking: "Booking",
  user: "User",
  signing_key: "Signing key",
  operating_room: "Room",
  staff_member: "Staff member",
  equipment: "Equipment",
  block: "Block",
  optimization: "Optimization",
  schedule: "Schedule",
  service_request: "Order",
};

export function recordTypeWords(recordType: string): string {
  return RECORD_TYPES[recordType] ?? capitalize(recordType.replace(/_/g, " "));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the app shows an entry's subject, when it has a page for it. */
export function subjectLink(entry: Pick<AuditEntry, "record_type" | "record_id">): string | null {
  if (!UUID.test(entry.record_id)) return null;
  // A booking, and an order placed through FHIR, are recorded under their case's id.
  if (["surgery", "surgery_request", "booking", "service_request"].includes(entry.record_type)) return `/surgeries/${entry.record_id}`;
  return null;
}

/** How many cases a list or day view showed (its `details.surgery_ids`), or null. */
export function casesShown(entry: Pick<AuditEntry, "details">): number | null {
  const ids = (entry.details as { surgery_ids?: unknown }).surgery_ids;
  return Array.isArray(ids) ? ids.length : null;
}

/** A short id for a table cell: the first eight characters of a UUID, anything else whole. */
export function shortId(id: string): string {
  return UUID.test(id) ? id.slice(0, 8) : id;
}

/** The actions and subject types the services record, for the filters' suggestions. */
export const KNOWN_ACTIONS = Object.keys(ACTIONS).sort();
export const KNOWN_RECORD_TYPES = Object.keys(RECORD_TYPES).sort();
export const SERVICES = ["auth", "interop", "optimizer", "resources", "scheduling"];

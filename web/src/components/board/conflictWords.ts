// A booking conflict in words a coordinator understands: each code the scheduling service
// names (services/scheduling domain: conflicts.py, staff_conflicts.py, unit_conflicts.py) as a
// sentence with the room's, person's, unit's and other case's names instead of their ids.
import type { components } from "@/api/generated/scheduling";
import { formatTime } from "@/domain/dates";

export type Conflict = components["schemas"]["ConflictPublic"];

/** What the board knows to name things by; an unknown id is said as such, never as a uuid. */
export interface ConflictNames {
  timeZone: string;
  room: (id: string) => string | undefined;
  person: (id: string) => string | undefined;
  unit: (id: string) => string | undefined;
  /** The other case as "Hip replacement (MRN-1)". */
  surgery: (id: string) => string | undefined;
}

function during(conflict: Conflict, names: ConflictNames): string {
  const interval = conflict.interval;
  if (!interval) return "";
  return ` from ${formatTime(interval.start, names.timeZone)} to ${formatTime(interval.end, names.timeZone)}`;
}

function subject(conflict: Conflict, names: ConflictNames): string {
  const id = conflict.resource_id;
  if (!id) return "It";
  switch (conflict.resource_type) {
    case "room":
      return names.room(id) ?? "The room";
    case "staff":
      return names.person(id) ?? "A staff member";
    case "unit":
      return names.unit(id) ?? "An equipment unit";
    default:
      return "The case";
  }
}

function otherCase(conflict: Conflict, names: ConflictNames): string {
  const id = conflict.other_surgery_id;
  if (!id) return "another case";
  const known = names.surgery(id);
  return known ? `the case ${known}` : "another case";
}

/** One sentence per conflict; codes this app does not know yet fall back to the server's message. */
export function conflictSentence(conflict: Conflict, names: ConflictNames): string {
  const who = subject(conflict, names);
  const when = during(conflict, names);
  switch (conflict.code) {
    case "room_double_booked":
      return `${who} is already taken${when} by ${otherCase(conflict, names)}.`;
    case "staff_double_booked":
      return `${who} is already working${when} in ${otherCase(conflict, names)}.`;
    case "unit_double_booked":
      return `${who} is already in use${when} by ${otherCase(conflict, names)} (its turnaround included).`;
    case "room_closed":
      return `${who} is not open for all of the time the case holds it (setup to cleanup)${when}.`;
    case "room_lacks_capability":
      return `${who} is not equipped for ${/equipped for (.+), which/.exec(conflict.message)?.[1] ?? "what the case requires"}, which the case requires.`;
    case "room_retired":
      return `${who} is retired and takes no more cases.`;
    case "room_unknown":
      return "The room is not known to the hospital.";
    case "staff_unavailable":
      return `${who} is not working or is absent during the surgery${when}.`;
    case "staff_over_daily_maximum":
      return `${who} would work more than their daily maximum that day.`;
    case "staff_wrong_role":
      return `${who} cannot fill that role in the team.`;
    case "staff_listed_twice":
      return `${who} is listed in more than one place in the team.`;
    case "staff_role_missing":
      return `The team is incomplete: ${conflict.message.replace(/ besides its surgeon/, "")}`;
    case "staff_not_needed":
      return `${who} is not needed: the case needs no more people in that role.`;
    case "not_the_cases_surgeon":
      return `${who} is not the case's surgeon, and the case needs no other surgeon.`;
    case "staff_inactive":
      return `${who} is not active at the moment.`;
    case "staff_retired":
      return `${who} is retired.`;
    case "staff_unknown":
      return "A staff member in the team is not known to the hospital.";
    case "too_many_staff":
      return "The case needs more people than one booking can hold; correct the roles it needs.";
    case "equipment_type_missing":
      return `Equipment is missing: ${conflict.message}`;
    case "unit_not_needed":
      return `${who} is not needed: the case needs no (more) equipment of that type.`;
    case "unit_in_maintenance":
      return `${who} is in maintenance.`;
    case "unit_maintenance_window":
      return `${who} has maintenance planned${when}.`;
    case "unit_fixed_elsewhere":
      return `${who} is fixed in another room.`;
    case "unit_retired":
      return `${who} is retired.`;
    case "unit_unknown":
      return "An equipment unit is not known to the hospital.";
    case "case_not_bookable":
      return "The case cannot be booked in its present state (it is not waiting, or not booked to move).";
    case "starts_in_past":
      return "The start is already in the past.";
    case "before_earliest_date":
      return "The start is before the case's earliest date.";
    default:
      return conflict.message;
  }
}

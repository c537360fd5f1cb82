// What an administration form needs to explain a stale edit: which fields differ between two
// versions of a form, and a three-way merge of the user's edits with someone else's. Plain
// functions over plain form objects (one entry per field), no I/O.

/** A form's field names and their labels, in the order the form shows them. */
export type FieldLabels<Form> = { [Field in keyof Form]: string };

// Compared as JSON: forms hold strings, numbers, booleans, arrays and small objects.
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A deep copy that also takes Vue's reactive proxies (which structuredClone refuses). */
export function plainCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** The fields whose values differ between two versions of a form, in the labels' order. */
export function changedFields<Form extends object>(labels: FieldLabels<Form>, before: Form, after: Form): (keyof Form)[] {
  return (Object.keys(labels) as (keyof Form)[]).filter((field) => !same(before[field], after[field]));
}

export interface MergedForm<Form> {
  form: Form;
  /** Fields someone else changed whose new value is now in the form. */
  theirs: (keyof Form)[];
  /** Fields both changed, differently: the user's value is kept. */
  both: (keyof Form)[];
}

/**
 * A three-way merge of a stale edit: `base` is what the user started from, `mine` the form as
 * edited, `theirs` the record as it is now. Their changes come in where the user left a field
 * alone; where both changed a field to different values, the user's value stays and the field
 * is named. A field both changed to the same value is neither theirs nor both.
 */
export function mergeForms<Form extends object>(labels: FieldLabels<Form>, base: Form, mine: Form, theirs: Form): MergedForm<Form> {
  const form = plainCopy(mine);
  const changedByMe = new Set(changedFields(labels, base, mine));
  const taken: (keyof Form)[] = [];
  const both: (keyof Form)[] = [];
  for (const field of changedFields(labels, base, theirs)) {
    if (!changedByMe.has(field)) {
      form[field] = plainCopy(theirs[field]);
      taken.push(field);
    } else if (!same(mine[field], theirs[field])) {
      both.push(field);
    }
  }
  return { form, theirs: taken, both };
}

/**
 * The form field a 422 error path names: its first segment when that is a field of the form
 * ("weekly_hours.monday.0.end" -> weekly_hours), else "_form" (said at the top of the form).
 */
export function fieldOfPath<Form extends object>(labels: FieldLabels<Form>, path: string): keyof Form | "_form" {
  const head = path.split(".")[0] ?? "";
  return head in labels ? (head as keyof Form) : "_form";
}

/** A list of labels in words: "Name", "Name and Hours", "Name, Code and Hours". */
export function inWords(labels: string[]): string {
  if (labels.length <= 1) return labels[0] ?? "";
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

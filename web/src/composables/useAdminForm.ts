// One administration form over a versioned record (a room, a staff member, equipment, a block,
// a user): the record as last read (its version is the ETag), the user's edits kept in a form,
// saving with If-Match, a 422's messages on the fields it names, and a 412 explained: the record
// is read again, someone else's changes come into the fields this user left alone, the user's
// edits stay (a field both changed keeps the user's value and is named), and saving again goes
// over the new version. Actions on the record's parts (an exception, a unit, an absence) go
// through `act`, with the same ETag and the same 412 handling.
import { computed, ref, type Ref } from "vue";
import { ApiError, fieldErrors } from "@/api/problem";
import { useFailureToast } from "@/composables/useFailureToast";
import { changedFields, fieldOfPath, type FieldLabels, inWords, mergeForms, plainCopy } from "@/domain/adminForm";

export interface AdminFormSpec<Rec, Form extends object> {
  /** Every field of the form with its label, in the form's order: they name what changed. */
  labels: FieldLabels<Form>;
  /** The form for a new record. */
  blank: () => Form;
  fromRecord: (record: Rec) => Form;
  versionOf: (record: Rec) => number;
  /** Reads the record again (after a 412). */
  reread: (record: Rec) => Promise<Rec>;
  /** Creates a record from the form; absent when the page never creates. */
  create?: (form: Form) => Promise<Rec>;
  /** Replaces the record with the form, `ifMatch` being the ETag of the version read. */
  update: (record: Rec, form: Form, ifMatch: string) => Promise<Rec>;
  /** The form field a 422 error path names; by default the path's first segment. */
  fieldOf?: (path: string) => keyof Form | "_form";
  /** Changes outside the form to name after a 412 ("Exceptions"); none by default. */
  otherChanges?: (before: Rec, after: Rec) => string[];
  /** What the record is called in sentences: "room", "staff member". */
  what: string;
  /** Tells a network failure or a server error (a toast by default); true when it did. */
  report?: (error: unknown) => boolean;
}

/** A stale edit explained: what someone else changed, what both changed, the version now. */
export interface StaleEdit {
  theirs: string[];
  both: string[];
  others: string[];
  version: number;
  /** The explanation in words. */
  text: string;
}

export type FieldMessages<Form> = Partial<Record<keyof Form, string>>;

export const etagOf = (version: number) => `"${version}"`;

/** The words for a stale edit (exported for its test). */
export function staleText(what: string, stale: Omit<StaleEdit, "text">): string {
  const parts = [`Someone else changed this ${what} while you were editing it (it is now at version ${stale.version}); nothing was saved.`];
  if (stale.theirs.length > 0) parts.push(`Their changes are now in the form: ${inWords(stale.theirs)}.`);
  if (stale.others.length > 0) parts.push(`They also changed: ${inWords(stale.others)}.`);
  if (stale.both.length > 0) parts.push(`You both changed ${inWords(stale.both)}: your value is kept.`);
  parts.push("Your own edits are still there: check them and try again.");
  return parts.join(" ");
}

export function useAdminForm<Rec, Form extends object>(spec: AdminFormSpec<Rec, Form>) {
  const report = spec.report ?? useFailureToast().report;
  const fieldOf = spec.fieldOf ?? ((path: string) => fieldOfPath(spec.labels, path));

  const form = ref(spec.blank()) as Ref<Form>;
  /** The record as last read or saved; null while creating a new one. */
  const record = ref(null) as Ref<Rec | null>;
  /** 422 messages by form field. */
  const errors = ref({}) as Ref<FieldMessages<Form>>;
  /** 422 messages by the API's own path ("weekly_hours.monday"), for editors that go deeper. */
  const pathErrors = ref<Record<string, string>>({});
  /** A refusal said at the top of the form. */
  const message = ref<string | null>(null);
  const stale = ref<StaleEdit | null>(null);
  const saving = ref(false);

  const isNew = computed(() => record.value === null);
  const dirty = computed(() => {
    const start = record.value === null ? spec.blank() : spec.fromRecord(record.value);
    return changedFields(spec.labels, start, form.value).length > 0;
  });

  function clearMessages() {
    errors.value = {};
    pathErrors.value = {};
    message.value = null;
  }

  /** Starts a new record from the blank form. */
  function startNew() {
    record.value = null;
    form.value = spec.blank();
    stale.value = null;
    clearMessages();
  }

  /** Starts editing `next` as read, dropping any edit in progress. */
  function edit(next: Rec) {
    record.value = next;
    form.value = spec.fromRecord(next);
    stale.value = null;
    clearMessages();
  }

  /**
   * Takes a newer version of the record (the answer to an action on one of its parts) while
   * keeping the form's edits: fields the user left alone follow the new version.
   */
  function adopt(next: Rec): ReturnType<typeof mergeForms<Form>> {
    const before = record.value === null ? form.value : spec.fromRecord(record.value);
    const merged = mergeForms(spec.labels, before, form.value, spec.fromRecord(next));
    form.value = merged.form;
    record.value = next;
    return merged;
  }

  function showRefusal(error: ApiError) {
    const byPath = fieldErrors(error.problem);
    const byField: FieldMessages<Form> = {};
    const general: string[] = [];
    for (const [path, text] of Object.entries(byPath)) {
      const field = fieldOf(path);
      if (field === "_form") general.push(text);
      else byField[field] = byField[field] ? `${byField[field]} ${text}` : text;
    }
    errors.value = byField;
    pathErrors.value = byPath;
    message.value =
      general.length > 0 ? general.join(" ") : Object.keys(byField).length > 0 ? "Some fields need a correction." : error.message;
  }

  // Someone else saved the record since it was read: read it again, merge, and say what changed.
  async function explainStale() {
    const before = record.value!;
    const now = await spec.reread(before);
    const merged = adopt(now);
    const fields = {
      theirs: merged.theirs.map((field) => spec.labels[field]),
      both: merged.both.map((field) => spec.labels[field]),
      others: spec.otherChanges?.(before, now) ?? [],
      version: spec.versionOf(now),
    };
    stale.value = { ...fields, text: staleText(spec.what, fields) };
  }

  /** Sorts out a failed call: a toast, a stale edit explained, or the refusal on the fields. */
  async function refused(error: unknown) {
    if (report(error)) return;
    if (!(error instanceof ApiError)) return;
    if (error.status === 412 && record.value !== null) {
      await explainStale().catch(report);
    } else if (error.status === 401) {
      message.value = "Your session ended. Sign in again, then try again: your entries are kept.";
    } else {
      showRefusal(error);
    }
  }

  /** Saves the form (creates or replaces); the saved record, or null when refused. */
  async function save(): Promise<Rec | null> {
    clearMessages();
    saving.value = true;
    try {
      const current = record.value;
      if (current === null && !spec.create) throw new Error(`This page cannot create a ${spec.what}.`);
      const saved =
        current === null ? await spec.create!(form.value) : await spec.update(current, form.value, etagOf(spec.versionOf(current)));
      edit(saved);
      return saved;
    } catch (error) {
      await refused(error);
      return null;
    } finally {
      saving.value = false;
    }
  }

  /**
   * Changes a part of the record (adds an exception, retires it...) with the record's ETag.
   * The record it answers is adopted, the form's edits kept; a 412 is explained like a save's.
   * The new record, or null when refused (the refusal is in `errors`/`pathErrors`/`message`).
   */
  async function act(change: (current: Rec, ifMatch: string) => Promise<Rec>): Promise<Rec | null> {
    const current = record.value;
    if (current === null) return null;
    clearMessages();
    saving.value = true;
    try {
      const next = await change(current, etagOf(spec.versionOf(current)));
      adopt(next);
      stale.value = null;
      return next;
    } catch (error) {
      await refused(error);
      return null;
    } finally {
      saving.value = false;
    }
  }

  /** Drops this user's edits for the record as it is now. */
  function takeTheirs() {
    if (record.value !== null) edit(record.value);
  }

  return {
    form,
    record,
    errors,
    pathErrors,
    message,
    stale,
    saving,
    isNew,
    dirty,
    startNew,
    edit,
    adopt,
    save,
    act,
    takeTheirs,
  };
}

export type AdminForm<Rec, Form extends object> = ReturnType<typeof useAdminForm<Rec, Form>>;

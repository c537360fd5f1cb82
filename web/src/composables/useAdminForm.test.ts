import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@/api/problem";
import { staleText, useAdminForm } from "./useAdminForm";

interface Room {
  id: string;
  version: number;
  name: string;
  minutes: number;
  exceptions: string[];
}
interface Form {
  name: string;
  minutes: number;
}

const refused = (status: number, extra: Record<string, unknown> = {}) =>
  new ApiError({ status, title: "Refused", detail: `refused with ${status}`, ...extra });

/** A form over one room held by a fake server: `server` is the room as stored now. */
function setup(initial: Room) {
  let server = { ...initial };
  const calls: { ifMatch: string; form: Form }[] = [];
  const reported: unknown[] = [];
  const update = vi.fn(async (_room: Room, form: Form, ifMatch: string) => {
    calls.push({ ifMatch, form: { ...form } });
    if (ifMatch !== `"${server.version}"`) throw refused(412);
    server = { ...server, ...form, version: server.version + 1 };
    return { ...server };
  });
  const admin = useAdminForm<Room, Form>({
    what: "room",
    labels: { name: "Name", minutes: "Turnaround" },
    blank: () => ({ name: "", minutes: 0 }),
    fromRecord: (room) => ({ name: room.name, minutes: room.minutes }),
    versionOf: (room) => room.version,
    reread: async () => ({ ...server }),
    create: async (form) => ({ id: "new", version: 1, exceptions: [], ...form }),
    update,
    otherChanges: (before, after) => (before.exceptions.join() === after.exceptions.join() ? [] : ["Exceptions"]),
    report: (error) => {
      const serverSide = !(error instanceof ApiError) || error.isServerOrNetwork;
      if (serverSide) reported.push(error);
      return serverSide;
    },
  });
  admin.edit({ ...server });
  return {
    admin,
    calls,
    reported,
    update,
    changeOnServer: (change: Partial<Room>) => {
      server = { ...server, ...change, version: server.version + 1 };
    },
  };
}

const ROOM: Room = { id: "r1", version: 3, name: "OR 1", minutes: 15, exceptions: [] };

describe("an administration form", () => {
  it("saves the edit with the ETag of the version read and then edits the saved version", async () => {
    const { admin, calls } = setup(ROOM);
    admin.form.value.minutes = 30;
    expect(admin.dirty.value).toBe(true);
    const saved = await admin.save();
    expect(calls).toEqual([{ ifMatch: '"3"', form: { name: "OR 1", minutes: 30 } }]);
    expect(saved?.version).toBe(4);
    expect(admin.record.value?.version).toBe(4);
    expect(admin.dirty.value).toBe(false);
  });

  it("on a 412 reads the record again, keeps the edit, takes their other changes and says which", async () => {
    const { admin, calls, changeOnServer } = setup(ROOM);
    admin.form.value.minutes = 30;
    changeOnServer({ name: "OR 1 east", exceptions: ["closure"] });
    expect(await admin.save()).toBeNull();
    expect(admin.form.value).toEqual({ name: "OR 1 east", minutes: 30 });
    expect(admin.stale.value).toMatchObject({ theirs: ["Name"], both: [], others: ["Exceptions"], version: 4 });
    expect(admin.stale.value?.text).toContain("Their changes are now in the form: Name.");
    // Saving again goes over their version, with the user's edit.
    expect((await admin.save())?.minutes).toBe(30);
    expect(calls.map((call) => call.ifMatch)).toEqual(['"3"', '"4"']);
    expect(admin.stale.value).toBeNull();
  });

  it("keeps the user's value where both changed a field, and can drop the edits for theirs", async () => {
    const { admin, changeOnServer } = setup(ROOM);
    admin.form.value.minutes = 30;
    changeOnServer({ minutes: 45 });
    await admin.save();
    expect(admin.form.value.minutes).toBe(30);
    expect(admin.stale.value?.both).toEqual(["Turnaround"]);
    expect(admin.stale.value?.text).toContain("You both changed Turnaround: your value is kept.");
    admin.takeTheirs();
    expect(admin.form.value.minutes).toBe(45);
    expect(admin.stale.value).toBeNull();
  });

  it("shows a 422's messages on the fields its errors name and the others at the top", async () => {
    const { admin, update } = setup(ROOM);
    update.mockRejectedValueOnce(
      refused(422, {
        errors: [
          { loc: ["body", "minutes"], msg: "Must be at most 1440." },
          { loc: ["body", "name"], msg: "Too long." },
          { loc: ["body", "status"], msg: "Unknown status." },
        ],
      }),
    );
    admin.form.value.minutes = 5000;
    expect(await admin.save()).toBeNull();
    expect(admin.errors.value).toEqual({ minutes: "Must be at most 1440.", name: "Too long." });
    expect(admin.pathErrors.value).toMatchObject({ minutes: "Must be at most 1440.", status: "Unknown status." });
    expect(admin.message.value).toBe("Unknown status.");
    expect(admin.form.value.minutes).toBe(5000);
  });

  it("says a refusal naming no field at the top, and reports a server failure without clearing anything", async () => {
    const { admin, update, reported } = setup(ROOM);
    update.mockRejectedValueOnce(refused(409));
    admin.form.value.name = "OR 9";
    await admin.save();
    expect(admin.message.value).toBe("refused with 409");
    update.mockRejectedValueOnce(refused(503));
    await admin.save();
    expect(reported).toHaveLength(1);
    expect(admin.form.value.name).toBe("OR 9");
  });

  it("creates a new record from the blank form", async () => {
    const { admin } = setup(ROOM);
    admin.startNew();
    expect(admin.isNew.value).toBe(true);
    admin.form.value.name = "OR 7";
    const created = await admin.save();
    expect(created).toMatchObject({ id: "new", name: "OR 7" });
    expect(admin.isNew.value).toBe(false);
  });

  it("acts on a part of the record with its ETag and keeps the form's edits over the new version", async () => {
    const { admin } = setup(ROOM);
    admin.form.value.minutes = 30;
    const seen: string[] = [];
    const next = await admin.act(async (room, ifMatch) => {
      seen.push(ifMatch);
      return { ...room, version: room.version + 1, name: "OR 1 renamed", exceptions: ["closure"] };
    });
    expect(seen).toEqual(['"3"']);
    expect(next?.version).toBe(4);
    expect(admin.form.value).toEqual({ name: "OR 1 renamed", minutes: 30 });
  });

  it("explains a stale action like a stale save", async () => {
    const { admin, changeOnServer } = setup(ROOM);
    changeOnServer({ exceptions: ["maintenance"] });
    expect(await admin.act(async () => Promise.reject(refused(412)))).toBeNull();
    expect(admin.record.value?.version).toBe(4);
    expect(admin.stale.value?.others).toEqual(["Exceptions"]);
  });
});

describe("the words for a stale edit", () => {
  it("say what changed, that nothing was saved, and that the edits are kept", () => {
    const text = staleText("room", { theirs: ["Name"], both: ["Hours"], others: ["Exceptions"], version: 7 });
    expect(text).toBe(
      "Someone else changed this room while you were editing it (it is now at version 7); nothing was saved. " +
        "Their changes are now in the form: Name. They also changed: Exceptions. " +
        "You both changed Hours: your value is kept. Your own edits are still there: check them and try again.",
    );
  });
});

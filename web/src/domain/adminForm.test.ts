import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changedFields, fieldOfPath, inWords, mergeForms } from "./adminForm";

interface Form {
  name: string;
  capabilities: string[];
  minutes: number;
}
const LABELS = { name: "Name", capabilities: "Capabilities", minutes: "Minutes" };
const base: Form = { name: "OR 1", capabilities: ["general"], minutes: 15 };

const anyForm = fc.record({
  name: fc.constantFrom("OR 1", "OR 2", "Hybrid"),
  capabilities: fc.subarray(["general", "cardiac", "robotic"]),
  minutes: fc.constantFrom(0, 15, 30),
});

describe("the stale edit merge", () => {
  it("brings their change into a field the user left alone and names it", () => {
    const merged = mergeForms(LABELS, base, { ...base, minutes: 30 }, { ...base, name: "OR 1 east" });
    expect(merged.form).toEqual({ name: "OR 1 east", capabilities: ["general"], minutes: 30 });
    expect(merged.theirs).toEqual(["name"]);
    expect(merged.both).toEqual([]);
  });

  it("keeps the user's value where both changed a field differently, and names it", () => {
    const merged = mergeForms(LABELS, base, { ...base, capabilities: ["cardiac"] }, { ...base, capabilities: ["robotic"] });
    expect(merged.form.capabilities).toEqual(["cardiac"]);
    expect(merged.both).toEqual(["capabilities"]);
    expect(merged.theirs).toEqual([]);
  });

  it("names nothing where both made the same change", () => {
    const same = { ...base, minutes: 0 };
    expect(mergeForms(LABELS, base, same, same)).toEqual({ form: same, theirs: [], both: [] });
  });

  it("never loses an edit and takes every change of theirs the user did not make (any three forms)", () => {
    fc.assert(
      fc.property(anyForm, anyForm, anyForm, (start, mine, theirs) => {
        const merged = mergeForms(LABELS, start, mine, theirs);
        for (const field of changedFields(LABELS, start, mine)) expect(merged.form[field]).toEqual(mine[field]);
        for (const field of changedFields(LABELS, start, theirs)) {
          if (!changedFields(LABELS, start, mine).includes(field)) expect(merged.form[field]).toEqual(theirs[field]);
        }
        // A field is named at most once, and only when someone else changed it.
        expect(new Set([...merged.theirs, ...merged.both]).size).toBe(merged.theirs.length + merged.both.length);
        for (const field of [...merged.theirs, ...merged.both]) expect(changedFields(LABELS, start, theirs)).toContain(field);
      }),
      { numRuns: 200 },
    );
  });

  it("does not change the forms it merges", () => {
    const mine = { ...base, capabilities: ["cardiac"] };
    const merged = mergeForms(LABELS, base, mine, base);
    merged.form.capabilities.push("robotic");
    expect(mine.capabilities).toEqual(["cardiac"]);
  });
});

describe("a 422's field", () => {
  it("is the first segment of the path when the form has it, else the form as a whole", () => {
    expect(fieldOfPath(LABELS, "capabilities.0")).toBe("capabilities");
    expect(fieldOfPath(LABELS, "name")).toBe("name");
    expect(fieldOfPath(LABELS, "status")).toBe("_form");
    expect(fieldOfPath(LABELS, "")).toBe("_form");
  });
});

describe("labels in words", () => {
  it("joins the last with 'and'", () => {
    expect(inWords([])).toBe("");
    expect(inWords(["Name"])).toBe("Name");
    expect(inWords(["Name", "Code"])).toBe("Name and Code");
    expect(inWords(["Name", "Code", "Hours"])).toBe("Name, Code and Hours");
  });
});

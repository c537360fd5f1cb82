import { describe, expect, it } from "vitest";
import { REVISION_URL, revisionPoller } from "./useLiveRevision";

function server() {
  let revision = "r1";
  const seen: (string | null)[] = [];
  const fetchRevision = async (request: Request) => {
    expect(new URL(request.url, "http://x").pathname).toBe(REVISION_URL);
    const asked = request.headers.get("If-None-Match");
    seen.push(asked);
    if (asked === `"${revision}"`) return new Response(null, { status: 304 });
    return new Response(JSON.stringify({ revision }), { status: 200, headers: { ETag: `"${revision}"` } });
  };
  return { seen, fetchRevision, move: (next: string) => (revision = next) };
}

describe("the live board's revision poll", () => {
  it("does not count the first read as a change, and asks with the ETag it read", async () => {
    const fake = server();
    const poller = revisionPoller(fake.fetchRevision);
    expect(await poller.poll()).toBe(false);
    expect(await poller.poll()).toBe(false);
    expect(fake.seen).toEqual([null, '"r1"']);
  });

  it("says the board changed once when the revision moves, then is quiet again", async () => {
    const fake = server();
    const poller = revisionPoller(fake.fetchRevision);
    await poller.poll();
    fake.move("r2");
    expect(await poller.poll()).toBe(true);
    expect(await poller.poll()).toBe(false);
    expect(fake.seen.at(-1)).toBe('"r2"');
  });
});

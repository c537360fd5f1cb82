// Live board: polls the schedule's revision (ETag, 304 while nothing changed) once a second and,
// when it moves, refreshes every query the board shows. Another coordinator's change therefore
// appears within about a second and a half: the poll interval plus one read of the board.
import { useQueryClient } from "@tanstack/vue-query";
import { onBeforeUnmount, onMounted, readonly, ref } from "vue";
import { authorizedFetch } from "@/api/client";
import { BOARD_KEYS } from "./useBoard";

export const REVISION_URL = "/api/scheduling/schedule/revision";
export const POLL_MS = 1_000;

export interface RevisionPoller {
  /** One poll: true when the revision moved since the last one (the first read never counts). */
  poll: () => Promise<boolean>;
}

/** The polling itself, apart from Vue: the last ETag and revision, and a fetch with If-None-Match. */
export function revisionPoller(fetchRevision: (request: Request) => Promise<Response> = authorizedFetch): RevisionPoller {
  let etag: string | null = null;
  let revision: string | null = null;
  return {
    async poll() {
      const headers: Record<string, string> = etag ? { "If-None-Match": etag } : {};
      const response = await fetchRevision(new Request(REVISION_URL, { headers, cache: "no-store" }));
      if (response.status === 304) return false;
      const body = (await response.json()) as { revision: string };
      etag = response.headers.get("ETag");
      const moved = revision !== null && body.revision !== revision;
      revision = body.revision;
      return moved;
    },
  };
}

export function useLiveRevision(interval: number = POLL_MS) {
  const client = useQueryClient();
  const poller = revisionPoller();
  const lastChange = ref<Date | null>(null);
  const connected = ref(true);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  async function tick() {
    const started = Date.now();
    try {
      if (await poller.poll()) {
        lastChange.value = new Date();
        // The schedule first, alone: it is what the other coordinator changed, and on a busy
        // server it comes back sooner without the side lists competing with it.
        await client.invalidateQueries({ queryKey: ["schedule"] });
        for (const queryKey of BOARD_KEYS.filter(([key]) => key !== "schedule")) void client.invalidateQueries({ queryKey: [...queryKey] });
      }
      connected.value = true;
    } catch {
      connected.value = false;
    }
    // A steady cadence: the next poll is due `interval` after this one started, not after it ended.
    if (!stopped) timer = setTimeout(tick, Math.max(0, interval - (Date.now() - started)));
  }

  // A hidden tab's timers are slowed by the browser: coming back into view polls at once.
  function onVisible() {
    if (document.visibilityState !== "visible" || stopped) return;
    if (timer) clearTimeout(timer);
    timer = null;
    void tick();
  }

  onMounted(() => {
    stopped = false;
    document.addEventListener("visibilitychange", onVisible);
    void tick();
  });
  onBeforeUnmount(() => {
    stopped = true;
    document.removeEventListener("visibilitychange", onVisible);
    if (timer) clearTimeout(timer);
  });
  return { lastChange: readonly(lastChange), connected: readonly(connected) };
}

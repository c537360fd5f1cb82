// Dragging on the board: what is being dragged (a waiting case or a booked one), where it would
// land, and the dry run's verdict for that place, asked at most one at a time while the pointer
// moves (throttled), so the coordinator sees whether it fits before letting go.
import { ref, shallowRef } from "vue";
import type { Surgery, ListedCase } from "@/components/board/boardModel";
import { type BookingCheck, type BookingRequest, checkBooking } from "./useBoard";

export type Dragged =
  | { kind: "waiting"; surgery: Surgery }
  | { kind: "booked"; item: ListedCase; grabOffsetMs: number };

export interface Slot {
  roomId: string;
  start: number;
}

export const CHECK_SPACING_MS = 150;

export function draggedId(dragged: Dragged): string {
  return dragged.kind === "waiting" ? dragged.surgery.surgery_id : dragged.item.surgery_id;
}

export function useBoardDrag(bodyFor: (dragged: Dragged, slot: Slot) => BookingRequest) {
  const dragged = shallowRef<Dragged | null>(null);
  const slot = ref<Slot | null>(null);
  /** The verdict for `slot`; null while it is being asked. */
  const verdict = shallowRef<BookingCheck | null>(null);
  let inFlight = false;
  let pending: Slot | null = null;
  let spacing: ReturnType<typeof setTimeout> | null = null;
  // The dry runs asked during this drag, by place: a drop on a place already asked reuses its
  // answer (or waits for it while it is on the way) instead of asking again.
  let asked = new Map<string, Promise<BookingCheck>>();

  const same = (a: Slot | null, b: Slot | null) => a !== null && b !== null && a.roomId === b.roomId && a.start === b.start;
  const keyOf = (place: Slot) => `${place.roomId}@${place.start}`;

  function ask(what: Dragged, place: Slot): Promise<BookingCheck> {
    let answer = asked.get(keyOf(place));
    if (!answer) {
      answer = checkBooking(draggedId(what), bodyFor(what, place));
      asked.set(keyOf(place), answer);
      answer.catch(() => asked.delete(keyOf(place)));
    }
    return answer;
  }

  async function pump() {
    if (inFlight || spacing || !pending || !dragged.value) return;
    const place = pending;
    const what = dragged.value;
    pending = null;
    inFlight = true;
    try {
      const answer = await ask(what, place);
      if (same(place, slot.value) && dragged.value === what) verdict.value = answer;
    } catch {
      // The drop asks again and says what went wrong; a failed preview is not worth a message.
    } finally {
      inFlight = false;
      spacing = setTimeout(() => {
        spacing = null;
        void pump();
      }, CHECK_SPACING_MS);
    }
  }

  return {
    dragged,
    slot,
    verdict,
    /** The dry run's answer for `place`: the one asked while dragging, or a new one. */
    answerFor(what: Dragged, place: Slot): Promise<BookingCheck> {
      return ask(what, place);
    },
    start(what: Dragged) {
      asked = new Map();
      dragged.value = what;
      slot.value = null;
      verdict.value = null;
    },
    hover(next: Slot) {
      if (same(next, slot.value)) return;
      slot.value = next;
      verdict.value = null;
      pending = next;
      void pump();
    },
    end() {
      dragged.value = null;
      slot.value = null;
      verdict.value = null;
      pending = null;
    },
  };
}

// An optimization's server state through vue-query: ask for one, follow it while the optimizer
// works (polled, so the rest of the app stays usable), read the proposal's cases and the rooms'
// open time, apply or reject it, and a what-if run on the optimizer that proposes nothing.
import { useQuery, useQueryClient } from "@tanstack/vue-query";
import { computed, type Ref } from "vue";
import { optimizerApi, resourcesApi, schedulingApi } from "@/api/client";
import type { components as optimizer } from "@/api/generated/optimizer";
import type { components } from "@/api/generated/scheduling";
import { ApiError } from "@/api/problem";
import { BOARD_KEYS } from "@/composables/useBoard";
import type { CaseInfo, Optimization, OpenWindow, Weights } from "@/domain/optimization";

export type OptimizationCreate = components["schemas"]["OptimizationCreate"];
export type WhatIfRun = optimizer["schemas"]["RunPublic"];

const POLL_MS = 1_000;
const answered = (status: string | undefined) => status !== undefined && status !== "requested";

/** The latest optimizations, newest first; polled while one is still unanswered. */
export function useOptimizationList() {
  return useQuery({
    queryKey: ["optimizations", "list"],
    staleTime: 0,
    queryFn: async () => (await schedulingApi.GET("/optimizations", { params: { query: { limit: 10 } } })).data!,
    refetchInterval: (query) => (query.state.data?.items.some((item) => item.status === "requested") ? POLL_MS : false),
  });
}

export async function fetchOptimization(requestId: string): Promise<Optimization> {
  const answer = await schedulingApi.GET("/optimizations/{request_id}", { params: { path: { request_id: requestId } } });
  performance.mark("optimization-data");
  return answer.data!;
}

/** One optimization, polled every second until the optimizer has answered. */
export function useOptimization(requestId: Ref<string | null>) {
  return useQuery({
    queryKey: ["optimizations", requestId],
    enabled: computed(() => Boolean(requestId.value)),
    staleTime: 0,
    queryFn: () => fetchOptimization(requestId.value!),
    refetchInterval: (query) => (answered(query.state.data?.status) ? false : POLL_MS),
  });
}

export async function requestOptimization(body: OptimizationCreate): Promise<Optimization> {
  return (await schedulingApi.POST("/optimizations", { body })).data!;
}

/** How applying or rejecting ended: one result, never a plan half applied. */
export type Decision =
  | { kind: "done"; optimization: Optimization }
  | { kind: "refused"; problem: ApiError["problem"] }
  | { kind: "failed"; error: unknown };

export async function decide(requestId: string, version: number, how: "apply" | "reject"): Promise<Decision> {
  const options = { params: { path: { request_id: requestId }, header: { "if-match": `"${version}"` } } };
  try {
    const answer =
      how === "apply"
        ? await schedulingApi.POST("/optimizations/{request_id}/apply", options)
        : await schedulingApi.POST("/optimizations/{request_id}/reject", options);
    return { kind: "done", optimization: answer.data! };
  } catch (error) {
    if (error instanceof ApiError && !error.isServerOrNetwork) return { kind: "refused", problem: error.problem };
    return { kind: "failed", error };
  }
}

export function useOptimizationRefresh() {
  const client = useQueryClient();
  return () =>
    Promise.all([["optimizations"], ...BOARD_KEYS].map((queryKey) => client.invalidateQueries({ queryKey: [...queryKey] })));
}

type Surgery = components["schemas"]["SurgeryPublic"];
type ListedCase = components["schemas"]["ListedCasePublic"];

function infoOfSurgery(surgery: Surgery): CaseInfo {
  return {
    name: surgery.procedure.name,
    mrn: surgery.patient_mrn ?? "",
    priority: surgery.priority,
    dueDate: surgery.due_date ?? null,
    waitingSince: surgery.earliest_date ?? surgery.created_at.slice(0, 10),
    setupMinutes: surgery.setup_minutes,
    cleanupMinutes: surgery.cleanup_minutes,
  };
}

const FETCH_AT_ONCE = 8;

/**
 * What the review shows of each case of the proposal: the waiting list and the horizon's
 * schedule name most of them at once; the rest are read one by one, a few at a time.
 */
export function useCaseInfo(optimization: Ref<Optimization | undefined>) {
  const ids = computed(() => (optimization.value?.proposal?.cases ?? []).map((entry) => entry.surgery_id));
  const query = useQuery({
    queryKey: ["surgeries", "optimization-cases", computed(() => optimization.value?.request_id), ids],
    enabled: computed(() => ids.value.length > 0),
    staleTime: 30_000,
    queryFn: async () => {
      const found = new Map<string, CaseInfo>();
      const waiting = await schedulingApi.GET("/surgeries", { params: { query: { waiting: true, limit: 500 } } });
      for (const surgery of waiting.data!.items) found.set(surgery.surgery_id, infoOfSurgery(surgery));
      const missing = ids.value.filter((id) => !found.has(id));
      for (let i = 0; i < missing.length; i += FETCH_AT_ONCE) {
        const answers = await Promise.all(
          missing.slice(i, i + FETCH_AT_ONCE).map((id) =>
            schedulingApi.GET("/surgeries/{surgery_id}", { params: { path: { surgery_id: id } } }).catch(() => null),
          ),
        );
        for (const answer of answers) if (answer?.data) found.set(answer.data.surgery_id, infoOfSurgery(answer.data));
      }
      performance.mark("optimization-data-cases");
      return found;
    },
  });
  return {
    query,
    infoOf: (id: string): CaseInfo | undefined => query.data.value?.get(id),
  };
}

/** Where the schedule already names a case (the board's data), it names it in the review too. */
export function infoOfListed(item: ListedCase): CaseInfo {
  return {
    name: item.procedure.name,
    mrn: item.patient_mrn ?? "",
    priority: item.priority,
    dueDate: null,
    waitingSince: null,
    setupMinutes: item.setup_minutes,
    cleanupMinutes: item.cleanup_minutes,
  };
}

/** The chosen rooms' open windows over the horizon, from resources' availability. */
export function useOpenWindows(optimization: Ref<Optimization | undefined>) {
  const horizon = computed(() => optimization.value?.horizon);
  const query = useQuery({
    queryKey: ["availability", "optimization", computed(() => horizon.value?.start_date), computed(() => horizon.value?.end_date)],
    enabled: computed(() => Boolean(horizon.value)),
    staleTime: 60_000,
    queryFn: async () => {
      const answer = await resourcesApi.GET("/availability", {
        params: { query: { from: horizon.value!.start_date, to: horizon.value!.end_date, kind: ["rooms"] } },
      });
      performance.mark("optimization-data-open");
      return answer.data!;
    },
  });
  return computed<OpenWindow[] | null>(() => {
    // Rooms left out of the request mean every room in service.
    const asked = optimization.value?.options.room_ids as string[] | null | undefined;
    const rooms = asked ? new Set(asked) : null;
    const data = query.data.value;
    if (!data) return null;
    return data.rooms
      .filter((room) => (rooms ? rooms.has(room.room_id) : room.status === "active"))
      .flatMap((room) => room.open_intervals.map((w) => ({ roomId: room.room_id, start: Date.parse(w.start), end: Date.parse(w.end) })));
  });
}

/**
 * What-if: the same problem the optimization sent, with other weights or time limit, solved by
 * the optimizer on its own (`POST /runs`): nothing is proposed and the board does not change.
 */
export async function startWhatIf(runId: string, weights: Weights, timeLimitSeconds: number): Promise<WhatIfRun> {
  const run = (await optimizerApi.GET("/runs/{run_id}", { params: { path: { run_id: runId } } })).data!;
  const problem = { ...run.problem, objective_weights: weights, time_limit_seconds: timeLimitSeconds };
  return (await optimizerApi.POST("/runs", { body: { problem, mode: "async", planner: "cp_sat", seed: 0 } })).data!;
}

export function useWhatIfRun(runId: Ref<string | null>) {
  return useQuery({
    queryKey: ["optimizer", "runs", runId],
    enabled: computed(() => Boolean(runId.value)),
    staleTime: Infinity,
    queryFn: async () => (await optimizerApi.GET("/runs/{run_id}", { params: { path: { run_id: runId.value! } } })).data!,
    refetchInterval: (query) => (["succeeded", "failed"].includes(query.state.data?.status ?? "") ? false : POLL_MS),
  });
}

/**
 * Where an unanswered request stands on the optimizer: `queued` (behind other runs) or
 * `running` (being solved); null until the optimizer has taken it in. Polled while `active`.
 */
export function useOptimizerProgress(requestId: Ref<string | null>, active: Ref<boolean>) {
  const query = useQuery({
    queryKey: ["optimizer", "progress", requestId],
    enabled: computed(() => Boolean(requestId.value) && active.value),
    staleTime: 0,
    refetchInterval: POLL_MS,
    queryFn: async () => (await optimizerApi.GET("/runs", { params: { query: { source: "event", limit: 20 } } })).data!,
  });
  return computed(() => query.data.value?.items.find((run) => run.request_id === requestId.value)?.status ?? null);
}

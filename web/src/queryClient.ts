// The one vue-query client: server state is cached here, never in hand-rolled stores.
import { QueryClient } from "@tanstack/vue-query";
import { ApiError } from "./api/problem";

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A refused request (4xx) will not succeed by asking again; a network blip might.
      retry: (failures, error) => failures < 2 && error instanceof ApiError && error.isServerOrNetwork,
      refetchOnWindowFocus: true,
    },
    mutations: { retry: false },
  },
});
